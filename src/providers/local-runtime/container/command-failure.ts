/**
 * The one place that reads runc's "the process could not be started" messages (from `runc run`
 * through the monitor's sync pipe, or `runc exec`'s log line on stderr) and turns them into typed
 * failures, so that the CLI exits as Docker does: 127 when the command is not found, 126 when it
 * cannot be invoked. runc 1.1 words them `unable to start container process: exec: "CMD": REASON`.
 */
import type { ProviderError } from "../../contract.js";
import { runtimeError } from "../runtime-error.js";

export type CommandFailureKind = "not-found" | "not-executable";

export const COMMAND_NOT_FOUND = "INFRA_RUNTIME_COMMAND_NOT_FOUND";
export const COMMAND_NOT_EXECUTABLE = "INFRA_RUNTIME_COMMAND_NOT_EXECUTABLE";

/** The command and why it did not start, when `message` is runc failing to exec the process. */
export function classifyCommandFailure(message: string): { kind: CommandFailureKind; command: string; reason: string } | undefined {
  const m = /exec: "((?:[^"\\]|\\.)*)": ([^"\n]+?)\s*$/.exec(message.trim());
  if (!m) return undefined;
  const command = m[1]!.replace(/\\(.)/g, "$1");
  const reason = m[2]!;
  // ENOENT for a path, or the $PATH lookup failing: the shell's 127. The rest (EACCES, EISDIR,
  // ENOEXEC, ENOTDIR) is found but cannot be run: 126.
  if (/executable file not found|no such file or directory/.test(reason)) return { kind: "not-found", command, reason };
  if (/permission denied|is a directory|exec format error|not a directory/.test(reason)) return { kind: "not-executable", command, reason };
  return undefined;
}

/** The typed failure for runc's message, or undefined when it is another failure. */
export function commandFailure(message: string, container?: string): ProviderError | undefined {
  const c = classifyCommandFailure(message);
  if (!c) return undefined;
  const where = container !== undefined ? ` in container ${container}` : "";
  if (c.kind === "not-found") {
    return runtimeError("Invalid", "COMMAND_NOT_FOUND", `"${c.command}"${where}: ${c.reason}`, "give a command that exists in the image (an absolute path, or one on the image's PATH)");
  }
  return runtimeError("Invalid", "COMMAND_NOT_EXECUTABLE", `"${c.command}"${where} cannot be run: ${c.reason}`, "give an executable file (mode +x), not a directory or a data file");
}
