/**
 * Reads every image of an archive (docker save, OCI layout dir or tar) and verifies it completely
 * before anything is stored: each blob's digest and size, the config's diff_ids against the
 * uncompressed layers, and every layer path. Writes nothing.
 */
import { basename } from "node:path";
import type { ArchiveSource } from "./archive-source.js";
import { isGzip } from "./archive-source.js";
import { sha256 } from "./digest.js";
import { DOCKER_MANIFEST_FILE, parseDockerManifest, synthesiseManifest } from "./docker-archive.js";
import { normalizeImageName } from "./image-ref.js";
import { imageIoError, malformed } from "./image-io-error.js";
import { MEDIA, type Descriptor } from "./image-types.js";
import {
  INDEX_TYPES, MANIFEST_TYPES, OCI_INDEX_FILE, OCI_LAYOUT_FILE, blobPath, checkLayoutFile, indexManifests, nameFromAnnotations,
  parseJsonObject, type IndexDescriptor,
} from "./oci-layout.js";
import { tarLimitsFromEnv, type TarLimits } from "./tar-limits.js";
import { verifyLayer } from "./verify-layer.js";

export interface ArchiveImage {
  manifestDigest: string;
  /** The manifest's exact bytes (from the archive, or synthesised for a legacy docker archive). */
  manifestBytes: Buffer;
  configDigest: string;
  /** Config and layers, verified, by digest. */
  blobs: Map<string, Buffer>;
  /** Canonical store names (may be empty: the caller decides). */
  names: string[];
  format: "oci-layout" | "docker-archive";
}

export interface ReadArchiveOptions {
  /** The platform picked from a nested index; default linux and this machine's architecture. */
  platform?: { os: string; architecture: string };
  /** Bounds on each layer; default from the environment (tar-limits). */
  limits?: TarLimits;
}

const LAYER_TYPES: ReadonlySet<string> = new Set([
  MEDIA.ociLayer, MEDIA.ociLayerGzip, MEDIA.dockerLayerGzip, "application/vnd.docker.image.rootfs.diff.tar",
]);
const CONFIG_TYPES: ReadonlySet<string> = new Set([MEDIA.ociConfig, MEDIA.dockerConfig]);
/** Nested indexes followed before giving up. */
const MAX_DEPTH = 4;

export function hostPlatform(): { os: string; architecture: string } {
  const arch: Record<string, string> = { x64: "amd64", arm64: "arm64", arm: "arm", ia32: "386", ppc64: "ppc64le", s390x: "s390x", riscv64: "riscv64" };
  return { os: "linux", architecture: arch[process.arch] ?? process.arch };
}

/** A repository name for images the archive names only by tag: the file name, made valid. Pure. */
export function repoFromPath(path: string): string {
  const base = basename(path.replace(/\/+$/, "")).toLowerCase().replace(/\.(tar\.gz|tgz|tar|oci|gz)$/, "");
  const clean = base.replace(/[^a-z0-9._-]+/g, "-").replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, "").replace(/[._-]{2,}/g, "-");
  return clean === "" ? "imported" : clean;
}

export async function readImageArchive(src: ArchiveSource, opts: ReadArchiveOptions = {}): Promise<ArchiveImage[]> {
  const where = src.name;
  const limits = opts.limits ?? tarLimitsFromEnv();
  const fallbackRepo = `localhost/${repoFromPath(where)}`;
  const indexBytes = await src.read(OCI_INDEX_FILE);
  const dockerBytes = await src.read(DOCKER_MANIFEST_FILE);
  if (indexBytes === undefined && dockerBytes === undefined) {
    throw malformed(where, `neither ${OCI_INDEX_FILE} (OCI layout) nor ${DOCKER_MANIFEST_FILE} (docker save) is in it`, "name a docker save archive, an OCI layout directory or an OCI layout tar");
  }
  const images: ArchiveImage[] = [];
  const byDigest = new Map<string, ArchiveImage>();
  const add = (img: ArchiveImage) => {
    const seen = byDigest.get(img.manifestDigest);
    if (seen === undefined) {
      byDigest.set(img.manifestDigest, img);
      images.push(img);
    } else for (const n of img.names) if (!seen.names.includes(n)) seen.names.push(n);
  };
  if (indexBytes !== undefined) {
    const marker = await src.read(OCI_LAYOUT_FILE);
    if (marker === undefined && dockerBytes === undefined) throw malformed(where, `${OCI_INDEX_FILE} is there but ${OCI_LAYOUT_FILE} is missing`);
    if (marker !== undefined) checkLayoutFile(where, marker);
    const index = parseJsonObject(where, OCI_INDEX_FILE, indexBytes);
    const entries = indexManifests(where, OCI_INDEX_FILE, index);
    if (entries.length === 0 && dockerBytes === undefined) throw malformed(where, `${OCI_INDEX_FILE} lists no images`);
    for (const desc of entries) {
      const img = await readIndexEntry(src, desc, opts.platform ?? hostPlatform(), 0, limits);
      const name = nameFromAnnotations(desc.annotations, fallbackRepo);
      img.names = name === undefined ? [] : [name];
      add(img);
    }
  }
  if (dockerBytes !== undefined) {
    const entries = parseDockerManifest(where, dockerBytes);
    if (entries.length === 0 && images.length === 0) throw malformed(where, `${DOCKER_MANIFEST_FILE} lists no images`);
    for (const [i, e] of entries.entries()) {
      const what = `image ${i + 1} of ${DOCKER_MANIFEST_FILE}`;
      const config = await mustRead(src, e.Config, `the config of ${what}`);
      const names = e.RepoTags.map((t) => normalizeImageName(t));
      // Docker ≥ 25 describes the same image in index.json too: its manifest bytes win, manifest.json names it.
      const known = images.find((img) => img.configDigest === sha256(config));
      if (known !== undefined) {
        if (names.length > 0) known.names = [...new Set(names)];
        continue;
      }
      const layers: Buffer[] = [];
      for (const [k, path] of e.Layers.entries()) layers.push(await mustRead(src, path, `layer ${k + 1} of ${what}`));
      const manifestBytes = synthesiseManifest(config, layers.map((b) => ({ bytes: b, gzip: isGzip(b) })));
      const blobs = new Map<string, Buffer>([[sha256(config), config], ...layers.map((b): [string, Buffer] => [sha256(b), b])]);
      const img = await verifyImage(where, manifestBytes, (d) => blobs.get(d.digest), "docker-archive", limits);
      img.names = [...new Set(names)];
      add(img);
    }
  }
  return images;
}

async function mustRead(src: ArchiveSource, path: string, what: string): Promise<Buffer> {
  const data = await src.read(path);
  if (data === undefined) throw imageIoError("Invalid", "BLOB_MISSING", `${src.name}: ${what} ('${path}') is not in the archive`, "the archive is incomplete; export or save the image again");
  return data;
}

/** Reads and checks one blob against its descriptor. */
async function readBlob(src: ArchiveSource, desc: Descriptor, what: string): Promise<Buffer> {
  const data = await mustRead(src, blobPath(desc.digest), `${what} ${desc.digest}`);
  checkBlob(src.name, desc, data, what);
  return data;
}

function checkBlob(where: string, desc: Descriptor, data: Uint8Array, what: string): void {
  if (data.length !== desc.size) {
    throw imageIoError("Invalid", "DIGEST_MISMATCH", `${where}: ${what} ${desc.digest} is ${data.length} bytes, its descriptor says ${desc.size}`, "the archive was altered or damaged; nothing was imported");
  }
  const actual = sha256(data);
  if (actual !== desc.digest) {
    throw imageIoError("Invalid", "DIGEST_MISMATCH", `${where}: ${what} should have the digest ${desc.digest} but has ${actual}`, "the archive was altered or damaged; nothing was imported");
  }
}

/** Follows an index entry to one image manifest: nested indexes resolve to the wanted platform. */
async function readIndexEntry(src: ArchiveSource, desc: IndexDescriptor, platform: { os: string; architecture: string }, depth: number, limits: TarLimits): Promise<ArchiveImage> {
  const where = src.name;
  if (depth > MAX_DEPTH) throw malformed(where, `indexes nested more than ${MAX_DEPTH} deep`);
  const bytes = await readBlob(src, desc, depth === 0 ? "the manifest" : "a nested manifest");
  const doc = parseJsonObject(where, `blob ${desc.digest}`, bytes);
  const type = desc.mediaType ?? (typeof doc.mediaType === "string" ? doc.mediaType : undefined);
  const isIndex = type !== undefined ? INDEX_TYPES.has(type) : Array.isArray(doc.manifests);
  if (isIndex) {
    const entries = indexManifests(where, `index ${desc.digest}`, doc);
    // Docker ≥ 25 lists every platform but saves the blobs of some: take the first one present.
    const candidates = entries.filter((e) => e.platform?.os === platform.os && e.platform.architecture === platform.architecture);
    for (const c of candidates) if ((await src.read(blobPath(c.digest))) !== undefined) return readIndexEntry(src, c, platform, depth + 1, limits);
    const offered = [...new Set(entries.map((e) => `${e.platform?.os ?? "?"}/${e.platform?.architecture ?? "?"}`))].join(", ");
    throw imageIoError("NotFound", "NO_MATCHING_PLATFORM", `${where}: index ${desc.digest} has no image for ${platform.os}/${platform.architecture} in the archive`, offered === "" ? "the index lists no images" : `it offers: ${offered}`);
  }
  const isManifest = type !== undefined ? MANIFEST_TYPES.has(type) : typeof doc.config === "object" && Array.isArray(doc.layers);
  if (!isManifest) throw imageIoError("Invalid", "UNSUPPORTED", `${where}: ${desc.digest} is a '${type ?? "unknown"}', not an image manifest or index`, "only container images can be imported");
  const blobs = new Map<string, Buffer>();
  const docManifest = parseManifestDoc(where, desc.digest, doc);
  for (const [i, d] of [docManifest.config, ...docManifest.layers].entries()) {
    if (!blobs.has(d.digest)) blobs.set(d.digest, await readBlob(src, d, i === 0 ? "the config" : `layer ${i}`));
  }
  return verifyImage(where, bytes, (d) => blobs.get(d.digest), "oci-layout", limits);
}

function isDesc(d: unknown): d is Descriptor {
  const x = d as Descriptor;
  return typeof x === "object" && x !== null && typeof x.digest === "string" && /^sha256:[0-9a-f]{64}$/.test(x.digest) && typeof x.size === "number";
}

function parseManifestDoc(where: string, digest: string, doc: Record<string, unknown>): { config: Descriptor; layers: Descriptor[] } {
  if (doc.schemaVersion !== 2) throw imageIoError("Invalid", "UNSUPPORTED", `${where}: manifest ${digest} has schemaVersion ${JSON.stringify(doc.schemaVersion)}; only schema 2 is supported`);
  if (!isDesc(doc.config)) throw malformed(where, `manifest ${digest} has no sha256 config descriptor`);
  if (!Array.isArray(doc.layers) || !doc.layers.every(isDesc)) throw malformed(where, `manifest ${digest} has a layer descriptor without a sha256 digest or a size`);
  if (!CONFIG_TYPES.has(doc.config.mediaType)) {
    throw imageIoError("Invalid", "UNSUPPORTED", `${where}: manifest ${digest} has a config of type '${doc.config.mediaType}', not a container image config`, "only container images can be imported");
  }
  for (const l of doc.layers) {
    if (!LAYER_TYPES.has(l.mediaType)) throw imageIoError("Invalid", "UNSUPPORTED_LAYER", `${where}: layer ${l.digest} has the media type '${l.mediaType}', which the engine cannot unpack`, "supported: uncompressed or gzip tar layers (OCI or Docker)");
  }
  return { config: doc.config, layers: doc.layers };
}

/** Checks a manifest's blobs (already digest-checked by the caller) against each other: config shape, diff_ids, layer paths. */
async function verifyImage(where: string, manifestBytes: Buffer, blob: (d: Descriptor) => Buffer | undefined, format: ArchiveImage["format"], limits: TarLimits): Promise<ArchiveImage> {
  const manifestDigest = sha256(manifestBytes);
  const m = parseManifestDoc(where, manifestDigest, parseJsonObject(where, `manifest ${manifestDigest}`, manifestBytes));
  const blobs = new Map<string, Buffer>();
  const get = (d: Descriptor, what: string): Buffer => {
    const b = blob(d);
    if (b === undefined) throw imageIoError("Invalid", "BLOB_MISSING", `${where}: ${what} ${d.digest} is not in the archive`, "the archive is incomplete; export or save the image again");
    blobs.set(d.digest, b);
    return b;
  };
  const config = parseJsonObject(where, `config ${m.config.digest}`, get(m.config, "the config"));
  const rootfs = config.rootfs as { diff_ids?: unknown } | undefined;
  const diffIds = rootfs?.diff_ids;
  if (typeof config.os !== "string" || typeof config.architecture !== "string") throw malformed(where, `config ${m.config.digest} lacks "os" or "architecture"`);
  if (!Array.isArray(diffIds) || !diffIds.every((d) => typeof d === "string")) throw malformed(where, `config ${m.config.digest} has no rootfs.diff_ids list`);
  if (diffIds.length !== m.layers.length) throw malformed(where, `config ${m.config.digest} lists ${diffIds.length} layer ids but the manifest has ${m.layers.length} layers`);
  for (const [i, l] of m.layers.entries()) {
    const what = `layer ${i + 1}`;
    await verifyLayer(where, `${what} ${l.digest}`, get(l, what), diffIds[i], limits);
  }
  return { manifestDigest, manifestBytes, configDigest: m.config.digest, blobs, names: [], format };
}
