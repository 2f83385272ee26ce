/** The manifest and index media types a registry may answer with, and how to tell them apart. */
export const MANIFEST_MEDIA = {
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociIndex: "application/vnd.oci.image.index.v1+json",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerList: "application/vnd.docker.distribution.manifest.list.v2+json",
} as const;

/** Sent as `Accept` on every manifest request: all four, so no registry falls back to schema 1. */
export const MANIFEST_ACCEPT = [MANIFEST_MEDIA.ociIndex, MANIFEST_MEDIA.dockerList, MANIFEST_MEDIA.ociManifest, MANIFEST_MEDIA.dockerManifest].join(", ");

export type ManifestKind = "index" | "manifest" | "unsupported";

/**
 * Classifies a manifest by its declared media type, falling back to the document's own
 * `mediaType` and shape (OCI allows omitting it; some registries send `application/json`).
 */
export function manifestKind(contentType: string | undefined, doc: Record<string, unknown>): ManifestKind {
  const declared = [contentType?.split(";")[0]?.trim(), typeof doc.mediaType === "string" ? doc.mediaType : undefined];
  for (const t of declared) {
    if (t === MANIFEST_MEDIA.ociIndex || t === MANIFEST_MEDIA.dockerList) return "index";
    if (t === MANIFEST_MEDIA.ociManifest || t === MANIFEST_MEDIA.dockerManifest) return "manifest";
  }
  if (doc.schemaVersion === 1) return "unsupported";
  if (Array.isArray(doc.manifests)) return "index";
  if (typeof doc.config === "object" && doc.config !== null && Array.isArray(doc.layers)) return "manifest";
  return "unsupported";
}

/** The media type to send with a manifest PUT: its own field, else by shape. */
export function manifestContentType(doc: Record<string, unknown>): string {
  if (typeof doc.mediaType === "string" && doc.mediaType !== "") return doc.mediaType;
  return Array.isArray(doc.manifests) ? MANIFEST_MEDIA.ociIndex : MANIFEST_MEDIA.ociManifest;
}
