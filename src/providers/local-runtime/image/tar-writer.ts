/**
 * A small deterministic tar writer (ustar, with PAX records for long names and xattrs).
 * Same entries in, same bytes out: the built-in image's digest depends on it.
 */
import type { TarEntry } from "./tar-entry.js";

const BLOCK = 512;
const TYPEFLAG: Record<TarEntry["type"], string> = {
  file: "0", hardlink: "1", symlink: "2", char: "3", block: "4", dir: "5", fifo: "6",
};

function put(h: Buffer, off: number, len: number, s: string): void {
  h.write(s, off, len, "utf8");
}

function oct(h: Buffer, off: number, len: number, v: number): void {
  put(h, off, len, v.toString(8).padStart(len - 1, "0") + "\0");
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  return `${len}${body}`;
}

function header(name: string, type: string, size: number, e: Pick<TarEntry, "mode" | "uid" | "gid" | "mtime" | "linkname" | "devmajor" | "devminor">): Buffer {
  const h = Buffer.alloc(BLOCK);
  put(h, 0, 100, name);
  oct(h, 100, 8, e.mode & 0o7777);
  oct(h, 108, 8, e.uid);
  oct(h, 116, 8, e.gid);
  oct(h, 124, 12, size);
  oct(h, 136, 12, e.mtime);
  h.fill(32, 148, 156);
  put(h, 156, 1, type);
  put(h, 157, 100, e.linkname);
  put(h, 257, 6, "ustar\0");
  put(h, 263, 2, "00");
  put(h, 265, 32, "root");
  put(h, 297, 32, "root");
  oct(h, 329, 8, e.devmajor);
  oct(h, 337, 8, e.devminor);
  let sum = 0;
  for (const b of h) sum += b;
  put(h, 148, 8, sum.toString(8).padStart(6, "0") + "\0 ");
  return h;
}

function pad(len: number): Buffer {
  return Buffer.alloc((BLOCK - (len % BLOCK)) % BLOCK);
}

/** Serialises entries, in the order given, into one tar archive. */
export function writeTar(entries: Iterable<TarEntry>): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const name = e.type === "dir" && !e.path.endsWith("/") ? `${e.path}/` : e.path;
    const records: string[] = [];
    if (Buffer.byteLength(name) > 100) records.push(paxRecord("path", name));
    if (Buffer.byteLength(e.linkname) > 100) records.push(paxRecord("linkpath", e.linkname));
    for (const k of Object.keys(e.xattrs).sort()) records.push(paxRecord(`SCHILY.xattr.${k}`, e.xattrs[k]!));
    if (records.length > 0) {
      const body = Buffer.from(records.join(""));
      parts.push(header("PaxHeader", "x", body.length, { ...e, linkname: "" }), body, pad(body.length));
    }
    const size = e.type === "file" ? (e.data?.length ?? 0) : 0;
    parts.push(header(name.slice(0, 100), TYPEFLAG[e.type], size, { ...e, linkname: e.linkname.slice(0, 100) }));
    if (size > 0) parts.push(Buffer.from(e.data!), pad(size));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}
