/**
 * The CLI's side of the argv form of the engine's `POST /run` (the native launcher's fast path):
 * `infra run` flags parsed as the Node CLI parses them, against the client's cwd and environment,
 * and errors rendered as the Node CLI renders them. The engine gets this handler from
 * `infra engine`; providers never import the CLI.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { ProviderError } from "../providers/contract.js";
import type { RunArgvHandler, RunArgvParse, RunArgvRequest } from "../providers/local-runtime/engine/engine-run-argv.js";
import type { CommandIO } from "./command.js";
import { parseContainerFlags } from "./commands/container-flags.js";
import { asksForHelp } from "./main.js";
import { reportRunFailure } from "./run-failure.js";
import { pullPolicyFlag } from "./commands/pull-flag.js";

/** The request for a command line; `fullCli` for what only the Node CLI does; throws a usage error as the CLI would. */
export function parseRunArgv(req: RunArgvRequest, readFile: (path: string) => string = (p) => readFileSync(p, "utf8")): RunArgvParse {
  if (asksForHelp(req.argv)) return { fullCli: "help is printed by the CLI" };
  const { f, spec } = parseContainerFlags(req.argv, "run", (p) => readFile(resolve(req.cwd, p)), req.env);
  // The same choice as runContainer: -i / -t in the foreground attach to the client's terminal.
  if (!f.booleans.detach && (f.booleans.interactive === true || f.booleans.tty === true)) return { fullCli: "-i / -t in the foreground attach to the terminal" };
  // What the client does itself: write the cidfile as its user, read the image's ports, choose streams.
  if (f.strings.cidfile !== undefined || f.booleans["publish-all"] === true || f.lists.attach !== undefined) return { fullCli: "--cidfile, -P and -a are done by the CLI" };
  const pull = pullPolicyFlag(f, "run");
  return { run: { spec, rm: f.booleans.rm === true, detach: f.booleans.detach === true, ...(pull ? { pull } : {}) } };
}

/** The text the Node CLI writes on stderr for this error, and its exit code. */
export async function renderRunError(e: ProviderError, req: RunArgvRequest): Promise<{ text: string; exitCode: number }> {
  let text = "";
  const sink = (isTTY: boolean) => ({ isTTY, write(chunk: string | Uint8Array) { text += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"); return true; } });
  const io = {
    stdout: sink(req.stdoutTty === true), stderr: sink(req.stderrTty === true), stdin: process.stdin,
    env: req.env, cwd: req.cwd,
    // As main() decides it: colour when stdout is a terminal and NO_COLOR is unset.
    color: req.stdoutTty === true && !req.env.NO_COLOR,
  } as unknown as CommandIO;
  const exitCode = await reportRunFailure(e, io);
  return { text, exitCode };
}

export const runArgvHandler: RunArgvHandler = { parse: (req) => parseRunArgv(req), render: renderRunError };
