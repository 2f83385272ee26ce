/**
 * A small tar reader over a whole archive in memory: ustar, PAX extended headers (path,
 * linkpath, size, xattrs) and GNU long names. Layers here are small enough to hold in memory.
 */
import { runtimeError } from "../runtime-error.js";
import type { TarEntry, TarEntryType } from "./tar-entry.js";

const BLOCK = 512;

function str(buf: Uint8Array, off: number, len: number): string {
  let end = off;
  while (end < off + len && buf[end] !== 0) end++;
  return Buffer.from(buf.subarray(off, end)).toString("utf8");
}

function num(buf: Uint8Array, off: number, len: number): number {
  // GNU base-256 for large values: high bit of the first byte set.
  if ((buf[off]! & 0x80) !== 0) {
    let v = buf[off]! & 0x7f;
    for (let i = 1; i < len; i++) v = v * 256 + buf[off + i]!;
    return v;
  }
  const s = str(buf, off, len).trim();
  return s === "" ? 0 : parseInt(s, 8);
}

function checksumOk(h: Uint8Array): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
  return sum === num(h, 148, 8);
}

function parsePax(data: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  const text = Buffer.from(data);
  let pos = 0;
  while (pos < text.length) {
    const sp = text.indexOf(0x20, pos);
    if (sp < 0) break;
    const len = parseInt(text.subarray(pos, sp).toString("ascii"), 10);
    if (!Number.isFinite(len) || len <= 0) throw runtimeError("Invalid", "TAR_CORRUPT", "bad PAX record length in tar archive");
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

/** Every entry of an uncompressed tar archive, in order. */
export function* readTar(buf: Uint8Array): Generator<TarEntry> {
  let off = 0;
  let pax: Record<string, string> = {};
  let globalPax: Record<string, string> = {};
  let longName: string | undefined;
  let longLink: string | undefined;
  while (off + BLOCK <= buf.length) {
    const h = buf.subarray(off, off + BLOCK);
    if (h.every((b) => b === 0)) return;
    if (!checksumOk(h)) throw runtimeError("Invalid", "TAR_CORRUPT", `tar header checksum mismatch at offset ${off}`);
    const typeflag = String.fromCharCode(h[156]!);
    let size = num(h, 124, 12);
    const merged = { ...globalPax, ...pax };
    if (merged.size !== undefined && typeflag !== "x" && typeflag !== "g") size = parseInt(merged.size, 10);
    const dataStart = off + BLOCK;
    if (dataStart + size > buf.length) throw runtimeError("Invalid", "TAR_CORRUPT", `tar entry at offset ${off} runs past the end of the archive`);
    const data = buf.subarray(dataStart, dataStart + size);
    off = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    if (typeflag === "x") { pax = parsePax(data); continue; }
    if (typeflag === "g") { globalPax = { ...globalPax, ...parsePax(data) }; continue; }
    if (typeflag === "L") { longName = str(data, 0, data.length); continue; }
    if (typeflag === "K") { longLink = str(data, 0, data.length); continue; }
    const type = TYPES[typeflag];
    if (type === undefined) throw runtimeError("Invalid", "TAR_UNSUPPORTED", `tar entry type '${typeflag}' is not supported`);
    const prefix = str(h, 345, 155);
    const name = str(h, 0, 100);
    let path = longName ?? merged.path ?? (prefix ? `${prefix}/${name}` : name);
    const linkname = longLink ?? merged.linkpath ?? str(h, 157, 100);
    const xattrs: Record<string, string> = {};
    for (const [k, v] of Object.entries(merged)) if (k.startsWith("SCHILY.xattr.")) xattrs[k.slice(13)] = v;
    if (type === "dir" && path.endsWith("/") && path.length > 1) path = path.replace(/\/+$/, "");
    const entry: TarEntry = {
      path,
      type,
      mode: num(h, 100, 8) & 0o7777,
      uid: merged.uid !== undefined ? parseInt(merged.uid, 10) : num(h, 108, 8),
      gid: merged.gid !== undefined ? parseInt(merged.gid, 10) : num(h, 116, 8),
      mtime: merged.mtime !== undefined ? Math.floor(parseFloat(merged.mtime)) : num(h, 136, 12),
      linkname,
      devmajor: num(h, 329, 8),
      devminor: num(h, 337, 8),
      xattrs,
    };
    if (type === "file") entry.data = data;
    pax = {};
    longName = undefined;
    longLink = undefined;
    yield entry;
  }
}
