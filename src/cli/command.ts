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
}

export interface Command {
  /** Words that select it: ["plan"], ["state", "list"], ["network", "ls"]. */
  name: string[];
  /** Other spellings, e.g. [["container", "ls"]] for ps. */
  aliases?: string[][];
  summary: string;
  /** Usage text printed by `infra help NAME` and on a usage error. */
  usage: string;
  /** `argv` is what follows the command words. Returns the exit code. */
  run(argv: string[], io: CommandIO): Promise<number>;
}
