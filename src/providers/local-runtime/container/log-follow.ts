/**
 * `logs -f`: reads a container's log files once (rotated oldest first, then the live one) and
 * then only what is appended, following the live file across rotations by its inode: when the
 * live path holds a new file, the rest of the old one is read from wherever rotation moved it.
 */
import { open, stat } from "node:fs/promises";
import { containerPaths } from "../layout.js";
import type { ContainerManager } from "./container-manager.js";
import { parseLogText, queryLog, type LogLine, type LogQuery } from "./log-file.js";

export class LogFollower {
  private ino: number | undefined;
  private offset = 0;
  /** Raw text not yet returned: an unterminated line, or partial (P) records awaiting their end. */
  private pending = "";

  constructor(readonly path: string, readonly maxRotated: number) {}

  /** Everything in the files now; following starts after it. */
  async initial(): Promise<LogLine[]> {
    let text = "";
    for (let i = this.maxRotated; i >= 1; i--) text += (await readFrom(`${this.path}.${i}`, 0))?.text ?? "";
    const live = await readFrom(this.path, 0);
    if (live) { this.ino = live.ino; this.offset = live.end; text += live.text; }
    return this.take(text);
  }

  /** Lines appended since the last call (complete records only). */
  async poll(): Promise<LogLine[]> {
    const st = await stat(this.path).catch(() => undefined);
    if (!st) return [];
    let text = "";
    if (this.ino !== undefined && st.ino !== this.ino) {
      // Rotated: finish the old file (now log.1, or further on if several rotations passed).
      for (let i = 1; i <= this.maxRotated; i++) {
        const old = await stat(`${this.path}.${i}`).catch(() => undefined);
        if (old?.ino === this.ino) { text += (await readFrom(`${this.path}.${i}`, this.offset))?.text ?? ""; break; }
      }
      this.ino = undefined;
      this.offset = 0;
    }
    const live = await readFrom(this.path, this.offset);
    if (live && (this.ino === undefined || live.ino === this.ino)) { this.ino = live.ino; this.offset = live.end; text += live.text; }
    return this.take(text);
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
  const rec = m.get(idOrName);
  const f = new LogFollower(containerPaths(m.layout, rec.id).log, Math.max(1, rec.spec.logging?.maxFiles ?? 1));
  for (const l of queryLog(await f.initial(), q)) send(l);
  const since = q.since;
  while (!closed()) {
    const cur = m.find(rec.id);
    const running = cur !== undefined && (cur.state === "running" || cur.state === "paused");
    const lines = await f.poll();
    for (const l of since !== undefined ? queryLog(lines, { since }) : lines) send(l);
    if (!running) break;
    // Wakes at the exit, not at the next tick: `run` in the foreground ends as soon as the container does.
    await m.waitExit(rec.id, pollMs);
  }
}
