/** `infra image parse FILE [--json]`: shows how infra (and Docker) read a Dockerfile. */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { InfraError } from "../../diag/infra-error.js";
import { buildProblemWarnings, parseDockerfile } from "../../providers/local-runtime/build/dockerfile-parser.js";
import type { DockerfileInstruction } from "../../providers/local-runtime/build/dockerfile-types.js";
import type { Command, CommandIO } from "../command.js";
import { expectPositionals, parseFlags } from "../parse-flags.js";
import { printDiagnostics } from "../print-diagnostics.js";

const NAME = "image parse";

/**
 * One JSON object per line with exactly `instruction`, `line`, `flags`, `json`, `args`.
 * ONBUILD: `args` is [trigger keyword, ...trigger flags, ...trigger args], `json` the trigger's.
 */
export function renderInstructionsJson(instructions: readonly DockerfileInstruction[]): string {
  return instructions
    .map((i) => JSON.stringify({ instruction: i.instruction, line: i.line, flags: i.flags, json: i.json, args: i.args }) + "\n")
    .join("");
}

/** A readable listing: line range, keyword, flags, arguments, then here-documents. */
export function renderInstructionsText(instructions: readonly DockerfileInstruction[]): string {
  const width = Math.max(4, ...instructions.map((i) => lineRange(i).length));
  const out: string[] = [];
  for (const i of instructions) {
    const parts = [...i.flags];
    if (i.json && Array.isArray(i.args) && i.instruction !== "ONBUILD" && i.instruction !== "HEALTHCHECK") {
      parts.push(JSON.stringify(i.args));
    } else if (Array.isArray(i.args)) {
      parts.push(i.keyValues ? pairs(i) : i.args.join(" "));
    } else {
      parts.push(i.args);
    }
    const form = i.json ? " (exec form)" : "";
    out.push(`${lineRange(i).padStart(width)}  ${i.instruction.padEnd(11)} ${parts.filter((p) => p !== "").join(" ")}${form}`.trimEnd());
    for (const h of i.heredocs ?? []) {
      const lines = h.content === "" ? 0 : h.content.split("\n").length - (h.content.endsWith("\n") ? 1 : 0);
      const how = [h.expand ? "expanded" : "literal", ...(h.chomp ? ["tabs stripped"] : [])].join(", ");
      out.push(`${"".padStart(width)}  <<${h.name}: ${lines} line${lines === 1 ? "" : "s"} (${how})`);
    }
  }
  return out.join("\n") + (out.length > 0 ? "\n" : "");
}

function lineRange(i: DockerfileInstruction): string {
  return i.endLine > i.line ? `${i.line}-${i.endLine}` : String(i.line);
}

function pairs(i: DockerfileInstruction): string {
  return (i.keyValues ?? []).map((kv) => (kv.value === undefined ? kv.key : `${kv.key}=${JSON.stringify(kv.value)}`)).join(" ");
}

export const imageParseCommand: Command = {
  name: ["image", "parse"],
  summary: "Show the instructions of a Dockerfile as the builder reads them",
  usage: [
    "Usage: infra image parse FILE [--json]",
    "",
    "Parses FILE with Docker's rules (directives, continuations, here-documents, exec and shell",
    "forms) and lists its instructions. It accepts every file Docker's parser accepts: what a",
    "build would refuse (unknown instructions or flags, no FROM, wrong argument counts) is printed",
    "as a warning with its line; what the parser itself rejects is an error (exit 1).",
    "",
    "  --json   one object per instruction and line: instruction, line, flags, json, args",
  ].join("\n"),
  async run(argv: string[], io: CommandIO): Promise<number> {
    const flags = parseFlags(argv, { json: { kind: "boolean" } }, NAME);
    expectPositionals(flags, 1, 1, NAME);
    const file = flags.positionals[0] as string;
    const path = resolve(io.cwd, file);
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (e) {
      throw new InfraError("INFRA_BUILD_DOCKERFILE_READ", `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, {
        hint: "check the path; it is relative to the current directory",
        cause: e,
      });
    }
    const parsed = parseDockerfile(text, { file });
    // A parser accepts what Docker's parser accepts; what a build would refuse is only a warning here.
    printDiagnostics(io, [...parsed.diagnostics, ...buildProblemWarnings(parsed, file)]);
    io.stdout.write(flags.booleans.json ? renderInstructionsJson(parsed.instructions) : renderInstructionsText(parsed.instructions));
    return 0;
  },
};
