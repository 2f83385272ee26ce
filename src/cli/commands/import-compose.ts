/** `infra import compose FILE -o infra.ts`: writes an equivalent, readable TypeScript stack. */
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { hasErrors } from "../../diag/diagnostic.js";
import { InfraError } from "../../diag/infra-error.js";
import { composeStack } from "../../compose/compose-to-stack.js";
import { writeTypeScriptStack } from "../../compose/write-typescript-stack.js";
import { printDiagnostics } from "../print-diagnostics.js";
import type { Command, CommandIO } from "../command.js";
import { expectPositionals, parseFlags } from "../parse-flags.js";

const NAME = "import compose";

export const importComposeCommand: Command = {
  name: ["import", "compose"],
  summary: "Convert a compose file into a TypeScript stack",
  usage: [
    "Usage: infra import compose FILE [-f FILE]... [-o OUT] [-p NAME] [--profile NAME]... [--force]",
    "",
    "Writes OUT (default infra.ts beside FILE): one Network, Volume, Image or Container per compose",
    "object, with the same plan as the compose file. Refuses to overwrite OUT without --force.",
  ].join("\n"),
  async run(argv: string[], io: CommandIO): Promise<number> {
    const flags = parseFlags(argv, {
      file: { kind: "list", short: "f" }, output: { kind: "string", short: "o" }, project: { kind: "string", short: "p" },
      profile: { kind: "list" }, force: { kind: "boolean" },
    }, NAME);
    expectPositionals(flags, 0, 1, NAME);
    const files = [...flags.positionals, ...(flags.lists.file ?? [])];
    if (files.length === 0) throw new InfraError("INFRA_CLI_ARGUMENT_MISSING", `"infra ${NAME}" needs the compose file`, { hint: "infra import compose docker-compose.yml -o infra.ts" });
    const first = resolve(io.cwd, files[0] as string);
    const out = resolve(io.cwd, flags.strings.output ?? resolve(dirname(first), "infra.ts"));
    if (existsSync(out) && !flags.booleans.force) {
      throw new InfraError("INFRA_COMPOSE_OUTPUT_EXISTS", `${out} exists already`, { hint: "Pass --force to overwrite it, or -o to write elsewhere." });
    }
    const project = flags.strings.project ?? io.options?.project;
    const cs = await composeStack({
      files, env: io.env, cwd: io.cwd,
      ...(project !== undefined ? { projectName: project } : {}),
      ...(flags.lists.profile ? { profiles: flags.lists.profile } : {}),
    });
    printDiagnostics(io, cs.diagnostics);
    if (hasErrors(cs.diagnostics)) return 1;
    const text = writeTypeScriptStack(cs.model, { outDir: dirname(out), sourceFiles: cs.project.files });
    await writeFile(out, text);
    io.stdout.write(`Wrote ${out} (${cs.model.resources.length} resources). Check it with: infra check -f ${out} -p ${cs.stackName}\n`);
    return 0;
  },
};
