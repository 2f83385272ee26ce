/**
 * The state backend of a stack (the local file backend under `.infra/`) and its lock, taken for
 * the length of a command and released however the command ends.
 */
import { hostname } from "node:os";
import { warningDiag } from "../diag/diagnostic.js";
import type { StateBackend, StateLock } from "../state/state-types.js";
import type { CommandIO } from "./command.js";
import { printDiagnostics } from "./print-diagnostics.js";
import type { StackContext } from "./stack-context.js";

export const DEFAULT_LOCK_TIMEOUT_MS = 30_000;

export async function openBackend(ctx: StackContext): Promise<StateBackend> {
  const { LocalStateBackend } = await import("../state/local-backend.js");
  return new LocalStateBackend(ctx.stateDir, ctx.stackName);
}

/** Says so when the lock was taken from a process that died holding it (killed mid-apply, say). */
export function takeoverNotice(lock: StateLock, location: string): ReturnType<typeof warningDiag> | undefined {
  const from = lock.tookOverFrom;
  if (from === undefined) return undefined;
  const who = from === "unreadable" ? "a lock file that was no lock record" : `pid ${from.pid} ("${from.command}", since ${from.createdAt}), which is no longer running`;
  return warningDiag("INFRA_STATE_LOCK_TAKEN_OVER", `Took over the state lock left by ${who}`, {
    detail: `The state (${location}) is as that process last wrote it: every step is recorded as it finishes.`,
    hint: "If that run was cut short, `infra plan` shows what is left to do, including objects it made but did not record.",
  });
}

export async function withLock<T>(backend: StateBackend, command: string, timeoutMs: number, fn: () => Promise<T>, io?: CommandIO): Promise<T> {
  const lock = await backend.lock({ pid: process.pid, host: hostname(), command: `infra ${command}` }, timeoutMs);
  const notice = takeoverNotice(lock, backend.location);
  if (notice !== undefined && io !== undefined) printDiagnostics(io, [notice]);
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}
