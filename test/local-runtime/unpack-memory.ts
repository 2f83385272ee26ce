/**
 * The gzip-bomb memory measurement shared by the test (unpack-memory.test.ts) and the bench
 * (bench/layer-unpack-rss.ts): an OCI layout tar whose one gzip layer uncompresses to `mb` MiB of
 * zeros, loaded and unpacked in a child process that reports its memory.
 */
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { sha256 } from "../../src/providers/local-runtime/image/digest.js";
import { layoutTar } from "../../src/providers/local-runtime/image/image-export.js";
import { MEDIA } from "../../src/providers/local-runtime/image/image-types.js";
import { blobPath, layoutIndex, layoutMarker } from "../../src/providers/local-runtime/image/oci-layout.js";
import { gzipBomb } from "./malicious-archives.js";
import type { ChildReport } from "./unpack-memory-child.js";

export const CHILD = fileURLToPath(new URL("./unpack-memory-child.ts", import.meta.url));
export const SRC = fileURLToPath(new URL("../../src/", import.meta.url));

/** Writes the bomb image as an OCI layout tar at `path`, named localhost/bomb:1. */
export async function writeBombArchive(path: string, mb: number): Promise<void> {
  const { gz, diffId } = await gzipBomb(mb * 1024 * 1024, 1); // level 1: built 3x faster, still 200:1
  const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", config: {}, rootfs: { type: "layers", diff_ids: [diffId] } }));
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: MEDIA.ociManifest,
    config: { mediaType: MEDIA.ociConfig, digest: sha256(config), size: config.length },
    layers: [{ mediaType: MEDIA.ociLayerGzip, digest: sha256(gz), size: gz.length }],
  }));
  const desc = { mediaType: MEDIA.ociManifest, digest: sha256(manifest), size: manifest.length };
  await writeFile(path, layoutTar([
    { path: blobPath(desc.digest), data: manifest }, { path: blobPath(sha256(config)), data: config }, { path: blobPath(sha256(gz)), data: gz },
    { path: "oci-layout", data: layoutMarker() }, { path: "index.json", data: layoutIndex([{ manifest: desc, names: ["localhost/bomb:1"] }]) },
  ]));
}

/** Loads and unpacks `archive` into a store under `dir` in a child process running infra from `codeRoot`. */
export async function measureUnpack(codeRoot: string, archive: string, dir: string, env: NodeJS.ProcessEnv = {}): Promise<ChildReport> {
  const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", CHILD, codeRoot, archive, join(dir, "store")], {
    env: { ...process.env, ...env },
    maxBuffer: 1024 * 1024,
  });
  return JSON.parse(stdout.trim().split("\n").pop()!) as ChildReport;
}
