/**
 * `push`: for every blob, HEAD first (present: skip), then a cross-repository mount when another
 * repository of the same registry is known to hold it, else a monolithic upload streamed from the
 * store's file; the manifest's exact bytes go last, so the tag never names missing blobs.
 */
import { openAsBlob } from "node:fs";
import type { ImageStore } from "../image/image-store.js";
import type { Descriptor } from "../image/image-types.js";
import { mountCandidates, rememberBlobSources } from "./blob-sources.js";
import { manifestContentType } from "./manifest-media.js";
import { openRegistryClient, type RegistryAccessOptions } from "./open-client.js";
import { forEachLimit } from "./for-each-limit.js";
import { TRANSFERS, type BlobAction, type BlobProgress } from "./pull-image.js";
import type { RegistryClient } from "./registry-client.js";
import { registryError } from "./registry-error.js";
import { parseRemoteRef, remoteReference, type RemoteRef } from "./remote-ref.js";

export interface PushOptions extends RegistryAccessOptions {
  onProgress?: (p: BlobProgress) => void;
}

export interface PushResult {
  /** The canonical remote name. */
  name: string;
  digest: string;
  counts: Record<Exclude<BlobAction, "present" | "downloaded">, number>;
  uploadedBytes: number;
}

/** Pushes the local image `localRef` as `remoteRef` (default: `localRef`, which must then name a registry). */
export async function pushImage(store: ImageStore, localRef: string, remoteRef: string | undefined, opts: PushOptions = {}): Promise<PushResult> {
  const ref = parseRemoteRef(remoteRef ?? localRef);
  const client = await openRegistryClient(store, ref.host, opts);
  return pushWith(store, client, localRef, ref, opts);
}

export async function pushWith(store: ImageStore, client: RegistryClient, localRef: string, ref: RemoteRef, opts: PushOptions = {}): Promise<PushResult> {
  const image = await store.mustResolve(localRef);
  if (ref.digest !== undefined && ref.digest !== image.digest) {
    throw registryError("Invalid", "DIGEST_MISMATCH", `cannot push ${localRef} as ${ref.name}: the image's manifest digest is ${image.digest}`, "push by tag, or name the image's own digest");
  }
  let bytes: Buffer;
  try {
    bytes = await store.getBlob(image.digest);
  } catch {
    throw registryError("Invalid", "NOTHING_TO_PUSH", `'${localRef}' has no stored manifest (scratch is built in and empty)`, "push an image built or pulled into the store");
  }
  const doc = JSON.parse(bytes.toString("utf8")) as Record<string, unknown>;
  const all: Array<[Descriptor, "config" | "layer"]> = [[image.manifest.config, "config"], ...image.manifest.layers.map((l): [Descriptor, "layer"] => [l, "layer"])];
  // A layer listed twice is sent once.
  const blobs = all.filter(([d], i) => all.findIndex(([o]) => o.digest === d.digest) === i);
  const counts = { exists: 0, mounted: 0, uploaded: 0 };
  let uploadedBytes = 0;
  await forEachLimit(blobs, TRANSFERS, async ([desc, kind]) => {
    const action = await pushBlob(store, client, ref, desc, kind, opts);
    counts[action.action]++;
    if (action.action === "uploaded") uploadedBytes += desc.size;
    const ev: BlobProgress = { digest: desc.digest, size: desc.size, kind, action: action.action };
    if (action.from !== undefined) ev.from = action.from;
    opts.onProgress?.(ev);
  });
  const digest = await client.putManifest(ref.repo, remoteReference(ref), bytes, manifestContentType(doc));
  await rememberBlobSources(store, ref.host, ref.repo, blobs.map(([d]) => d.digest));
  return { name: ref.name, digest, counts, uploadedBytes };
}

async function pushBlob(
  store: ImageStore,
  client: RegistryClient,
  ref: RemoteRef,
  desc: Descriptor,
  kind: "config" | "layer",
  opts: PushOptions,
): Promise<{ action: "exists" | "mounted" | "uploaded"; from?: string }> {
  if (await client.hasBlob(ref.repo, desc.digest)) return { action: "exists" };
  opts.onProgress?.({ digest: desc.digest, size: desc.size, kind });
  let location: string | undefined;
  // One attempt is enough: a refused mount opens an ordinary upload session, used below.
  const [from] = await mountCandidates(store, ref.host, ref.repo, desc.digest);
  if (from !== undefined) {
    const m = await client.mountBlob(ref.repo, desc.digest, from);
    if (m.mounted) return { action: "mounted", from };
    location = m.location;
  }
  location ??= await client.startUpload(ref.repo);
  // openAsBlob reads the file lazily: large layers stream instead of sitting in memory.
  const body = await openAsBlob(store.blobPath(desc.digest));
  if (body.size !== desc.size) {
    throw registryError("Invalid", "IMAGE_CORRUPT", `blob ${desc.digest} in the local store is ${body.size} bytes, its descriptor says ${desc.size}`, "the local store is damaged; remove the image and pull or build it again");
  }
  await client.finishUpload(ref.repo, location, desc.digest, body);
  return { action: "uploaded" };
}
