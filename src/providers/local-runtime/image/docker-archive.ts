/**
 * Docker's `docker save` format: `manifest.json` lists, per image, the archive paths of its config
 * and layer tars and its `RepoTags`. Legacy archives (before Docker 25) hold no manifest blob, so
 * one is synthesised; Docker ≥ 25 puts an OCI layout beside it, which this module also writes.
 * Pure.
 */
import { sha256 } from "./digest.js";
import { malformed } from "./image-io-error.js";
import { MEDIA, type Descriptor, type ImageManifest } from "./image-types.js";
import { blobPath } from "./oci-layout.js";

export const DOCKER_MANIFEST_FILE = "manifest.json";

export interface DockerManifestEntry {
  Config: string;
  RepoTags: string[];
  Layers: string[];
}

/** Reads `manifest.json`, refusing anything but a list of {Config, RepoTags?, Layers}. */
export function parseDockerManifest(where: string, bytes: Uint8Array): DockerManifestEntry[] {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch (e) {
    throw malformed(where, `${DOCKER_MANIFEST_FILE} is not valid JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(doc)) throw malformed(where, `${DOCKER_MANIFEST_FILE} is not a list of images`);
  return doc.map((raw: unknown, i) => {
    const e = raw as Partial<Record<"Config" | "RepoTags" | "Layers", unknown>>;
    const what = `image ${i + 1} of ${DOCKER_MANIFEST_FILE}`;
    if (typeof e !== "object" || e === null) throw malformed(where, `${what} is not an object`);
    if (typeof e.Config !== "string" || e.Config === "") throw malformed(where, `${what} has no "Config" path`);
    if (!Array.isArray(e.Layers) || !e.Layers.every((l) => typeof l === "string" && l !== "")) throw malformed(where, `${what} has no "Layers" list of paths`);
    const tags = e.RepoTags ?? [];
    if (!Array.isArray(tags) || !tags.every((t) => typeof t === "string")) throw malformed(where, `${what} has a "RepoTags" that is not a list of names`);
    return { Config: e.Config, RepoTags: tags as string[], Layers: e.Layers as string[] };
  });
}

export interface SynthLayer {
  /** The layer file's bytes as found in the archive. */
  bytes: Uint8Array;
  gzip: boolean;
}

/**
 * The OCI manifest for a legacy archive's image: fixed key order and no annotations, so the same
 * config and layers always give the same manifest digest.
 */
export function synthesiseManifest(config: Uint8Array, layers: readonly SynthLayer[]): Buffer {
  const m: ImageManifest = {
    schemaVersion: 2,
    mediaType: MEDIA.ociManifest,
    config: { mediaType: MEDIA.ociConfig, digest: sha256(config), size: config.length },
    layers: layers.map((l) => ({ mediaType: l.gzip ? MEDIA.ociLayerGzip : MEDIA.ociLayer, digest: sha256(l.bytes), size: l.bytes.length })),
  };
  return Buffer.from(JSON.stringify(m));
}

export interface DockerArchiveImage {
  config: Descriptor;
  layers: readonly Descriptor[];
  /** Stored names; only tagged ones become RepoTags. */
  names: readonly string[];
}

/** `manifest.json` as Docker ≥ 25 writes it: paths into the OCI layout's blobs. */
export function dockerManifestJson(images: readonly DockerArchiveImage[]): Buffer {
  const out = images.map((img) => ({
    Config: blobPath(img.config.digest),
    RepoTags: img.names.filter((n) => !n.includes("@")),
    Layers: img.layers.map((l) => blobPath(l.digest)),
  }));
  return Buffer.from(JSON.stringify(out));
}
