import type { FlagSpecs } from "./parse-flags.js";

/**
 * One CLI command. Each lives in its own file under `cli/commands/` and is listed in
 * `cli/commands/index.ts`. Commands return an exit code; they write only through `io`.
 */
export interface CommandIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Colour on: stdout is a TTY and NO_COLOR is unset (and --no-color not given). */
  color: boolean;
  /** Global flags (`-f`, `-p`), parsed by main; absent when a command is run directly. */
  options?: GlobalOptions;
  /** Aborted on Ctrl-C or SIGTERM; long operations stop at a consistent point. */
  signal?: AbortSignal;
}

export interface GlobalOptions {
  /** `-f FILE`: the stack file, relative to `cwd`; `infra.ts` by default. */
  file: string;
  /** True when `-f` was given (otherwise a compose file may stand in for a missing infra.ts). */
  fileGiven?: boolean;
  /** Further `-f` files: compose files merged onto the first, as compose merges them. */
  moreFiles?: string[];
  /** `-p NAME`: the stack (project) name; the stack file's directory name by default. */
  project?: string;
}

export interface Command {
  /** Words that select it: ["plan"], ["state", "list"], ["network", "ls"]. */
  name: string[];
  /** Other spellings, e.g. [["container", "ls"]] for ps. */
  aliases?: string[][];
  summary: string;
  /** Usage text printed by `infra help NAME` and on a usage error. */
  usage: string;
  /** The flags it accepts: `infra help` must name each (test/cli/command-flags-help.test.ts). */
  flags?: FlagSpecs;
  /** `argv` is what follows the command words. Returns the exit code. */
  run(argv: string[], io: CommandIO): Promise<number>;
}
