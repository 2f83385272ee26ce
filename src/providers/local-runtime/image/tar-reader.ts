/**
 * Reads a tar archive that is already in memory (an image archive's outer tar, a build's ADD
 * source, a build step's diff). Layers are unpacked with the streaming reader (tar-stream-reader)
 * instead; both share the format and its limits (tar-header).
 */
import { runtimeError } from "../runtime-error.js";
import type { TarEntry } from "./tar-entry.js";
import { BLOCK, TarHeaderParser, paddedSize } from "./tar-header.js";
import { DEFAULT_TAR_LIMITS, type TarLimits } from "./tar-limits.js";

export function truncated(what: string, at: number): Error {
  return runtimeError("Invalid", "TAR_TRUNCATED", `the tar archive ends in the middle of ${what} (offset ${at})`, "the archive is incomplete: download, save or export it again; nothing outside the layer was written");
}

/** Every entry of an uncompressed tar archive, in order; file entries carry their data. */
export function* readTar(buf: Uint8Array, limits: TarLimits = DEFAULT_TAR_LIMITS): Generator<TarEntry> {
  const parser = new TarHeaderParser(limits);
  let off = 0;
  while (off < buf.length) {
    if (off + BLOCK > buf.length) throw truncated("a header", off);
    const step = parser.next(buf.subarray(off, off + BLOCK), off);
    if (step.kind === "end") return;
    const size = step.kind === "meta" ? step.size : step.header.size;
    const start = off + BLOCK;
    if (start + size > buf.length) throw truncated(step.kind === "meta" ? "a PAX or long-name record" : `entry '${step.header.path}'`, off);
    const data = buf.subarray(start, start + size);
    off = start + paddedSize(size);
    if (step.kind === "meta") {
      parser.meta(step.type, data);
      continue;
    }
    const { size: _size, ...entry } = step.header;
    yield step.header.type === "file" ? { ...entry, data } : entry;
  }
}
