/**
 * Checks a layer at import, streaming (never the uncompressed layer in memory): its diff_id against
 * the config, every path (`..`, absolute paths, hardlinks out of the root) and the layer limits,
 * so that a malicious image is never stored. Unpacking checks again, symlinks too.
 */
import { isProviderError } from "../../contract.js";
import { imageIoError } from "./image-io-error.js";
import { safeComponents } from "./layer-paths.js";
import { layerStream } from "./layer-stream.js";
import type { TarLimits } from "./tar-limits.js";
import { readTarStream } from "./tar-stream-reader.js";

const DAMAGED: ReadonlySet<string> = new Set(["INFRA_RUNTIME_TAR_CORRUPT", "INFRA_RUNTIME_TAR_TRUNCATED", "INFRA_RUNTIME_TAR_UNSUPPORTED"]);

/** The layer's diff_id, once every entry of `stored` (a tar or gzip'd tar) has passed; its entry count. */
export async function verifyLayer(where: string, what: string, stored: Uint8Array, expectedDiffId: unknown, limits: TarLimits): Promise<number> {
  const layer = layerStream(stored, limits);
  let n = 0;
  try {
    for await (const { header } of readTarStream(layer.bytes, limits)) {
      safeComponents(header.path);
      if (header.type === "hardlink") safeComponents(header.linkname);
      n++;
    }
  } catch (e) {
    if (!isProviderError(e)) throw e;
    if (DAMAGED.has(e.code)) throw imageIoError("Invalid", "ARCHIVE_MALFORMED", `${where}: ${what} is damaged: ${e.message}`, "the archive is damaged or was not written by docker save, skopeo, umoci or infra; nothing was imported", e);
    throw imageIoError("Invalid", "LAYER_UNSAFE", `${where}: ${what}: ${e.message}`, e.code === "INFRA_RUNTIME_TAR_UNSAFE" ? "the image is malformed or malicious; nothing was imported" : `${e.hint ?? ""} Nothing was imported.`.trim(), e);
  }
  const diffId = layer.diffId();
  if (diffId !== expectedDiffId) {
    throw imageIoError("Invalid", "DIGEST_MISMATCH", `${where}: ${what} uncompresses to ${diffId}, but the config expects ${String(expectedDiffId)}`, "the archive was altered or damaged; nothing was imported");
  }
  return n;
}
