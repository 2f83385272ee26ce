/**
 * The state backend of a stack (the local file backend under `.infra/`) and its lock, taken for
 * the length of a command and released however the command ends.
 */
import { hostname } from "node:os";
import type { StateBackend } from "../state/state-types.js";
import type { StackContext } from "./stack-context.js";

export const DEFAULT_LOCK_TIMEOUT_MS = 30_000;

export async function openBackend(ctx: StackContext): Promise<StateBackend> {
  const { LocalStateBackend } = await import("../state/local-backend.js");
  return new LocalStateBackend(ctx.stateDir, ctx.stackName);
}

export async function withLock<T>(backend: StateBackend, command: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  const lock = await backend.lock({ pid: process.pid, host: hostname(), command: `infra ${command}` }, timeoutMs);
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}
