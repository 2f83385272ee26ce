/**
 * The OCI image layout (image-spec image-layout.md): `oci-layout`, `index.json` and
 * `blobs/<alg>/<hex>`. Pure: parsing an index, the names its annotations carry, and the files an
 * export writes.
 */
import { formatImageRef, parseImageRef } from "./image-ref.js";
import { digestHex } from "./digest.js";
import { malformed } from "./image-io-error.js";
import { MEDIA, type Descriptor } from "./image-types.js";

export const OCI_LAYOUT_FILE = "oci-layout";
export const OCI_INDEX_FILE = "index.json";
export const OCI_LAYOUT_VERSION = "1.0.0";
/** The tag (or, from some tools, a full reference) of an index entry; what `skopeo oci:DIR:TAG` matches. */
export const REF_NAME = "org.opencontainers.image.ref.name";
/** The full name containerd and Docker ≥ 25 put beside the tag. */
export const CONTAINERD_NAME = "io.containerd.image.name";

export const INDEX_TYPES: ReadonlySet<string> = new Set([MEDIA.ociIndex, "application/vnd.docker.distribution.manifest.list.v2+json"]);
export const MANIFEST_TYPES: ReadonlySet<string> = new Set([MEDIA.ociManifest, MEDIA.dockerManifest]);

export interface IndexDescriptor extends Descriptor {
  platform?: { os?: string; architecture?: string; variant?: string };
}

/** A file of an exported layout, by its path inside the layout. */
export interface LayoutFile {
  path: string;
  data: Uint8Array;
}

export function blobPath(digest: string): string {
  return `blobs/sha256/${digestHex(digest)}`;
}

function isDescriptor(d: unknown): d is IndexDescriptor {
  const x = d as IndexDescriptor;
  return typeof x === "object" && x !== null && typeof x.digest === "string" && typeof x.size === "number" && Number.isInteger(x.size) && x.size >= 0;
}

/** Parses JSON that must be an object; `what` names the file in the error. */
export function parseJsonObject(where: string, what: string, bytes: Uint8Array): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch (e) {
    throw malformed(where, `${what} is not valid JSON (${(e as Error).message})`);
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw malformed(where, `${what} is not a JSON object`);
  return doc as Record<string, unknown>;
}

/** `oci-layout` must declare a 1.x layout. */
export function checkLayoutFile(where: string, bytes: Uint8Array): void {
  const doc = parseJsonObject(where, OCI_LAYOUT_FILE, bytes);
  const v = doc.imageLayoutVersion;
  if (typeof v !== "string" || !/^1\.\d+\.\d+$/.test(v)) throw malformed(where, `${OCI_LAYOUT_FILE} declares imageLayoutVersion ${JSON.stringify(v)}; only 1.x layouts are understood`);
}

/** The descriptors of an index (the layout's `index.json` or a nested index blob). */
export function indexManifests(where: string, what: string, doc: Record<string, unknown>): IndexDescriptor[] {
  const list = doc.manifests;
  if (!Array.isArray(list)) throw malformed(where, `${what} has no "manifests" list`);
  list.forEach((d, i) => {
    if (!isDescriptor(d)) throw malformed(where, `entry ${i + 1} of ${what} is not a descriptor (digest and size)`);
    if (!/^sha256:[0-9a-f]{64}$/.test(d.digest)) throw malformed(where, `entry ${i + 1} of ${what} has the digest '${d.digest}'; only sha256 is supported`);
  });
  return list as IndexDescriptor[];
}

/**
 * The stored name an index entry's annotations give: containerd's full name first, else
 * `ref.name` as a full reference, else `ref.name` as a tag of `fallbackRepo`. Undefined when unnamed.
 */
export function nameFromAnnotations(annotations: Record<string, string> | undefined, fallbackRepo: string): string | undefined {
  const full = annotations?.[CONTAINERD_NAME];
  if (full !== undefined && full !== "") return formatImageRef(parseImageRef(full));
  const ref = annotations?.[REF_NAME];
  if (ref === undefined || ref === "") return undefined;
  // A plain tag holds neither '/' nor ':'; anything else is a reference of its own.
  if (ref.includes("/") || ref.includes(":") || ref.includes("@")) return formatImageRef(parseImageRef(ref));
  return formatImageRef(parseImageRef(`${fallbackRepo}:${ref}`));
}

/** The tag part of a stored name, for `ref.name` (what skopeo and umoci look up). */
export function tagOf(name: string): string | undefined {
  return parseImageRef(name).tag;
}

/** One exported image: its manifest descriptor and the names to give it. */
export interface LayoutImage {
  manifest: Descriptor;
  names: string[];
}

/** `index.json` of an export: one entry per name, or one unnamed entry. Deterministic. */
export function layoutIndex(images: readonly LayoutImage[]): Uint8Array {
  const manifests: Descriptor[] = [];
  for (const img of images) {
    const base: Descriptor = { mediaType: img.manifest.mediaType, digest: img.manifest.digest, size: img.manifest.size };
    if (img.names.length === 0) manifests.push(base);
    for (const n of img.names) {
      const annotations: Record<string, string> = { [CONTAINERD_NAME]: n };
      const tag = tagOf(n);
      if (tag !== undefined) annotations[REF_NAME] = tag;
      manifests.push({ ...base, annotations });
    }
  }
  return Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests }));
}

export function layoutMarker(): Uint8Array {
  return Buffer.from(JSON.stringify({ imageLayoutVersion: OCI_LAYOUT_VERSION }));
}
