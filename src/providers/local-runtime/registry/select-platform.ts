/** Picks the one manifest of an index (manifest list) that runs here: linux/amd64 by default. */
import { registryError } from "./registry-error.js";

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface IndexEntry {
  mediaType?: string;
  digest: string;
  size: number;
  platform?: Partial<Platform>;
}

export const DEFAULT_PLATFORM: Platform = { os: "linux", architecture: "amd64" };

/** Pure. The first exact match wins; attestation entries (platform unknown/unknown) never match. */
export function selectPlatform(entries: readonly IndexEntry[], want: Platform, what: string): IndexEntry {
  const hit = entries.find(
    (e) =>
      e.platform?.os === want.os &&
      e.platform.architecture === want.architecture &&
      (want.variant === undefined || e.platform.variant === want.variant),
  );
  if (hit) return hit;
  const offered = entries.map((e) => `${e.platform?.os ?? "?"}/${e.platform?.architecture ?? "?"}${e.platform?.variant ? `/${e.platform.variant}` : ""}`);
  throw registryError(
    "NotFound",
    "NO_MATCHING_PLATFORM",
    `${what} has no image for ${want.os}/${want.architecture}${want.variant ? `/${want.variant}` : ""}`,
    offered.length > 0 ? `it offers: ${[...new Set(offered)].join(", ")}` : "the index lists no manifests",
  );
}
