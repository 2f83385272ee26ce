/**
 * Container logs in conmon's k8s-file format: `<RFC3339Nano> <stdout|stderr> <F|P> <text>`.
 * Partial lines (P) join the next one. Rotation renames log → log.1 → ... and asks conmon to
 * reopen; conmon's own --log-size-max is the backstop.
 */
import { readFile, rename, rm, stat } from "node:fs/promises";

export interface LogLine {
  time: string;
  stream: "stdout" | "stderr";
  text: string;
}

export function parseLogText(text: string): LogLine[] {
  const out: LogLine[] = [];
  // A partial line continues in the next record of the same stream; the other stream may come between.
  const partial = new Map<LogLine["stream"], LogLine>();
  for (const raw of text.split("\n")) {
    if (raw === "") continue;
    const m = /^(\S+) (stdout|stderr) ([FP])(?: (.*))?$/.exec(raw);
    if (!m) continue;
    const stream = m[2] as LogLine["stream"];
    let line = partial.get(stream);
    if (!line) {
      line = { time: m[1]!, stream, text: "" };
      out.push(line); // in the order lines began
    }
    line.text += m[4] ?? "";
    if (m[3] === "P") partial.set(stream, line);
    else partial.delete(stream);
  }
  return out;
}

export interface LogQuery {
  tail?: number;
  /** Only lines at or after this time (ISO or epoch seconds). */
  since?: string;
}

/** Seconds since the epoch, with fractions, of an RFC 3339 time with nanoseconds. */
export function logTime(t: string): number {
  const m = /^(.*T\d\d:\d\d:\d\d)(\.\d+)?(.*)$/.exec(t);
  if (!m) return Date.parse(t) / 1000;
  return Date.parse(m[1]! + (m[3] === "" ? "Z" : m[3])) / 1000 + Number(m[2] ?? 0);
}

export function sinceSeconds(since: string): number {
  if (/^\d+(\.\d+)?$/.test(since)) return Number(since);
  const rel = /^(\d+)(s|m|h)$/.exec(since);
  if (rel) return Date.now() / 1000 - Number(rel[1]) * { s: 1, m: 60, h: 3600 }[rel[2] as "s" | "m" | "h"];
  return logTime(since);
}

export function queryLog(lines: LogLine[], q: LogQuery): LogLine[] {
  let out = lines;
  if (q.since !== undefined) {
    const s = sinceSeconds(q.since);
    out = out.filter((l) => logTime(l.time) >= s);
  }
  if (q.tail !== undefined && q.tail >= 0) out = q.tail === 0 ? [] : out.slice(-q.tail);
  return out;
}

/** Reads the rotated files oldest first, then the live one. */
export async function readLogFiles(path: string, maxFiles: number): Promise<LogLine[]> {
  const texts: string[] = [];
  for (let i = maxFiles; i >= 1; i--) texts.push(await readFile(`${path}.${i}`, "utf8").catch(() => ""));
  texts.push(await readFile(path, "utf8").catch(() => ""));
  return parseLogText(texts.join(""));
}

/** Rotates when the live file passed maxSize; returns true when it did (conmon must reopen). */
export async function rotateIfNeeded(path: string, maxSize: number, maxFiles: number): Promise<boolean> {
  const st = await stat(path).catch(() => undefined);
  if (!st || st.size < maxSize) return false;
  if (maxFiles <= 0) return false;
  await rm(`${path}.${maxFiles}`, { force: true });
  for (let i = maxFiles - 1; i >= 1; i--) await rename(`${path}.${i}`, `${path}.${i + 1}`).catch(() => undefined);
  await rename(path, `${path}.1`);
  return true;
}

export function formatLogLine(l: LogLine, timestamps: boolean): string {
  return timestamps ? `${l.time} ${l.text}\n` : `${l.text}\n`;
}
