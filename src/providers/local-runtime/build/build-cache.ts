/**
 * The layer cache: one small JSON file per step under the image store's root (so every stack
 * and every `infra build` on this host shares it), keyed by the parent chain, the instruction
 * after expansion and, for COPY/ADD, the hash of what is copied. An entry whose layer blob is
 * gone (image gc) is a miss.
 */
import { readFile, readdir, rm, stat } from "node:fs/promises";
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

  /** Every entry file with its size; `entry` is undefined for a file that does not parse. */
  async entries(): Promise<Array<{ file: string; fileSize: number; entry: CacheEntry | undefined }>> {
    const out: Array<{ file: string; fileSize: number; entry: CacheEntry | undefined }> = [];
    for (const name of await readdir(this.dir).catch(() => [] as string[])) {
      if (!name.endsWith(".json")) continue;
      const file = join(this.dir, name);
      const text = await readFile(file, "utf8").catch(() => undefined);
      if (text === undefined) continue; // removed meanwhile
      let entry: CacheEntry | undefined;
      try {
        entry = JSON.parse(text) as CacheEntry;
      } catch {
        entry = undefined;
      }
      out.push({ file, fileSize: Buffer.byteLength(text), entry });
    }
    return out;
  }

  /** Deletes every entry (`system prune`); the layers they alone held go with the next image gc. */
  async clear(): Promise<{ entries: number; bytes: number }> {
    const all = await this.entries();
    for (const e of all) await rm(e.file, { force: true });
    return { entries: all.length, bytes: all.reduce((s, e) => s + e.fileSize, 0) };
  }
}
