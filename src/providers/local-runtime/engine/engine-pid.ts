/**
 * The engine's pid file, claimed as the engine begins to start (before its start-up repairs), not
 * once it listens: a CLI that finds no socket then waits for an engine that is still starting
 * instead of starting a second one whose repairs would undo the first one's work.
 */
import { readFileSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import type { Layout } from "../layout.js";
import { runtimeError } from "../runtime-error.js";

/** The pid still runs an engine (a recycled pid of another program does not count). */
export function engineAlive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("engine");
  } catch {
    return false;
  }
}

/** The pid the file names, or 0. */
export async function readEnginePid(layout: Layout): Promise<number> {
  const pid = Number((await readFile(layout.enginePidFile, "utf8").catch(() => "")).trim());
  return Number.isInteger(pid) && pid > 0 ? pid : 0;
}

/** Writes our pid; refuses when the file names another engine that is still alive (starting or serving). */
export async function claimEnginePid(layout: Layout): Promise<void> {
  const other = await readEnginePid(layout);
  if (other !== 0 && other !== process.pid && engineAlive(other))
    throw runtimeError("AlreadyExists", "ENGINE_RUNNING", `another engine (pid ${other}) is starting or serving ${layout.engineSocket}`, "use it, or stop it first");
  await writeFile(layout.enginePidFile, String(process.pid), { mode: 0o600 });
}

/** Removes the pid file if it is still ours. */
export async function releaseEnginePid(layout: Layout): Promise<void> {
  if ((await readEnginePid(layout)) === process.pid) await rm(layout.enginePidFile, { force: true });
}
