/**
 * Streams a downloaded blob into the image store under its expected digest, hashing as it writes.
 * The bytes land in a temporary file beside the blobs and are renamed into place only when digest
 * and size match, so a bad or truncated download never becomes a blob.
 */
import { createHash, randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import type { ImageStore } from "../image/image-store.js";
import { digestMismatch } from "./registry-client.js";
import { registryError } from "./registry-error.js";

export async function hasLocalBlob(store: ImageStore, digest: string): Promise<boolean> {
  try {
    return (await stat(store.blobPath(digest))).isFile();
  } catch {
    return false;
  }
}

export interface StreamedBlob {
  digest: string;
  /** Expected size from the descriptor; checked when given. */
  size?: number;
  /** For error messages: `layer 2 of host/repo:tag`. */
  what: string;
  host: string;
}

export async function storeBlobStream(
  store: ImageStore,
  blob: StreamedBlob,
  body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
  onBytes?: (n: number) => void,
): Promise<void> {
  const final = store.blobPath(blob.digest);
  await mkdir(store.layout.blobsDir, { recursive: true, mode: 0o700 });
  const tmp = `${final}.${randomBytes(4).toString("hex")}.part`;
  const hash = createHash("sha256");
  let count = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      count += chunk.length;
      // Stop early: a blob larger than its descriptor is wrong whatever follows.
      if (blob.size !== undefined && count > blob.size) {
        done(registryError("Invalid", "DIGEST_MISMATCH", `${blob.what} from ${blob.host} is larger than its descriptor says (${blob.size} bytes); nothing was stored`, "the registry or a proxy altered the content; try again"));
        return;
      }
      onBytes?.(chunk.length);
      done(null, chunk);
    },
  });
  const source = isWebStream(body) ? Readable.fromWeb(body as import("node:stream/web").ReadableStream<Uint8Array>) : Readable.from(body);
  try {
    await pipeline(source, meter, createWriteStream(tmp, { mode: 0o600 }));
    const actual = `sha256:${hash.digest("hex")}`;
    if (actual !== blob.digest) throw digestMismatch(blob.what, blob.host, blob.digest, actual);
    if (blob.size !== undefined && count !== blob.size) {
      throw registryError("Invalid", "DIGEST_MISMATCH", `${blob.what} from ${blob.host} is ${count} bytes, its descriptor says ${blob.size}; nothing was stored`, "the manifest and the blob disagree; the image on the registry is corrupt");
    }
    await rename(tmp, final);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

function isWebStream(b: unknown): b is ReadableStream<Uint8Array> {
  return typeof (b as ReadableStream).getReader === "function";
}
