/** When to bring an exited container back, and after how long (Docker's restart manager). Pure. */
import type { RestartSpec } from "../../../graph/specs.js";

export const BACKOFF_START_MS = 100;
export const BACKOFF_MAX_MS = 60_000;
/** A container up at least this long resets the backoff. */
export const BACKOFF_RESET_MS = 10_000;

export interface RestartInput {
  policy: RestartSpec | undefined;
  exitCode: number;
  manuallyStopped: boolean;
  /** Restarts so far (the counter on-failure:N compares with). */
  restartCount: number;
  /** How long the run that just ended lasted. */
  uptimeMs: number;
  /** The previous delay, 0 for none. */
  lastDelayMs: number;
}

export interface RestartDecision {
  restart: boolean;
  delayMs: number;
}

export function decideRestart(i: RestartInput): RestartDecision {
  const p = i.policy?.policy ?? "no";
  const no = { restart: false, delayMs: 0 };
  if (p === "no" || i.manuallyStopped) return no;
  if (p === "on-failure") {
    if (i.exitCode === 0) return no;
    if (i.policy?.maxRetries !== undefined && i.policy.maxRetries > 0 && i.restartCount >= i.policy.maxRetries) return no;
  }
  const delayMs = i.uptimeMs >= BACKOFF_RESET_MS || i.lastDelayMs === 0 ? BACKOFF_START_MS : Math.min(i.lastDelayMs * 2, BACKOFF_MAX_MS);
  return { restart: true, delayMs };
}
