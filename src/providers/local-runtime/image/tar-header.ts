/**
 * The tar format itself, pure and shared by the in-memory and the streaming reader: ustar header
 * blocks, PAX extended headers (path, linkpath, size, uid, gid, mtime, xattrs), GNU long names,
 * and the limits that bound what a header may ask for (record sizes, path length and depth,
 * entry count, declared sizes).
 */
import { runtimeError } from "../runtime-error.js";
import type { TarEntryType, TarHeader } from "./tar-entry.js";
import { limitError, type TarLimits } from "./tar-limits.js";

export const BLOCK = 512;

/** What a header block asks of its reader. */
export type HeaderStep =
  | { kind: "end" }
  /** A PAX or long-name record: read `size` bytes, hand them to `meta`. */
  | { kind: "meta"; type: MetaType; size: number }
  /** A member: `size` bytes of data follow its header. */
  | { kind: "entry"; header: TarHeader };

type MetaType = "x" | "g" | "L" | "K";

/** The data of a `size`-byte member, padded to whole blocks. */
export function paddedSize(size: number): number {
  return Math.ceil(size / BLOCK) * BLOCK;
}

export function corrupt(why: string): Error {
  return runtimeError("Invalid", "TAR_CORRUPT", `the tar archive is corrupt: ${why}`, "the layer is damaged or was not written by a tar program; nothing outside the layer was written");
}

function str(buf: Uint8Array, off: number, len: number): string {
  let end = off;
  while (end < off + len && buf[end] !== 0) end++;
  return Buffer.from(buf.subarray(off, end)).toString("utf8");
}

function num(buf: Uint8Array, off: number, len: number, field: string, at: number): number {
  let v: number;
  // GNU base-256 for large values: high bit of the first byte set.
  if ((buf[off]! & 0x80) !== 0) {
    v = buf[off]! & 0x7f;
    for (let i = 1; i < len; i++) v = v * 256 + buf[off + i]!;
  } else {
    const s = str(buf, off, len).trim();
    if (s !== "" && !/^[0-7]+$/.test(s)) throw corrupt(`the ${field} field of the header at offset ${at} is '${s}', not an octal number`);
    v = s === "" ? 0 : parseInt(s, 8);
  }
  if (!Number.isSafeInteger(v)) throw corrupt(`the ${field} field of the header at offset ${at} is out of range`);
  return v;
}

function paxNumber(v: string, key: string): number {
  const n = Number(v.includes(".") ? v.slice(0, v.indexOf(".")) : v);
  if (!/^-?[0-9]+(\.[0-9]*)?$/.test(v) || !Number.isSafeInteger(n)) throw corrupt(`the PAX record ${key}=${JSON.stringify(v.slice(0, 40))} is not a number`);
  return n;
}

function checksumOk(h: Uint8Array, at: number): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
  return sum === num(h, 148, 8, "checksum", at);
}

/** `LEN key=value\n` records; a length that does not fit is corruption, not a guess. */
export function parsePax(data: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  let pos = 0;
  while (pos < text.length) {
    if (text[pos] === 0) break; // NUL padding some writers leave
    const sp = text.indexOf(0x20, pos);
    if (sp < 0 || sp - pos > 20) throw corrupt("a PAX record has no length");
    const len = Number(text.subarray(pos, sp).toString("ascii"));
    if (!Number.isSafeInteger(len) || len <= sp - pos + 1 || pos + len > text.length || text[pos + len - 1] !== 0x0a) throw corrupt("a PAX record length does not match its record");
    const rec = text.subarray(sp + 1, pos + len - 1).toString("utf8");
    const eq = rec.indexOf("=");
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    pos += len;
  }
  return out;
}

const TYPES: Record<string, TarEntryType> = {
  "0": "file", "\0": "file", "7": "file", "1": "hardlink", "2": "symlink", "3": "char", "4": "block", "5": "dir", "6": "fifo",
};
const META: ReadonlySet<string> = new Set(["x", "g", "L", "K"]);

/** Reads headers in archive order, carrying PAX and long-name records over to the member they describe. */
export class TarHeaderParser {
  private pax: Record<string, string> = {};
  private globalPax: Record<string, string> = {};
  private globalBytes = 0;
  private longName: string | undefined;
  private longLink: string | undefined;
  private entries = 0;

  constructor(private readonly limits: TarLimits) {}

  /** One 512-byte header block found at byte `at` of the archive. */
  next(h: Uint8Array, at: number): HeaderStep {
    if (h.every((b) => b === 0)) return { kind: "end" };
    if (!checksumOk(h, at)) throw corrupt(`header checksum mismatch at offset ${at}`);
    const typeflag = String.fromCharCode(h[156]!);
    if (META.has(typeflag)) {
      const size = num(h, 124, 12, "size", at);
      if (size > this.limits.maxHeaderBytes) throw limitError("maxHeaderBytes", "TAR_HEADER_TOO_LARGE", `a ${typeflag === "L" || typeflag === "K" ? "GNU long-name" : "PAX"} record at offset ${at} is ${size} bytes`, this.limits);
      return { kind: "meta", type: typeflag as MetaType, size };
    }
    const type = TYPES[typeflag];
    if (type === undefined) throw runtimeError("Invalid", "TAR_UNSUPPORTED", `tar entry type '${typeflag}' at offset ${at} is not supported`, "layers hold files, directories, links, fifos and (trusted) devices only");
    const merged = { ...this.globalPax, ...this.pax };
    const prefix = str(h, 345, 155);
    const name = str(h, 0, 100);
    let path = this.longName ?? merged.path ?? (prefix ? `${prefix}/${name}` : name);
    const linkname = this.longLink ?? merged.linkpath ?? str(h, 157, 100);
    const size = merged.size !== undefined ? paxNumber(merged.size, "size") : num(h, 124, 12, "size", at);
    if (size < 0) throw corrupt(`entry '${path}' declares a negative size`);
    if (size > this.limits.maxLayerBytes) throw limitError("maxLayerBytes", "TAR_LAYER_TOO_LARGE", `entry '${path.slice(0, 200)}' declares ${size} bytes`, this.limits);
    if (++this.entries > this.limits.maxEntries) throw limitError("maxEntries", "TAR_TOO_MANY_ENTRIES", `the layer has more than ${this.limits.maxEntries} entries`, this.limits);
    this.checkPath(path, "path");
    if (type === "hardlink" || type === "symlink") this.checkPath(linkname, "link target");
    const xattrs: Record<string, string> = {};
    for (const [k, v] of Object.entries(merged)) if (k.startsWith("SCHILY.xattr.")) xattrs[k.slice(13)] = v;
    if (type === "dir" && path.endsWith("/") && path.length > 1) path = path.replace(/\/+$/, "");
    const header: TarHeader = {
      path,
      type,
      mode: num(h, 100, 8, "mode", at) & 0o7777,
      uid: merged.uid !== undefined ? paxNumber(merged.uid, "uid") : num(h, 108, 8, "uid", at),
      gid: merged.gid !== undefined ? paxNumber(merged.gid, "gid") : num(h, 116, 8, "gid", at),
      mtime: merged.mtime !== undefined ? paxNumber(merged.mtime, "mtime") : num(h, 136, 12, "mtime", at),
      linkname,
      devmajor: type === "char" || type === "block" ? num(h, 329, 8, "devmajor", at) : 0,
      devminor: type === "char" || type === "block" ? num(h, 337, 8, "devminor", at) : 0,
      xattrs,
      size,
    };
    for (const id of ["uid", "gid"] as const) {
      // (uid_t)-1 means "unchanged" to chown; beyond it no id exists.
      if (header[id] < 0 || header[id] > 0xfffffffe) throw corrupt(`entry '${path.slice(0, 200)}' has the ${id} ${header[id]}`);
    }
    this.pax = {};
    this.longName = undefined;
    this.longLink = undefined;
    return { kind: "entry", header };
  }

  /** The data of the record `next` announced. */
  meta(type: MetaType, data: Uint8Array): void {
    if (type === "x") this.pax = parsePax(data);
    else if (type === "L") this.longName = str(data, 0, data.length);
    else if (type === "K") this.longLink = str(data, 0, data.length);
    else {
      // Global records accumulate for the rest of the archive: bounded as a whole.
      this.globalBytes += data.length;
      if (this.globalBytes > this.limits.maxHeaderBytes) throw limitError("maxHeaderBytes", "TAR_HEADER_TOO_LARGE", `the global PAX records add up to ${this.globalBytes} bytes`, this.limits);
      this.globalPax = { ...this.globalPax, ...parsePax(data) };
    }
  }

  private checkPath(p: string, what: string): void {
    const bytes = Buffer.byteLength(p);
    if (bytes > this.limits.maxPathBytes) throw limitError("maxPathBytes", "TAR_PATH_TOO_LONG", `the ${what} of entry '${p.slice(0, 120)}…' is ${bytes} bytes`, this.limits);
    if (what !== "path") return;
    let depth = 0;
    for (const part of p.split("/")) if (part !== "" && part !== ".") depth++;
    if (depth > this.limits.maxPathDepth) throw limitError("maxPathDepth", "TAR_PATH_TOO_DEEP", `entry '${p.slice(0, 120)}…' is ${depth} directories deep`, this.limits);
  }
}
