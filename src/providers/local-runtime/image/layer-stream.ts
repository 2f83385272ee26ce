/**
 * A stored layer (tar, or gzip of a tar: told by its magic bytes) as a stream of its uncompressed
 * bytes, decompressed as they are read, hashed (the layer's diff_id) and counted against the
 * layer's size limit as they pass: a gzip bomb stops at the limit, not in memory.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { Readable, pipeline } from "node:stream";
import { createGunzip } from "node:zlib";
import { corrupt } from "./tar-header.js";
import { limitError, type TarLimits } from "./tar-limits.js";

export interface LayerStream {
  /** The uncompressed bytes; read them once. */
  bytes: AsyncIterable<Buffer>;
  /** sha256 of every uncompressed byte read so far (the diff_id once `bytes` is read to its end). */
  diffId(): string;
  /** Uncompressed bytes read so far. */
  size(): number;
}

/** Chunks fed to zlib at a time: it inflates one input chunk without waiting for the reader. */
const FEED = 16 * 1024;
/** Uncompressed bytes per chunk: fewer, larger writes (a thread-pool round trip each), still bounded. */
const OUT_CHUNK = 128 * 1024;

async function* sliced(source: AsyncIterable<Uint8Array> | Uint8Array): AsyncGenerator<Buffer> {
  if (source instanceof Uint8Array) {
    for (let i = 0; i < source.length; i += FEED) yield Buffer.from(source.buffer, source.byteOffset + i, Math.min(FEED, source.length - i));
    return;
  }
  for await (const c of source) {
    for (let i = 0; i < c.length; i += FEED) yield Buffer.from(c.buffer, c.byteOffset + i, Math.min(FEED, c.length - i));
  }
}

function isZlibError(e: unknown): e is Error & { code: string } {
  const code = (e as { code?: unknown }).code;
  return typeof code === "string" && code.startsWith("Z_");
}

async function* uncompressed(source: AsyncIterable<Uint8Array> | Uint8Array): AsyncGenerator<Buffer> {
  const it = sliced(source)[Symbol.asyncIterator]();
  let head: Buffer = Buffer.alloc(0);
  let ended = false;
  while (head.length < 2 && !ended) {
    const r = await it.next();
    if (r.done === true) ended = true;
    else head = head.length === 0 ? r.value : Buffer.concat([head, r.value]);
  }
  const all = (async function* () {
    if (head.length > 0) yield head;
    for (let r = ended ? undefined : await it.next(); r !== undefined && r.done !== true; r = await it.next()) yield r.value;
  })();
  if (!(head[0] === 0x1f && head[1] === 0x8b)) {
    yield* all;
    return;
  }
  const gunzip = pipeline(Readable.from(all, { objectMode: false, highWaterMark: FEED }), createGunzip({ chunkSize: OUT_CHUNK }), () => undefined);
  try {
    for await (const c of gunzip) yield c as Buffer;
  } catch (e) {
    if (isZlibError(e)) throw corrupt(`the layer is not a valid gzip stream (${e.message})`);
    throw e;
  } finally {
    gunzip.destroy();
  }
}

/** The layer held in `source` (bytes in memory, or a stream of them), uncompressed as it is read. */
export function layerStream(source: AsyncIterable<Uint8Array> | Uint8Array, limits: TarLimits): LayerStream {
  const hash = createHash("sha256");
  let size = 0;
  const bytes = (async function* () {
    for await (const c of uncompressed(source)) {
      size += c.length;
      if (size > limits.maxLayerBytes) throw limitError("maxLayerBytes", "TAR_LAYER_TOO_LARGE", `the layer uncompresses to more than ${limits.maxLayerBytes} bytes`, limits);
      hash.update(c);
      yield c;
    }
  })();
  return {
    bytes,
    diffId: () => `sha256:${hash.copy().digest("hex")}`,
    size: () => size,
  };
}

/** The layer stored in the file at `path`. */
export function layerFile(path: string, limits: TarLimits): LayerStream {
  return layerStream(createReadStream(path, { highWaterMark: 64 * 1024 }), limits);
}
