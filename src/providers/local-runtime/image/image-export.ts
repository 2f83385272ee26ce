/**
 * `image export` / `save`: the named images as an OCI layout (directory or tar) or as a
 * docker save archive in Docker ≥ 25's form (the OCI layout plus Docker's `manifest.json`).
 * Blobs are written as their exact stored bytes, so digests survive the round trip.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readdir, rename, rm, rmdir, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { writeFileAtomic } from "../host/atomic-write.js";
import { sha256 } from "./digest.js";
import { DOCKER_MANIFEST_FILE, dockerManifestJson } from "./docker-archive.js";
import { SCRATCH, type ImageStore } from "./image-store.js";
import { imageIoError } from "./image-io-error.js";
import { normalizeImageName } from "./image-ref.js";
import type { Descriptor, ImageRecord } from "./image-types.js";
import { MEDIA } from "./image-types.js";
import { OCI_INDEX_FILE, OCI_LAYOUT_FILE, blobPath, layoutIndex, layoutMarker, type LayoutFile } from "./oci-layout.js";
import { tarEntry, type TarEntry } from "./tar-entry.js";
import { writeTar } from "./tar-writer.js";

export type ExportFormat = "oci" | "docker";

export interface ExportImage {
  record: ImageRecord;
  /** The names the export gives it: the one the user asked by, none when asked by id. */
  names: string[];
}

/** Resolves each reference; an image asked for twice (two names) is exported once with both. */
export async function collectExportImages(store: ImageStore, refs: readonly string[]): Promise<ExportImage[]> {
  const out: ExportImage[] = [];
  for (const ref of refs) {
    const record = await store.mustResolve(ref);
    if (record.names.includes(SCRATCH)) {
      throw imageIoError("Invalid", "EXPORT_SCRATCH", "scratch cannot be exported: it is built in and has no stored manifest", "export an image built FROM scratch instead");
    }
    let asked: string | undefined;
    try {
      asked = normalizeImageName(ref);
    } catch {
      asked = undefined;
    }
    const names = asked !== undefined && record.names.includes(asked) ? [asked] : [];
    const seen = out.find((e) => e.record.digest === record.digest);
    if (seen === undefined) out.push({ record, names });
    else for (const n of names) if (!seen.names.includes(n)) seen.names.push(n);
  }
  return out;
}

/** Every file of the export, blobs checked against their digests. */
export async function exportLayoutFiles(store: ImageStore, images: readonly ExportImage[], format: ExportFormat): Promise<LayoutFile[]> {
  const blobs = new Map<string, Uint8Array>();
  const take = async (d: Descriptor) => {
    if (blobs.has(d.digest)) return;
    const data = await store.getBlob(d.digest);
    // A damaged store must not produce an archive that only fails on the other side.
    if (sha256(data) !== d.digest || data.length !== d.size) {
      throw imageIoError("Internal", "STORE_CORRUPT", `blob ${d.digest} in the local store does not match its digest or size`, "remove the image and pull, build or import it again");
    }
    blobs.set(d.digest, data);
  };
  const manifests: Descriptor[] = [];
  for (const { record } of images) {
    const bytes = await store.getBlob(record.digest);
    const desc: Descriptor = { mediaType: record.manifest.mediaType ?? MEDIA.ociManifest, digest: record.digest, size: bytes.length };
    manifests.push(desc);
    await take(desc);
    await take(record.manifest.config);
    for (const l of record.manifest.layers) await take(l);
  }
  const files: LayoutFile[] = [...blobs].map(([d, data]) => ({ path: blobPath(d), data }));
  files.push({ path: OCI_LAYOUT_FILE, data: layoutMarker() });
  files.push({ path: OCI_INDEX_FILE, data: layoutIndex(images.map((img, i) => ({ manifest: manifests[i]!, names: img.names }))) });
  if (format === "docker") {
    files.push({ path: DOCKER_MANIFEST_FILE, data: dockerManifestJson(images.map((img) => ({ config: img.record.manifest.config, layers: img.record.manifest.layers, names: img.names }))) });
  }
  return files;
}

/** The files as one tar: fixed owner, mode and time, so the same images give the same bytes. Pure. */
export function layoutTar(files: readonly LayoutFile[]): Buffer {
  const dirs = new Set<string>();
  for (const f of files) {
    const parts = f.path.split("/");
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join("/"));
  }
  const entries: TarEntry[] = [...[...dirs].sort().map((d) => tarEntry(d, "dir")), ...files.map((f) => tarEntry(f.path, "file", { data: f.data }))];
  return writeTar(entries);
}

/** Writes a layout directory: built beside `dir` and renamed into place; `dir` must be absent or empty. */
export async function writeLayoutDir(dir: string, files: readonly LayoutFile[]): Promise<void> {
  const st = await stat(dir).catch(() => undefined);
  if (st !== undefined && (!st.isDirectory() || (await readdir(dir)).length > 0)) {
    throw imageIoError("AlreadyExists", "EXPORT_TARGET_EXISTS", `${dir} already exists and is not an empty directory`, "name a new directory, or remove this one first");
  }
  await mkdir(dirname(dir), { recursive: true });
  const tmp = `${dir}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    for (const f of files) {
      await mkdir(dirname(join(tmp, f.path)), { recursive: true });
      await writeFile(join(tmp, f.path), f.data, { mode: 0o644 });
    }
    if (st !== undefined) await rmdir(dir);
    await rename(tmp, dir);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
}

export interface ExportOptions {
  format: ExportFormat;
  /** A directory (OCI only) or a tar file; `.tar.gz` / `.tgz` are gzip'd. */
  output: string;
  /** Force a directory (true) or a tar (false); by default docker is a tar, and oci a tar when the name ends in .tar, .tar.gz or .tgz. */
  directory?: boolean;
}

export interface ExportResult {
  images: Array<{ digest: string; names: string[] }>;
  kind: "directory" | "tar";
  bytes: number;
}

export function isTarName(path: string): boolean {
  return /\.(tar|tar\.gz|tgz)$/.test(path);
}

export async function exportImages(store: ImageStore, refs: readonly string[], opts: ExportOptions): Promise<ExportResult> {
  const images = await collectExportImages(store, refs);
  const files = await exportLayoutFiles(store, images, opts.format);
  const summary = images.map((i) => ({ digest: i.record.digest, names: i.names }));
  const asDir = opts.directory ?? (opts.format === "oci" && !isTarName(opts.output));
  if (asDir) {
    if (opts.format === "docker") throw imageIoError("Invalid", "EXPORT_FORMAT", `a docker save archive is one tar file, not the directory ${opts.output}`, "write it to FILE.tar, or use --format oci for a directory");
    await writeLayoutDir(opts.output, files);
    return { images: summary, kind: "directory", bytes: files.reduce((n, f) => n + f.data.length, 0) };
  }
  const tar = exportArchiveBytes(files, /\.(tar\.gz|tgz)$/.test(opts.output));
  await writeFileAtomic(opts.output, tar, 0o644);
  return { images: summary, kind: "tar", bytes: tar.length };
}

/** The tar (gzip'd on request) an export writes, for a file or for stdout. */
export function exportArchiveBytes(files: readonly LayoutFile[], gzip: boolean): Buffer {
  const tar = layoutTar(files);
  return gzip ? gzipSync(tar) : tar;
}
