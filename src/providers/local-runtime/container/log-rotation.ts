/**
 * Log rotation by size and count. The engine rotates (`log` → `log.1` → … → `log.N-1`) from its
 * once-a-second sweep and asks conmon to reopen through the bundle's `ctl` fifo (message type 2).
 * conmon's own --log-size-max truncates a file, losing it, so it is only a backstop set well above
 * the engine's limit: with one file (Docker's max-file 1) conmon's truncation is the rule itself.
 */
import { constants } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import type { LoggingSpec } from "../../../graph/specs.js";
import { rotateIfNeeded } from "./log-file.js";

/** The backstop leaves the engine room for bursts of this much beyond maxSize between sweeps. */
export const CONMON_BACKSTOP_SLACK = 8 * 1024 * 1024;

/** Files kept besides the live one (Docker's max-file counts the live file too). */
export function rotatedFiles(l: LoggingSpec | undefined): number {
  return Math.max(0, (l?.maxFiles ?? 1) - 1);
}

export function conmonLogSizeMax(l: LoggingSpec | undefined): number | undefined {
  if (l?.maxSize === undefined) return undefined;
  return rotatedFiles(l) === 0 ? l.maxSize : 2 * l.maxSize + CONMON_BACKSTOP_SLACK;
}

/** Asks conmon to reopen its log file (after a rename). False when no conmon listens. */
export async function askConmonToReopenLog(bundle: string): Promise<boolean> {
  try {
    const fh = await open(join(bundle, "ctl"), constants.O_WRONLY | constants.O_NONBLOCK);
    try {
      await fh.write("2 0 0\n");
    } finally {
      await fh.close();
    }
    return true;
  } catch {
    return false;
  }
}

/** Rotates a running container's log when it passed maxSize; true when it did. */
export async function rotateContainerLog(logPath: string, bundle: string, l: LoggingSpec | undefined): Promise<boolean> {
  const keep = rotatedFiles(l);
  if (l?.maxSize === undefined || keep === 0) return false;
  if (!(await rotateIfNeeded(logPath, l.maxSize, keep))) return false;
  await askConmonToReopenLog(bundle);
  return true;
}
