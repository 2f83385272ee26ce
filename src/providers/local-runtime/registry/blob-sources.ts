/**
 * Remembers which repositories of which registry hold a blob (pulled from, or pushed to), so that
 * a later push to another repository of the same registry mounts it instead of uploading it.
 * A lost update (two pulls at once) only costs one upload later, so no lock is taken.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeJsonAtomic } from "../host/atomic-write.js";
import type { ImageStore } from "../image/image-store.js";

type SourcesFile = Record<string, string[]>;

function sourcesPath(store: ImageStore): string {
  return join(store.layout.imagesDir, "blob-sources.json");
}

async function readSources(store: ImageStore): Promise<SourcesFile> {
  try {
    return JSON.parse(await readFile(sourcesPath(store), "utf8")) as SourcesFile;
  } catch {
    return {};
  }
}

/** Records `host/repo` as a holder of each digest. */
export async function rememberBlobSources(store: ImageStore, host: string, repo: string, digests: readonly string[]): Promise<void> {
  const file = await readSources(store);
  const where = `${host}/${repo}`;
  let changed = false;
  for (const d of digests) {
    const list = file[d] ?? [];
    if (!list.includes(where)) {
      // Newest first, bounded: one blob shared by many repositories needs only a few candidates.
      file[d] = [where, ...list].slice(0, 8);
      changed = true;
    }
  }
  if (changed) await writeJsonAtomic(sourcesPath(store), file);
}

/** Repositories of `host` (other than `repo`) known to hold `digest`, newest first. */
export async function mountCandidates(store: ImageStore, host: string, repo: string, digest: string): Promise<string[]> {
  const file = await readSources(store);
  const prefix = `${host}/`;
  return (file[digest] ?? []).filter((w) => w.startsWith(prefix) && w.slice(prefix.length) !== repo).map((w) => w.slice(prefix.length));
}
