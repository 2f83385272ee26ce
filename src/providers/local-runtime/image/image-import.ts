/**
 * `image import` / `load`: reads and verifies a whole archive first (read-image-archive), then
 * stores blobs, then manifests, then names. A failure before the names are written removes the
 * blobs this import added, so a refused archive leaves the store as it was.
 */
import { rm, stat } from "node:fs/promises";
import type { ImageStore } from "./image-store.js";
import { openArchive, tarArchiveSource, type ArchiveSource } from "./archive-source.js";
import { imageIoError } from "./image-io-error.js";
import { normalizeImageName } from "./image-ref.js";
import { readImageArchive, repoFromPath, type ArchiveImage, type ReadArchiveOptions } from "./read-image-archive.js";

export interface ImportOptions extends ReadArchiveOptions {
  /** Names for the one image of the archive, instead of those it carries. */
  tags?: readonly string[];
}

export interface ImportedImage {
  /** Manifest digest. */
  digest: string;
  /** Config digest (the image id). */
  id: string;
  names: string[];
  format: ArchiveImage["format"];
}

export interface ImportResult {
  images: ImportedImage[];
  /** Blobs written by this import (the others were already in the store). */
  newBlobs: number;
}

/** Imports a tar file (gzip'd or not) or an OCI layout directory. */
export async function importImageArchive(store: ImageStore, path: string, opts: ImportOptions = {}): Promise<ImportResult> {
  return importFromSource(store, await openArchive(path), opts);
}

/** Imports an archive held in memory (`infra load` from stdin); `name` is used in messages and for untagged images. */
export async function importImageBytes(store: ImageStore, name: string, bytes: Uint8Array, opts: ImportOptions = {}): Promise<ImportResult> {
  return importFromSource(store, tarArchiveSource(name, bytes), opts);
}

/** The names each image gets: `tags` for a single image, else its own, else `localhost/<file>@<digest>`. Pure. */
export function assignNames(images: readonly ArchiveImage[], source: string, tags: readonly string[] | undefined): string[][] {
  if (tags !== undefined && tags.length > 0) {
    if (images.length !== 1) {
      throw imageIoError("Invalid", "TAG_AMBIGUOUS", `${source} holds ${images.length} images; --tag names exactly one`, "import without --tag, then `infra tag` the one you want");
    }
    return [[...new Set(tags.map((t) => normalizeImageName(t)))]];
  }
  return images.map((img) => (img.names.length > 0 ? img.names : [`localhost/${repoFromPath(source)}@${img.manifestDigest}`]));
}

export async function importFromSource(store: ImageStore, src: ArchiveSource, opts: ImportOptions = {}): Promise<ImportResult> {
  const images = await readImageArchive(src, { ...opts, limits: opts.limits ?? store.limits });
  const names = assignNames(images, src.name, opts.tags);
  const written: string[] = [];
  try {
    const blobs = new Map<string, Buffer>();
    for (const img of images) {
      for (const [d, b] of img.blobs) blobs.set(d, b);
      blobs.set(img.manifestDigest, img.manifestBytes);
    }
    for (const [digest, data] of blobs) {
      if (await exists(store.blobPath(digest))) continue;
      written.push(digest);
      await store.putBlob(data);
    }
  } catch (e) {
    // Nothing names these blobs yet: removing them restores the store.
    for (const d of written) await rm(store.blobPath(d), { force: true });
    throw e;
  }
  const out: ImportedImage[] = [];
  for (const [i, img] of images.entries()) {
    const rec = await store.addManifestBytes(img.manifestBytes, names[i]!);
    out.push({ digest: rec.digest, id: rec.id, names: rec.names, format: img.format });
  }
  return { images: out, newBlobs: written.length };
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(() => true, () => false);
}
