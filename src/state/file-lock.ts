/**
 * A lock file that records its holder. It appears whole: the record is written to a temp file
 * that is then hard-linked to the lock's name, which fails when a lock exists. A lock whose holder
 * is gone (same host, pid not running) is stale and taken over; otherwise we poll until the
 * timeout and then name the holder.
 *
 * Takeover is a contest, because several processes may find the same stale lock at once. Each
 * claims it by creating `<lock>.takeover.<key>.<n>` (key: the stale lock's identity) the same
 * whole-or-nothing way; exactly one succeeds for each n. Only the claim's winner may touch the
 * stale lock: it checks that the lock is still the stale one, then renames its own lock over it,
 * so that there is never a moment without a lock. A claim whose holder died hands the contest to
 * claim n+1.
 */
import { createHash, randomUUID } from "node:crypto";
import { link, readdir, readFile, rm, stat } from "node:fs/promises";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";
import { InfraError } from "../diag/infra-error.js";
import { removeDeadTemps, writeFileAtomic, writeTemp } from "./atomic-write.js";
import { pidAlive } from "./pid-alive.js";
import type { LockInfo, StateLock } from "./state-types.js";

export interface LockOptions {
  /** How often to look again while another process holds the lock. */
  pollMs?: number;
  /** A lock file that is not a lock record (corrupt, foreign) is treated as stale after this long. */
  unreadableStaleMs?: number;
}

/** A takeover claim older than this is from a stalled or vanished taker: takeovers take milliseconds. */
const CLAIM_STALE_MS = 30_000;

type Holder = LockInfo | "missing" | "unreadable";

/** A lock judged stale: `key` names it in claims, `still` checks that the lock file is still it. */
interface StaleLock {
  key: string;
  holder: LockInfo | "unreadable";
  still(path: string): Promise<boolean>;
}

async function readHolder(path: string): Promise<Holder> {
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
    // Not a lock record: reported as unreadable.
  }
  return "unreadable";
}

/** Creates `path` holding `text` if nothing is there; false when something is. Never leaves it half written. */
async function createWhole(path: string, text: string): Promise<boolean> {
  const tmp = await writeTemp(path, text, 0o600);
  try {
    await link(tmp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw e;
  } finally {
    await rm(tmp, { force: true });
  }
}

const record = (info: LockInfo): string => JSON.stringify(info, null, 2) + "\n";

function ageMs(s: { mtimeMs: number }): number {
  return Date.now() - s.mtimeMs;
}

/** The lock's staleness: a holder gone from this host, or a file that is no lock record and is old. */
async function staleness(path: string, holder: LockInfo | "unreadable", opts: LockOptions): Promise<StaleLock | undefined> {
  if (holder !== "unreadable") {
    if (holder.host !== hostname() || pidAlive(holder.pid)) return undefined;
    return {
      holder,
      key: createHash("sha256").update(holder.id).digest("hex").slice(0, 16),
      still: async (p) => {
        const h = await readHolder(p);
        return typeof h === "object" && h.id === holder.id;
      },
    };
  }
  const s = await stat(path).catch(() => undefined);
  if (s === undefined || ageMs(s) <= (opts.unreadableStaleMs ?? 5000)) return undefined;
  return {
    holder,
    key: `ino${s.ino}`,
    still: async (p) => (await stat(p).catch(() => undefined))?.ino === s.ino && (await readHolder(p)) === "unreadable",
  };
}

/** Runs the takeover contest for `stale`; true when our lock replaced it. */
async function takeOver(path: string, stale: StaleLock, info: LockInfo): Promise<boolean> {
  const claim = (n: number): string => `${path}.takeover.${stale.key}.${n}`;
  let n = 0;
  for (; !(await createWhole(claim(n), record(info))); n++) {
    const c = await readHolder(claim(n));
    // Claims disappear only once the contest is over: look at the lock again.
    if (c === "missing") return false;
    const cs = await stat(claim(n)).catch(() => undefined);
    const dead = c === "unreadable" || (c.host === hostname() && !pidAlive(c.pid)) || (cs !== undefined && ageMs(cs) > CLAIM_STALE_MS);
    if (!dead) return false;
  }
  try {
    if (!(await stale.still(path))) return false;
    // One rename replaces the stale lock with ours: there is never a moment without a lock.
    await writeFileAtomic(path, record(info), 0o600);
    return true;
  } finally {
    for (let i = 0; i <= n; i++) await rm(claim(i), { force: true });
  }
}

/**
 * Leftovers of processes that died while locking: their temp files, and claims of finished or
 * abandoned takeovers (while we hold the lock no takeover of it can be under way).
 */
async function removeLeftovers(path: string): Promise<void> {
  await removeDeadTemps(path);
  const prefix = `${basename(path)}.takeover.`;
  for (const name of await readdir(dirname(path))) {
    if (name.startsWith(prefix)) await rm(join(dirname(path), name), { force: true });
  }
}

export function describeHolder(h: LockInfo): string {
  return `pid ${h.pid} on ${h.host}, running "${h.command}", since ${h.createdAt}`;
}

export async function acquireFileLock(path: string, req: Omit<LockInfo, "id" | "createdAt">, timeoutMs: number, opts: LockOptions = {}): Promise<StateLock> {
  const pollMs = opts.pollMs ?? 100;
  const deadline = Date.now() + Math.max(0, timeoutMs);
  for (;;) {
    const info: LockInfo = { id: randomUUID(), pid: req.pid, host: req.host, command: req.command, createdAt: new Date().toISOString() };
    let holder = await readHolder(path);
    if (holder === "missing") {
      if (await createWhole(path, record(info))) return held(path, info);
      holder = await readHolder(path);
      if (holder === "missing") continue;
    }
    const stale = await staleness(path, holder, opts);
    if (stale !== undefined && (await takeOver(path, stale, info))) return held(path, info, stale.holder);
    if (Date.now() >= deadline) {
      // A lost takeover means someone else holds the lock now: name them, not the stale holder.
      if (stale !== undefined) holder = await readHolder(path);
      if (holder === "missing") continue;
      const who = typeof holder === "object" ? describeHolder(holder) : "a file that is not a lock record";
      throw new InfraError("INFRA_STATE_LOCKED", `The state is locked by ${who}`, {
        detail: `Lock file: ${path}. Waited ${timeoutMs} ms.`,
        hint: "Wait for that command to finish, or raise --lock-timeout. If the holder is gone for good (another host), delete the lock file.",
      });
    }
    await new Promise((r) => setTimeout(r, Math.min(pollMs, Math.max(1, deadline - Date.now()))));
  }
}

/** A lock we hold: leftovers are cleared first (best effort: they are harmless, the lock is not lost over them). */
async function held(path: string, info: LockInfo, tookOverFrom?: LockInfo | "unreadable"): Promise<StateLock> {
  await removeLeftovers(path).catch(() => undefined);
  let released = false;
  return {
    info,
    ...(tookOverFrom === undefined ? {} : { tookOverFrom }),
    async release(): Promise<void> {
      if (released) return;
      released = true;
      const h = await readHolder(path);
      if (typeof h === "object" && h.id === info.id) await rm(path, { force: true });
    },
  };
}
