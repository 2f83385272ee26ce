/**
 * Content-addressed image store: blobs by digest (exact bytes), an index of names to manifest
 * digests, and layers unpacked once per ChainID for use as overlay lower directories.
 */
import { existsSync, readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { isProviderError, ProviderError } from "../../contract.js";
import { HostHelper } from "../host/host-helper.js";
import type { Layout } from "../layout.js";
import { writeFileAtomic, writeJsonAtomic } from "../host/atomic-write.js";
import { CLOSED_DIR, CLOSED_FILE, closeStateRoot } from "../host/state-root.js";
import { runtimeError } from "../runtime-error.js";
import { BUSYBOX_IMAGE_NAME, BUSYBOX_RUNTIME_CONFIG, buildBusyboxLayer } from "./busybox-image.js";
import { chainIds, digestHex, sha256 } from "./digest.js";
import { dockerHubName, formatImageRef, namesDomain, parseImageRef } from "./image-ref.js";
import { MEDIA, type Descriptor, type ImageConfig, type ImageManifest, type ImageRecord } from "./image-types.js";
import { layerFile, layerStream } from "./layer-stream.js";
import { extractLayer } from "./safe-extract.js";
import { tarLimitsFromEnv, type TarLimits } from "./tar-limits.js";

interface IndexFile {
  images: Record<string, string>;
}

export const SCRATCH = "scratch";
const FIXED_TIME = "1970-01-01T00:00:00Z";

export interface NewLayer {
  /** Stored bytes (tar, or gzip of a tar). */
  blob: Uint8Array;
  mediaType: string;
}

export interface ImageStoreOptions {
  /** The infra-host that unpacks what Node cannot (whiteouts, fifos, directory attributes); default: one of the store's own, started on first unpack. */
  helper?: HostHelper;
  /** Bounds on each layer; default from the environment (tar-limits). */
  limits?: TarLimits;
}

export class ImageStore {
  private queue: Promise<unknown> = Promise.resolve();
  /** Parsed manifest and config by manifest digest (only digests the index names are kept). */
  private parsed = new Map<string, Omit<ImageRecord, "names">>();
  private ownHelper: HostHelper | undefined;
  readonly limits: TarLimits;
  constructor(readonly layout: Layout, private readonly opts: ImageStoreOptions = {}) {
    this.limits = opts.limits ?? tarLimitsFromEnv();
  }

  private helper(): HostHelper {
    return this.opts.helper ?? (this.ownHelper ??= HostHelper.required());
  }

  /** Ends the infra-host the store started itself (a shared one is its owner's to close). */
  close(): void {
    this.ownHelper?.close();
    this.ownHelper = undefined;
  }

  /** Serialises writers: one engine, one store, no lost index updates. */
  private locked<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** The store's directories, closed to other users (host/state-root.ts says why). */
  async init(): Promise<void> {
    await closeStateRoot(this.layout);
  }

  blobPath(digest: string): string {
    return join(this.layout.blobsDir, digestHex(digest));
  }

  async putBlob(data: Uint8Array): Promise<string> {
    const digest = sha256(data);
    const p = this.blobPath(digest);
    try {
      await stat(p);
    } catch {
      await writeFileAtomic(p, data, CLOSED_FILE);
    }
    return digest;
  }

  async getBlob(digest: string): Promise<Buffer> {
    try {
      return await readFile(this.blobPath(digest));
    } catch {
      throw runtimeError("NotFound", "BLOB_NOT_FOUND", `blob ${digest} is not in the store`, "import or pull the image again");
    }
  }

  /** Read at once: a small file, read twice by every `run`. */
  private async readIndex(): Promise<IndexFile> {
    try {
      return JSON.parse(readFileSync(this.layout.imageIndexFile, "utf8")) as IndexFile;
    } catch {
      return { images: {} };
    }
  }

  /** Stores an image from its layers and runtime config; returns its record. */
  async addImage(layers: NewLayer[], config: Omit<ImageConfig, "rootfs">, names: string[]): Promise<ImageRecord> {
    const diffIds: string[] = [];
    const descs: Descriptor[] = [];
    for (const l of layers) {
      const tar = layerStream(l.blob, this.limits);
      for await (const _ of tar.bytes); // only its digest is wanted
      diffIds.push(tar.diffId());
      descs.push({ mediaType: l.mediaType, digest: await this.putBlob(l.blob), size: l.blob.length });
    }
    const full: ImageConfig = { ...config, rootfs: { type: "layers", diff_ids: diffIds } };
    const configBytes = Buffer.from(JSON.stringify(full));
    const configDigest = await this.putBlob(configBytes);
    const manifest: ImageManifest = {
      schemaVersion: 2,
      mediaType: MEDIA.ociManifest,
      config: { mediaType: MEDIA.ociConfig, digest: configDigest, size: configBytes.length },
      layers: descs,
    };
    const manifestDigest = await this.putBlob(Buffer.from(JSON.stringify(manifest)));
    for (const n of names) await this.tag(n, manifestDigest);
    return this.recordFor(manifestDigest, names.map((n) => formatImageRef(parseImageRef(n))));
  }

  /** Stores a manifest given as exact bytes (import, pull): its blobs must already be present. */
  async addManifestBytes(bytes: Uint8Array, names: string[]): Promise<ImageRecord> {
    const digest = await this.putBlob(bytes);
    const m = JSON.parse(Buffer.from(bytes).toString("utf8")) as ImageManifest;
    // Presence only: reading every layer back would cost as much as the download.
    for (const d of [m.config.digest, ...m.layers.map((l) => l.digest)]) {
      if (!(await stat(this.blobPath(d)).then(() => true, () => false)))
        throw runtimeError("NotFound", "BLOB_NOT_FOUND", `blob ${d} is not in the store`, "import or pull the image again");
    }
    for (const n of names) await this.tag(n, digest);
    return this.recordFor(digest, names.map((n) => formatImageRef(parseImageRef(n))));
  }

  tag(name: string, manifestDigest: string): Promise<void> {
    const key = formatImageRef(parseImageRef(name));
    return this.locked(async () => {
      const idx = await this.readIndex();
      idx.images[key] = manifestDigest;
      await writeJsonAtomic(this.layout.imageIndexFile, idx);
    });
  }

  private async recordFor(manifestDigest: string, names: string[]): Promise<ImageRecord> {
    // A copy: callers may change what they get.
    return { ...structuredClone(await this.parsedRecord(manifestDigest)), names };
  }

  /** Blobs never change under their digest: a manifest and its config are parsed once per engine (not to be changed). */
  private async parsedRecord(manifestDigest: string): Promise<Omit<ImageRecord, "names">> {
    let base = this.parsed.get(manifestDigest);
    if (base === undefined) {
      const mbytes = await this.getBlob(manifestDigest);
      const manifest = JSON.parse(mbytes.toString("utf8")) as ImageManifest;
      const config = JSON.parse((await this.getBlob(manifest.config.digest)).toString("utf8")) as ImageConfig;
      const size = manifest.layers.reduce((s, l) => s + l.size, manifest.config.size);
      base = { id: manifest.config.digest, digest: manifestDigest, config, manifest, size, created: config.created ?? FIXED_TIME };
      this.parsed.set(manifestDigest, base);
    }
    return base;
  }

  async list(): Promise<ImageRecord[]> {
    const idx = await this.readIndex();
    const byDigest = new Map<string, string[]>();
    for (const [name, d] of Object.entries(idx.images)) byDigest.set(d, [...(byDigest.get(d) ?? []), name]);
    for (const d of this.parsed.keys()) if (!byDigest.has(d)) this.parsed.delete(d);
    const out: ImageRecord[] = [];
    for (const [d, names] of byDigest) out.push(await this.recordFor(d, names.sort()));
    return out.sort((a, b) => (a.names[0] ?? "").localeCompare(b.names[0] ?? ""));
  }

  /** Looks an image up by name, short name, id or id prefix; builds the built-in busybox on first use. */
  async resolve(refOrId: string): Promise<ImageRecord | undefined> {
    if (refOrId === SCRATCH) return this.scratch();
    const idx = await this.readIndex();
    const hex = refOrId.replace(/^sha256:/, "");
    const namesOf = (d: string) => Object.keys(idx.images).filter((n) => idx.images[n] === d).sort();
    if (/^[0-9a-f]{12,64}$/.test(hex)) {
      // By id or manifest digest (prefix): the parsed records are compared, only the hit is copied.
      for (const d of new Set(Object.values(idx.images))) {
        const r = await this.parsedRecord(d);
        if (r.id.slice(7).startsWith(hex) || r.digest.slice(7).startsWith(hex)) return this.recordFor(d, namesOf(d));
      }
    }
    const ref = parseImageRef(refOrId);
    const key = formatImageRef(ref);
    // By name or manifest digest: only the image found is read (list() reads them all).
    const digest = idx.images[key] ?? (ref.digest !== undefined && Object.values(idx.images).includes(ref.digest) ? ref.digest : undefined);
    if (digest !== undefined) return this.recordFor(digest, namesOf(digest));
    if (key === BUSYBOX_IMAGE_NAME) return this.ensureBusybox();
    // A short name not among the engine's own is Docker Hub's, as Docker reads it (pulled earlier).
    if (!namesDomain(refOrId)) {
      const hub = idx.images[dockerHubName(refOrId)];
      if (hub !== undefined) return this.recordFor(hub, namesOf(hub));
    }
    return undefined;
  }

  async mustResolve(refOrId: string): Promise<ImageRecord> {
    const r = await this.resolve(refOrId);
    if (!r) throw runtimeError("NotFound", "IMAGE_NOT_FOUND", `image '${refOrId}' is not in the local store`, "import it (infra image import FILE) or build it; `busybox` and `scratch` are built in");
    return r;
  }

  /** The empty image: no layers, no config. Never stored. */
  scratch(): ImageRecord {
    const config: ImageConfig = { architecture: "amd64", os: "linux", config: {}, rootfs: { type: "layers", diff_ids: [] } };
    const id = sha256(JSON.stringify(config));
    const manifest: ImageManifest = { schemaVersion: 2, config: { mediaType: MEDIA.ociConfig, digest: id, size: 0 }, layers: [] };
    return { id, digest: id, names: [SCRATCH], config, manifest, size: 0, created: FIXED_TIME };
  }

  async ensureBusybox(): Promise<ImageRecord> {
    const { tar } = await buildBusyboxLayer();
    return this.addImage(
      [{ blob: tar, mediaType: MEDIA.ociLayer }],
      {
        created: FIXED_TIME,
        architecture: "amd64",
        os: "linux",
        config: BUSYBOX_RUNTIME_CONFIG,
        history: [{ created: FIXED_TIME, created_by: "infra: busybox-static from the host, every applet linked" }],
      },
      [BUSYBOX_IMAGE_NAME],
    );
  }

  /** Unpacks missing layers; returns overlay lower dirs, newest first. */
  async layerDirs(image: ImageRecord): Promise<string[]> {
    const chains = chainIds(image.config.rootfs.diff_ids);
    const dirs: string[] = [];
    for (let i = 0; i < chains.length; i++) {
      const chain = chains[i]!;
      const desc = image.manifest.layers[i];
      if (!desc) throw runtimeError("Invalid", "IMAGE_CORRUPT", `image ${image.id} has fewer layers than diff_ids`);
      dirs.push(await this.unpack(chain, desc, image.config.rootfs.diff_ids[i]!));
    }
    return dirs.reverse();
  }

  private async unpack(chain: string, desc: Descriptor, diffId: string): Promise<string> {
    return (await this.unpacked(chain)) ?? this.locked(() => this.unpackNow(chain, desc, diffId));
  }

  /** The layer's directory when it is unpacked already (no need to queue behind a pull or a gc). */
  private async unpacked(chain: string): Promise<string | undefined> {
    const dir = join(this.layout.layersDir, digestHex(chain));
    return existsSync(join(dir, "done")) ? join(dir, "diff") : undefined;
  }

  /**
   * Streams the blob into a directory of this unpack's own (no other process writes there, so the
   * unpacker's checks hold), checks the diff_id, and moves it into place.
   */
  private async unpackNow(chain: string, desc: Descriptor, diffId: string): Promise<string> {
    const dir = join(this.layout.layersDir, digestHex(chain));
    const diff = join(dir, "diff");
    if (existsSync(join(dir, "done"))) return diff;
    if (!existsSync(this.blobPath(desc.digest))) throw runtimeError("NotFound", "BLOB_NOT_FOUND", `blob ${desc.digest} is not in the store`, "import or pull the image again");
    const tmp = `${dir}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
    // The layer's own directory is closed to other users; what it holds keeps the layer's modes.
    await mkdir(tmp, { recursive: true, mode: CLOSED_DIR });
    await mkdir(join(tmp, "diff"));
    try {
      const r = await extractLayer(layerFile(this.blobPath(desc.digest), this.limits), join(tmp, "diff"), { helper: this.helper(), limits: this.limits });
      if (r.diffId !== diffId)
        throw runtimeError("Invalid", "IMAGE_CORRUPT", `layer ${desc.digest} uncompresses to ${r.diffId}, but the image's config expects ${diffId}`, "the stored layer is damaged or was replaced: remove the image and pull or load it again");
      await writeFile(join(tmp, "done"), desc.digest);
      // Another process may have unpacked the same layer meanwhile: its copy is as good.
      if (existsSync(join(dir, "done"))) {
        await rm(tmp, { recursive: true, force: true });
        return diff;
      }
      await rm(dir, { recursive: true, force: true });
      await rename(tmp, dir);
    } catch (e) {
      await rm(tmp, { recursive: true, force: true });
      if (isProviderError(e)) throw new ProviderError(e.category, e.code, `layer ${desc.digest}: ${e.message}`, { ...(e.hint !== undefined ? { hint: e.hint } : {}), cause: e });
      throw e;
    }
    return diff;
  }

  /** Removes a name, or the whole image with `-f` semantics decided by the caller's `inUse`. */
  async remove(nameOrId: string, opts: { force?: boolean; inUse: (imageId: string) => boolean }): Promise<{ untagged: string[]; deleted: string[] }> {
    const img = await this.mustResolve(nameOrId);
    if (img.names.includes(SCRATCH)) throw runtimeError("Invalid", "IMAGE_BUILTIN", "scratch cannot be removed");
    if (opts.inUse(img.id) && !opts.force)
      throw runtimeError("Conflict", "IMAGE_IN_USE", `image '${nameOrId}' (${img.id.slice(7, 19)}) is used by a container`, "remove the container first, or use rmi -f");
    return this.locked(async () => {
      const idx = await this.readIndex();
      let key: string | undefined;
      try {
        key = formatImageRef(parseImageRef(nameOrId));
      } catch {
        key = undefined;
      }
      const byName = key !== undefined && idx.images[key] === img.digest && img.names.length > 1;
      const untagged: string[] = [];
      for (const [n, d] of Object.entries(idx.images)) {
        if (d === img.digest && (!byName || n === key)) {
          delete idx.images[n];
          untagged.push(n);
        }
      }
      await writeJsonAtomic(this.layout.imageIndexFile, idx);
      const stillThere = Object.values(idx.images).includes(img.digest);
      return { untagged, deleted: stillThere ? [] : [img.id] };
    });
  }

  /**
   * The blobs and unpacked layers (ChainID hex) that named images (unless `named` is false) and the
   * images `keepImageIds` reference, and the unnamed image manifests nothing keeps (dangling: gc's).
   */
  async references(keepImageIds: ReadonlySet<string>, opts: { named?: boolean } = {}): Promise<{ blobs: Set<string>; chains: Set<string>; dangling: Array<{ manifest: string; id: string }> }> {
    const idx = await this.readIndex();
    const keepBlobs = new Set<string>();
    const keepChains = new Set<string>();
    const dangling: Array<{ manifest: string; id: string }> = [];
    const named = new Set(Object.values(idx.images));
    const manifests = new Set(opts.named === false ? [] : named);
    for (const d of await readdir(this.layout.blobsDir).catch(() => [] as string[])) {
      // Manifests of images still used by containers survive untagging.
      const digest = `sha256:${d}`;
      if (manifests.has(digest)) continue;
      try {
        // Layers are not read whole to learn that they are no manifest (registries cap manifests at 4 MiB).
        if ((await stat(join(this.layout.blobsDir, d))).size > 4 * 1024 * 1024) continue;
        const m = JSON.parse((await readFile(join(this.layout.blobsDir, d))).toString("utf8")) as Partial<ImageManifest>;
        if (!m.config || !Array.isArray(m.layers)) continue;
        if (keepImageIds.has(m.config.digest)) manifests.add(digest);
        else if (!named.has(digest)) dangling.push({ manifest: digest, id: m.config.digest });
      } catch {
        // not JSON: a layer
      }
    }
    for (const md of manifests) {
      const rec = await this.recordFor(md, []);
      keepBlobs.add(md).add(rec.id);
      for (const l of rec.manifest.layers) keepBlobs.add(l.digest);
      for (const c of chainIds(rec.config.rootfs.diff_ids)) keepChains.add(digestHex(c));
    }
    return { blobs: keepBlobs, chains: keepChains, dangling };
  }

  /** Deletes blobs and unpacked layers no named image (or `keepImageIds`) references; `images`: the dangling image ids deleted. */
  async gc(keepImageIds: ReadonlySet<string> = new Set()): Promise<{ blobs: number; layers: number; images: string[] }> {
    return this.locked(async () => {
      const { blobs: keepBlobs, chains: keepChains, dangling } = await this.references(keepImageIds);
      let blobs = 0;
      let layers = 0;
      for (const d of await readdir(this.layout.blobsDir).catch(() => [] as string[])) {
        if (!keepBlobs.has(`sha256:${d}`)) { await rm(join(this.layout.blobsDir, d), { force: true }); blobs++; }
      }
      for (const d of await readdir(this.layout.layersDir).catch(() => [] as string[])) {
        if (!keepChains.has(d)) { await rm(join(this.layout.layersDir, d), { recursive: true, force: true }); layers++; }
      }
      return { blobs, layers, images: dangling.map((x) => x.id) };
    });
  }
}
