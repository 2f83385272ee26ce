/**
 * The layer cache: one small JSON file per step under the image store's root (so every stack
 * and every `infra build` on this host shares it), keyed by the parent chain, the instruction
 * after expansion and, for COPY/ADD, the hash of what is copied. An entry whose layer blob is
 * gone (image gc) is a miss.
 */
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { canonicalJson } from "../../../graph/value.js";
import { writeFileAtomic } from "../host/atomic-write.js";
import { digestHex, sha256 } from "../image/digest.js";
import type { ImageStore } from "../image/image-store.js";

export interface CachedLayer {
  digest: string;
  size: number;
  mediaType: string;
  diffId: string;
}

export interface CacheEntry {
  /** The layer the step produced; null for a step that changed no file. */
  layer: CachedLayer | null;
  /** When the step first ran: kept, so a fully cached rebuild gives the same image id. */
  created: string;
}

/** The key of a step: its parent's key and what the step does, canonicalised. Pure. */
export function stepKey(parentKey: string, step: unknown): string {
  return sha256(`${parentKey}\n${canonicalJson(step)}`);
}

export class BuildCache {
  readonly dir: string;
  constructor(readonly store: ImageStore) {
    this.dir = join(store.layout.imagesDir, "build-cache");
  }

  private file(key: string): string {
    return join(this.dir, `${digestHex(key)}.json`);
  }

  async get(key: string): Promise<CacheEntry | undefined> {
    let entry: CacheEntry;
    try {
      entry = JSON.parse(await readFile(this.file(key), "utf8")) as CacheEntry;
    } catch {
      return undefined;
    }
    if (entry.layer !== null && !(await stat(this.store.blobPath(entry.layer.digest)).then(() => true, () => false))) return undefined;
    return entry;
  }

  async put(key: string, entry: CacheEntry): Promise<void> {
    await writeFileAtomic(this.file(key), JSON.stringify(entry));
  }
}
