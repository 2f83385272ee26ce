/**
 * A lock file created with O_EXCL that records its holder. A lock whose holder process is gone
 * (same host, pid not running) is stale and taken over; otherwise we poll until the timeout and
 * then name the holder.
 */
import { randomUUID } from "node:crypto";
import { open, readFile, rename, rm, stat } from "node:fs/promises";
import { hostname } from "node:os";
import { InfraError } from "../diag/infra-error.js";
import type { LockInfo, StateLock } from "./state-types.js";

export interface LockOptions {
  /** How often to look again while another process holds the lock. */
  pollMs?: number;
  /** A lock file still empty or unreadable after this long is from a crashed writer. */
  unreadableStaleMs?: number;
}

/** True when a process with this pid exists on this host (EPERM: it exists, owned by someone else). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function readHolder(path: string): Promise<LockInfo | "missing" | "unreadable"> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return "missing";
    throw e;
  }
  try {
    const v = JSON.parse(text) as LockInfo;
    if (typeof v.id === "string" && typeof v.pid === "number" && typeof v.host === "string") return v;
  } catch {
    // A holder that crashed between create and write leaves an empty file.
  }
  return "unreadable";
}

async function tryCreate(path: string, info: LockInfo): Promise<boolean> {
  let fh;
  try {
    fh = await open(path, "wx", 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw e;
  }
  try {
    await fh.writeFile(JSON.stringify(info, null, 2) + "\n");
    await fh.sync();
  } finally {
    await fh.close();
  }
  return true;
}

/** Removes a stale lock, but only if it is still the one judged stale (another taker may have been faster). */
async function removeStale(path: string, staleId: string | undefined): Promise<void> {
  const aside = `${path}.stale.${randomUUID()}`;
  try {
    await rename(path, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return;
    throw e;
  }
  const moved = await readHolder(aside);
  const same = staleId === undefined ? moved === "unreadable" : typeof moved === "object" && moved.id === staleId;
  if (!same) {
    // We moved a live lock taken in between: put it back (it stays exclusive: rename would clobber, so try once).
    try {
      await rename(aside, path);
      return;
    } catch {
      // fall through: removing is the only option left
    }
  }
  await rm(aside, { force: true });
}

export function describeHolder(h: LockInfo): string {
  return `pid ${h.pid} on ${h.host}, running "${h.command}", since ${h.createdAt}`;
}

export async function acquireFileLock(path: string, req: Omit<LockInfo, "id" | "createdAt">, timeoutMs: number, opts: LockOptions = {}): Promise<StateLock> {
  const pollMs = opts.pollMs ?? 100;
  const deadline = Date.now() + Math.max(0, timeoutMs);
  for (;;) {
    const info: LockInfo = { id: randomUUID(), pid: req.pid, host: req.host, command: req.command, createdAt: new Date().toISOString() };
    if (await tryCreate(path, info)) return fileLock(path, info);
    const holder = await readHolder(path);
    if (holder === "missing") continue;
    if (holder === "unreadable") {
      const age = await stat(path).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age > (opts.unreadableStaleMs ?? 5000)) {
        await removeStale(path, undefined);
        continue;
      }
    } else if (holder.host === hostname() && !pidAlive(holder.pid)) {
      await removeStale(path, holder.id);
      continue;
    }
    if (Date.now() >= deadline) {
      const who = typeof holder === "object" ? describeHolder(holder) : "a process that has not finished writing the lock file";
      throw new InfraError("INFRA_STATE_LOCKED", `The state is locked by ${who}`, {
        detail: `Lock file: ${path}. Waited ${timeoutMs} ms.`,
        hint: "Wait for that command to finish, or raise --lock-timeout. If the holder is gone for good (another host), delete the lock file.",
      });
    }
    await new Promise((r) => setTimeout(r, Math.min(pollMs, Math.max(1, deadline - Date.now()))));
  }
}

function fileLock(path: string, info: LockInfo): StateLock {
  let released = false;
  return {
    info,
    async release(): Promise<void> {
      if (released) return;
      released = true;
      const h = await readHolder(path);
      if (typeof h === "object" && h.id === info.id) await rm(path, { force: true });
    },
  };
}
