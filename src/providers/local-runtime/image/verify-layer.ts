/**
 * Refuses a layer whose tar names a path outside its root (`..`, absolute paths, hardlinks out),
 * at import time, so that a malicious image is never stored; unpacking checks again, symlinks too.
 */
import { isProviderError } from "../../contract.js";
import { imageIoError } from "./image-io-error.js";
import { safeComponents } from "./safe-extract.js";
import { readTar } from "./tar-reader.js";

export function verifyLayerPaths(where: string, what: string, tar: Uint8Array): number {
  let n = 0;
  try {
    for (const e of readTar(tar)) {
      safeComponents(e.path);
      if (e.type === "hardlink") safeComponents(e.linkname);
      n++;
    }
  } catch (e) {
    if (isProviderError(e)) throw imageIoError("Invalid", "LAYER_UNSAFE", `${where}: ${what}: ${e.message}`, "the image is malformed or malicious; nothing was imported", e);
    throw e;
  }
  return n;
}
