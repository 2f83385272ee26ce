/**
 * `pull`: manifest (an index resolves to its linux/amd64 entry), then config and layers streamed
 * into the store with their digests verified, then the manifest's exact bytes, then the name.
 * The name is written last, so a failed pull never leaves a name pointing at missing blobs.
 */
import type { ImageStore } from "../image/image-store.js";
import type { ImageConfig, ImageRecord } from "../image/image-types.js";
import { rememberBlobSources } from "./blob-sources.js";
import { forEachLimit } from "./for-each-limit.js";
import { manifestKind } from "./manifest-media.js";
import { isProviderError, ProviderError } from "../../contract.js";
import { openRegistryClient, registriesConfigFor, type RegistryAccessOptions } from "./open-client.js";
import { endpointHost } from "./registries-config.js";
import type { RegistryClient, RemoteManifest } from "./registry-client.js";
import { registryError } from "./registry-error.js";
import { parseRemoteRef, remoteReference, type RemoteRef } from "./remote-ref.js";
import { DEFAULT_PLATFORM, selectPlatform, type IndexEntry, type Platform } from "./select-platform.js";
import { hasLocalBlob, storeBlobStream } from "./store-blob-stream.js";

export type BlobAction = "present" | "downloaded" | "exists" | "mounted" | "uploaded";

/** One event per blob when its transfer starts (`bytes` 0) and when it ends (with its action). */
export interface BlobProgress {
  digest: string;
  size: number;
  kind: "config" | "layer";
  /** Absent while the transfer is running. */
  action?: BlobAction;
  /** From: the repository a mount came from. */
  from?: string;
}

export interface PullOptions extends RegistryAccessOptions {
  platform?: Platform;
  onProgress?: (p: BlobProgress) => void;
}

export interface PullResult {
  record: ImageRecord;
  /** The canonical name it is stored under. */
  name: string;
  /** The index's digest when the reference named a manifest list / index. */
  indexDigest?: string;
  downloaded: number;
  downloadedBytes: number;
}

/** Blobs transferred at once. */
export const TRANSFERS = 3;

/** Layer types the store can unpack; anything else is refused before a byte is downloaded. */
const LAYER_TYPES = new Set([
  "application/vnd.oci.image.layer.v1.tar",
  "application/vnd.oci.image.layer.v1.tar+gzip",
  "application/vnd.docker.image.rootfs.diff.tar.gzip",
  "application/vnd.docker.image.rootfs.diff.tar",
]);

interface ParsedManifest {
  config: IndexEntry;
  layers: IndexEntry[];
}

/**
 * A `docker.io` image comes from each configured mirror in turn, as Docker pulls it, then from
 * Docker Hub itself; it is stored under its `docker.io/...` name whichever served it.
 */
export async function pullImage(store: ImageStore, input: string, opts: PullOptions = {}): Promise<PullResult> {
  const ref = parseRemoteRef(input);
  const config = await registriesConfigFor(store, opts);
  const mirrors = ref.host === "docker.io" ? config.mirrors ?? [] : [];
  const tried: string[] = [];
  for (const m of mirrors) {
    try {
      const client = await openRegistryClient(store, m.host, { ...opts, config });
      return await pullWith(store, client, { ...ref, host: m.host }, opts);
    } catch (e) {
      // Whatever a mirror lacks or breaks, the origin may serve; an abort stops everything.
      if (opts.signal?.aborted) throw e;
      tried.push(`mirror ${m.host}: ${(e as Error).message}`);
    }
  }
  try {
    return await pullWith(store, await openRegistryClient(store, ref.host, { ...opts, config }), ref, opts);
  } catch (e) {
    if (tried.length === 0 || !isProviderError(e)) throw e;
    throw new ProviderError(e.category, e.code, `cannot pull ${ref.name}: ${tried.join("; ")}; origin ${endpointHost(ref.host)}: ${e.message}`, {
      hint: e.hint ?? "check the mirrors in the engine settings (docs/engine-config.md)",
      cause: e,
    });
  }
}

export async function pullWith(store: ImageStore, client: RegistryClient, ref: RemoteRef, opts: PullOptions = {}): Promise<PullResult> {
  const what = `${ref.host}/${ref.repo}:${remoteReference(ref)}`;
  let fetched = await client.getManifest(ref.repo, remoteReference(ref));
  let doc = parseJson(fetched, what);
  let indexDigest: string | undefined;
  if (manifestKind(fetched.contentType, doc) === "index") {
    indexDigest = fetched.digest;
    const entry = selectPlatform((doc.manifests ?? []) as IndexEntry[], opts.platform ?? DEFAULT_PLATFORM, what);
    // Kept so that the index digest the user pinned stays readable locally.
    await store.putBlob(fetched.bytes);
    fetched = await client.getManifest(ref.repo, entry.digest);
    doc = parseJson(fetched, `${what} (${entry.digest})`);
  }
  if (manifestKind(fetched.contentType, doc) !== "manifest") {
    throw registryError("Invalid", "UNSUPPORTED_MANIFEST", `${what} is not an image manifest this engine understands (${fetched.contentType ?? "no content type"})`, "push the image again with a Docker v2 schema 2 or OCI manifest");
  }
  const manifest = checkManifest(doc, what);
  let downloaded = 0;
  let downloadedBytes = 0;
  const fetchBlob = async (desc: IndexEntry, kind: "config" | "layer", label: string) => {
    if (await hasLocalBlob(store, desc.digest)) {
      opts.onProgress?.({ digest: desc.digest, size: desc.size, kind, action: "present" });
      return;
    }
    opts.onProgress?.({ digest: desc.digest, size: desc.size, kind });
    const res = await client.openBlob(ref.repo, desc.digest);
    if (res.body === null) throw registryError("Unavailable", "BAD_RESPONSE", `registry ${ref.host} sent an empty body for ${label}`, "try again");
    await storeBlobStream(store, { digest: desc.digest, size: desc.size, what: label, host: ref.host }, res.body);
    downloaded++;
    downloadedBytes += desc.size;
    opts.onProgress?.({ digest: desc.digest, size: desc.size, kind, action: "downloaded" });
  };
  await fetchBlob(manifest.config, "config", `config of ${what}`);
  const config = JSON.parse((await store.getBlob(manifest.config.digest)).toString("utf8")) as Partial<ImageConfig>;
  const diffIds = config.rootfs?.diff_ids;
  if (!Array.isArray(diffIds) || diffIds.length !== manifest.layers.length) {
    throw registryError("Invalid", "IMAGE_CORRUPT", `${what}: the config lists ${Array.isArray(diffIds) ? diffIds.length : "no"} layer ids but the manifest has ${manifest.layers.length} layers`, "the image on the registry is broken; push it again");
  }
  // Three at a time, as Docker does: latency hides behind the other transfers.
  // An image may list one layer twice (two identical empty layers): fetch it once.
  const unique = manifest.layers.filter((l, i) => manifest.layers.findIndex((o) => o.digest === l.digest) === i);
  await forEachLimit(unique, TRANSFERS, (layer) => fetchBlob(layer, "layer", `layer ${manifest.layers.indexOf(layer) + 1} of ${what}`));
  const record = await store.addManifestBytes(fetched.bytes, [ref.name]);
  await rememberBlobSources(store, ref.host, ref.repo, [manifest.config.digest, ...manifest.layers.map((l) => l.digest)]);
  const out: PullResult = { record, name: ref.name, downloaded, downloadedBytes };
  if (indexDigest !== undefined) out.indexDigest = indexDigest;
  return out;
}

function parseJson(m: RemoteManifest, what: string): Record<string, unknown> {
  try {
    const doc = JSON.parse(m.bytes.toString("utf8")) as unknown;
    if (typeof doc === "object" && doc !== null && !Array.isArray(doc)) return doc as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw registryError("Invalid", "UNSUPPORTED_MANIFEST", `the manifest of ${what} is not a JSON object`, "the registry returned something else than a manifest; check the reference");
}

/** Descriptors well-formed, layer types unpackable. Pure. */
export function checkManifest(doc: Record<string, unknown>, what: string): ParsedManifest {
  const bad = (why: string) => registryError("Invalid", "UNSUPPORTED_MANIFEST", `${what}: ${why}`, "push the image again with a Docker v2 schema 2 or OCI manifest");
  const isDesc = (d: unknown): d is IndexEntry => {
    const x = d as IndexEntry;
    return typeof x === "object" && x !== null && typeof x.digest === "string" && /^sha256:[0-9a-f]{64}$/.test(x.digest) && typeof x.size === "number";
  };
  if (!isDesc(doc.config)) throw bad("the config descriptor is missing or not sha256");
  const layers = doc.layers;
  if (!Array.isArray(layers) || !layers.every(isDesc)) throw bad("a layer descriptor is missing or not sha256");
  for (const l of layers) {
    const t = l.mediaType ?? "";
    if (!LAYER_TYPES.has(t)) throw registryError("Invalid", "UNSUPPORTED_LAYER", `${what}: layer ${l.digest} has media type '${t}', which the engine cannot unpack`, "supported: uncompressed or gzip tar layers (OCI or Docker)");
  }
  return { config: doc.config, layers };
}
