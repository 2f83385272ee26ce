/**
 * Docker's exit codes for `run`, `create` and `exec`, decided in one place for the Node CLI and
 * the native launcher's fast path (run-argv.ts): 127 when the container's command is not found,
 * 126 when it cannot be invoked, and for `run`/`create` 125 when infra itself failed (a bad flag,
 * no such image, an engine error before the command ran). A container's own code passes through.
 */
import { InfraError, isInfraError } from "../diag/infra-error.js";
import { isProviderError } from "../providers/contract.js";
import { COMMAND_NOT_EXECUTABLE, COMMAND_NOT_FOUND } from "../providers/local-runtime/container/command-failure.js";
import type { CommandIO } from "./command.js";
import { reportError } from "./main.js";

export const EXIT_INFRA_FAILED = 125;
export const EXIT_CANNOT_INVOKE = 126;
export const EXIT_NOT_FOUND = 127;

function codeOf(e: unknown): string | undefined {
  return isProviderError(e) || isInfraError(e) ? e.code : undefined;
}

/** 126 / 127 for a command that could not run; undefined for any other failure. */
export function commandExitCode(e: unknown): number | undefined {
  const code = codeOf(e);
  return code === COMMAND_NOT_FOUND ? EXIT_NOT_FOUND : code === COMMAND_NOT_EXECUTABLE ? EXIT_CANNOT_INVOKE : undefined;
}

/** The exit code of a `run` or `create` that failed with `e`. */
export function runExitCode(e: unknown): number {
  if (codeOf(e) === "INFRA_CLI_INTERRUPTED") return 130;
  return commandExitCode(e) ?? EXIT_INFRA_FAILED;
}

/** A command that could not run is one line, as Docker's is; anything else is rendered as usual. */
function shown(e: unknown): unknown {
  if (commandExitCode(e) === undefined) return e;
  const err = e as { code: string; message: string };
  return new InfraError(err.code, err.message);
}

/** Prints the failure of `run` / `create` and returns Docker's exit code for it. */
export async function reportRunFailure(e: unknown, io: CommandIO): Promise<number> {
  await reportError(shown(e), io);
  return runExitCode(e);
}

/** `exec`: a command that could not run is 126 / 127 with one line; other failures stay errors. */
export async function reportExecFailure(e: unknown, io: CommandIO): Promise<number> {
  const code = commandExitCode(e);
  if (code === undefined) throw e;
  await reportError(shown(e), io);
  return code;
}
