/**
 * `logs -f`: reads a container's log files once (rotated oldest first, then the live one) and
 * then only what is appended, following the live file across rotations by its inode: when the
 * live path holds a new file, the rest of the old one is read from wherever rotation moved it.
 * A large first read goes through the thread pool; a small one, and the polls after it, read at
 * once (a few µs each, where each thread-pool round trip costs ~0.1-0.2 ms), at most POLL_MAX
 * bytes per poll (`behind` says more is waiting).
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from "node:fs";
import { open } from "node:fs/promises";
import { containerPaths } from "../layout.js";
import type { ContainerManager } from "./container-manager.js";
import { parseLogText, queryLog, type LogLine, type LogQuery } from "./log-file.js";

export class LogFollower {
  private ino: number | undefined;
  private offset = 0;
  /** Raw text not yet returned: an unterminated line, or partial (P) records awaiting their end. */
  private pending = "";
  /** The last poll stopped at POLL_MAX: more is in the file already. */
  behind = false;

  constructor(readonly path: string, readonly maxRotated: number) {}

  /** Everything in the files now; following starts after it. */
  async initial(): Promise<LogLine[]> {
    const files = [...Array.from({ length: this.maxRotated }, (_, i) => `${this.path}.${this.maxRotated - i}`), this.path];
    // Small logs (a new container's) are read at once too; large ones through the thread pool.
    const small = files.reduce((n, f) => n + (statOrUndefined(f)?.size ?? 0), 0) <= POLL_MAX;
    const read = (f: string) => small ? readFromNow(f, 0, Infinity) : readFrom(f, 0);
    let text = "";
    for (const f of files.slice(0, -1)) text += (await read(f))?.text ?? "";
    const live = await read(this.path);
    if (live) { this.ino = live.ino; this.offset = live.end; text += live.text; }
    return this.take(text);
  }

  /** Lines appended since the last call (complete records only). */
  poll(): LogLine[] {
    this.behind = false;
    const st = statOrUndefined(this.path);
    let text = "";
    if (this.ino !== undefined && st?.ino !== this.ino) {
      // Rotated: our file is now log.1 (or further on if several rotations passed).
      const old = this.rotatedPath(this.ino);
      const rest = old === undefined ? undefined : readFromNow(old, this.offset, Infinity);
      text += rest?.text ?? "";
      if (!st) {
        // No live file yet (the monitor has not reopened, or has exited): keep following the old one.
        if (rest) this.offset = rest.end;
        return this.take(text);
      }
      this.ino = undefined;
      this.offset = 0;
    }
    if (!st) return [];
    const live = readFromNow(this.path, this.offset, POLL_MAX);
    if (live && (this.ino === undefined || live.ino === this.ino)) {
      this.ino = live.ino;
      this.offset = live.end;
      this.behind = live.end < live.size;
      text += live.text;
    }
    return this.take(text);
  }

  private rotatedPath(ino: number): string | undefined {
    for (let i = 1; i <= this.maxRotated; i++) {
      const p = `${this.path}.${i}`;
      if (statOrUndefined(p)?.ino === ino) return p;
    }
    return undefined;
  }

  private take(text: string): LogLine[] {
    const all = this.pending + text;
    const lines = all.split("\n");
    let keep = lines.pop() ?? "";
    // Hold back trailing partial records so that a line split by conmon comes out whole.
    let cut = lines.length;
    while (cut > 0 && / (stdout|stderr) P( |$)/.test(lines[cut - 1]!)) cut--;
    if (cut < lines.length) keep = lines.slice(cut).join("\n") + "\n" + keep;
    this.pending = keep;
    return parseLogText(lines.slice(0, cut).join("\n"));
  }
}

const POLL_MAX = 1 << 20;

function statOrUndefined(path: string): { ino: number; size: number } | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** What `path` holds from `from` on, at most `max` bytes, cut after a newline when cut short. */
function readFromNow(path: string, from: number, max: number): { ino: number; end: number; size: number; text: string } | undefined {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return undefined;
  }
  try {
    const st = fstatSync(fd);
    const start = st.size < from ? 0 : from; // truncated (conmon's backstop): start it again
    let buf = Buffer.alloc(Math.min(st.size - start, max));
    const n = buf.length > 0 ? readSync(fd, buf, 0, buf.length, start) : 0;
    buf = buf.subarray(0, n);
    if (start + n < st.size) {
      // Cut short: end at a line, so that no character is split between two reads.
      const nl = buf.lastIndexOf(0x0a);
      if (nl >= 0) buf = buf.subarray(0, nl + 1);
    }
    return { ino: st.ino, end: start + buf.length, size: st.size, text: buf.toString("utf8") };
  } finally {
    closeSync(fd);
  }
}

async function readFrom(path: string, from: number): Promise<{ ino: number; end: number; text: string } | undefined> {
  const fh = await open(path, "r").catch(() => undefined);
  if (!fh) return undefined;
  try {
    const st = await fh.stat();
    // A file shorter than our offset was truncated (conmon's backstop): start it again.
    const start = st.size < from ? 0 : from;
    const buf = Buffer.alloc(st.size - start);
    if (buf.length > 0) await fh.read(buf, 0, buf.length, start);
    return { ino: st.ino, end: st.size, text: buf.toString("utf8") };
  } finally {
    await fh.close();
  }
}

/** Sends the queried lines, then new ones, until the container stops or `closed()` says so. */
export async function followContainerLogs(m: ContainerManager, idOrName: string, q: LogQuery, send: (l: LogLine) => void, closed: () => boolean, pollMs = 200): Promise<void> {
  // An --rm container that exited already is retired: its record and directory are still there.
  const rec = m.find(idOrName) ?? m.lastRecord(idOrName) ?? m.get(idOrName);
  // Its directory stays until its last lines are read.
  const release = m.holdDir(rec.id);
  try {
    const f = new LogFollower(containerPaths(m.layout, rec.id).log, Math.max(1, rec.spec.logging?.maxFiles ?? 1));
    for (const l of queryLog(await f.initial(), q)) send(l);
    const since = q.since;
    while (!closed()) {
      const cur = m.find(rec.id);
      const running = cur !== undefined && (cur.state === "running" || cur.state === "paused");
      const lines = f.poll();
      for (const l of since !== undefined ? queryLog(lines, { since }) : lines) send(l);
      if (f.behind) {
        await new Promise((r) => setImmediate(r)); // the rest next, after other work had its turn
        continue;
      }
      if (!running) break;
      // Wakes at the exit, not at the next tick: `run` in the foreground ends as soon as the container does.
      await m.waitExit(rec.id, pollMs);
    }
  } finally {
    release();
  }
}
