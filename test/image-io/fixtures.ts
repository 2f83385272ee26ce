/** Builders for image archives in memory, and a throwaway image store per test. */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { sha256 } from "../../src/providers/local-runtime/image/digest.js";
import { ImageStore } from "../../src/providers/local-runtime/image/image-store.js";
import { MEDIA, type Descriptor } from "../../src/providers/local-runtime/image/image-types.js";
import { layoutIndex, layoutMarker, blobPath, type LayoutFile } from "../../src/providers/local-runtime/image/oci-layout.js";
import { tarEntry, type TarEntry } from "../../src/providers/local-runtime/image/tar-entry.js";
import { writeTar } from "../../src/providers/local-runtime/image/tar-writer.js";
import { resolveLayout } from "../../src/providers/local-runtime/layout.js";

export async function storeIn(dir: string): Promise<ImageStore> {
  const s = new ImageStore(resolveLayout({ root: join(dir, "root"), run: join(dir, "run") }));
  await s.init();
  return s;
}

/** Blob file names and the name index: what "nothing stored" is checked against. */
export async function storeSnapshot(s: ImageStore): Promise<{ blobs: string[]; index: string }> {
  const blobs = (await readdir(s.layout.blobsDir)).sort();
  const index = await readFile(s.layout.imageIndexFile, "utf8").catch(() => "");
  return { blobs, index };
}

export interface BuiltImage {
  manifest: Descriptor;
  manifestBytes: Buffer;
  config: Buffer;
  layers: Array<{ desc: Descriptor; bytes: Buffer; tar: Buffer }>;
  blobs: LayoutFile[];
}

/** An image of the given layer entry lists (gzip'd when asked), OCI types. */
export function buildImage(layers: TarEntry[][], opts: { gzip?: boolean; cmd?: string[] } = {}): BuiltImage {
  const built = layers.map((entries) => {
    const tar = writeTar(entries);
    const bytes = opts.gzip ? gzipSync(tar) : tar;
    return { tar, bytes, desc: { mediaType: opts.gzip ? MEDIA.ociLayerGzip : MEDIA.ociLayer, digest: sha256(bytes), size: bytes.length } };
  });
  const config = Buffer.from(JSON.stringify({
    architecture: "amd64", os: "linux", config: { Cmd: opts.cmd ?? ["sh"] },
    rootfs: { type: "layers", diff_ids: built.map((l) => sha256(l.tar)) },
  }));
  const manifestBytes = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: MEDIA.ociManifest,
    config: { mediaType: MEDIA.ociConfig, digest: sha256(config), size: config.length },
    layers: built.map((l) => l.desc),
  }));
  const manifest = { mediaType: MEDIA.ociManifest, digest: sha256(manifestBytes), size: manifestBytes.length };
  const blobs: LayoutFile[] = [
    { path: blobPath(manifest.digest), data: manifestBytes },
    { path: blobPath(sha256(config)), data: config },
    ...built.map((l) => ({ path: blobPath(l.desc.digest), data: l.bytes })),
  ];
  return { manifest, manifestBytes, config, layers: built, blobs };
}

export function simpleLayer(name = "hello", content = "hi\n"): TarEntry[] {
  return [tarEntry("etc", "dir"), tarEntry(`etc/${name}`, "file", { data: Buffer.from(content) })];
}

/** An OCI layout's files for these images, each under the given names. */
export function layoutFiles(images: Array<{ img: BuiltImage; names: string[] }>): LayoutFile[] {
  const seen = new Set<string>();
  const blobs = images.flatMap(({ img }) => img.blobs).filter((b) => (seen.has(b.path) ? false : (seen.add(b.path), true)));
  return [
    ...blobs,
    { path: "oci-layout", data: layoutMarker() },
    { path: "index.json", data: layoutIndex(images.map(({ img, names }) => ({ manifest: img.manifest, names }))) },
  ];
}

/** A tar of raw entries (paths as given, nothing checked): for archives that must be refused. */
export function rawTar(files: Array<{ path: string; data?: Uint8Array | string; type?: TarEntry["type"]; linkname?: string }>): Buffer {
  return writeTar(files.map((f) => tarEntry(f.path, f.type ?? "file", {
    ...(f.data !== undefined ? { data: typeof f.data === "string" ? Buffer.from(f.data) : f.data } : {}),
    ...(f.linkname !== undefined ? { linkname: f.linkname } : {}),
  })));
}
