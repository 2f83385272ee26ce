/**
 * `GET /system/df` (`infra system df`): what images, containers, volumes and the build cache take
 * on disk, measured by walking the state root (blobs, unpacked layers, container upper dirs,
 * volume data, cache entries) within a time budget; `complete` is false when a walk was cut short.
 */
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { BuildCache } from "../build/build-cache.js";
import { containerPaths, type Layout } from "../layout.js";
import { chainIds, digestHex } from "../image/digest.js";
import { dirSize, sizeWalk, type SizeWalk } from "../host/dir-size.js";
import type { EngineContext } from "./engine-routes.js";

export interface UsageSummary { total: number; active: number; size: number; reclaimable: number }

export interface DiskUsage {
  complete: boolean;
  images: UsageSummary & { items: Array<{ id: string; names: string[]; created: string; size: number; sharedSize: number; containers: number }> };
  containers: UsageSummary & { items: Array<{ id: string; name: string; image: string; state: string; size: number }> };
  volumes: UsageSummary & { items: Array<{ name: string; links: number; size: number }> };
  buildCache: UsageSummary;
}

/** Time for all the walks of one request. */
export const DF_BUDGET_MS = 20_000;

export async function diskUsage(ctx: EngineContext, budgetMs = DF_BUDGET_MS): Promise<DiskUsage> {
  const w = sizeWalk(budgetMs);
  const [images, containers, volumes, buildCache] = [await imageUsage(ctx, w), await containerUsage(ctx, w), await volumeUsage(ctx, w), await buildCacheUsage(ctx)];
  return { complete: w.complete, images, containers, volumes, buildCache };
}

async function blobSizes(dir: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const d of await readdir(dir).catch(() => [] as string[])) {
    const st = await stat(join(dir, d)).catch(() => undefined);
    if (st) out.set(`sha256:${d}`, st.size);
  }
  return out;
}

/** Blobs and unpacked layers together: what image removal and gc free. */
export async function imageStoreBytes(l: Layout, w: SizeWalk): Promise<number> {
  let n = [...(await blobSizes(l.blobsDir)).values()].reduce((s, x) => s + x, 0);
  for (const d of await readdir(l.layersDir).catch(() => [] as string[])) n += await dirSize(join(l.layersDir, d), w);
  return n;
}

async function imageUsage(ctx: EngineContext, w: SizeWalk): Promise<DiskUsage["images"]> {
  const l = ctx.manager.layout;
  const blobs = await blobSizes(l.blobsDir);
  const layers = new Map<string, number>();
  for (const d of await readdir(l.layersDir).catch(() => [] as string[])) layers.set(d, await dirSize(join(l.layersDir, d), w));
  const all = await ctx.images.list();
  const containers = ctx.manager.list(true);
  const inUse = ctx.manager.imagesInUse();
  const partsOf = (img: (typeof all)[number]) => ({
    blobs: [img.digest, img.id, ...img.manifest.layers.map((x) => x.digest)],
    chains: chainIds(img.config.rootfs.diff_ids).map((c) => digestHex(c)),
  });
  const users = new Map<string, number>(); // blob digest or chain: how many images hold it
  for (const img of all) { const p = partsOf(img); for (const k of [...new Set(p.blobs), ...new Set(p.chains)]) users.set(k, (users.get(k) ?? 0) + 1); }
  const items = all.map((img) => {
    const p = partsOf(img);
    const sized = [...[...new Set(p.blobs)].map((b) => [b, blobs.get(b) ?? 0] as const), ...[...new Set(p.chains)].map((c) => [c, layers.get(c) ?? 0] as const)];
    return {
      id: img.id, names: img.names, created: img.created,
      size: sized.reduce((s, [, n]) => s + n, 0),
      sharedSize: sized.filter(([k]) => (users.get(k) ?? 0) > 1).reduce((s, [, n]) => s + n, 0),
      containers: containers.filter((c) => c.imageId === img.id).length,
    };
  });
  const size = [...blobs.values(), ...layers.values()].reduce((s, n) => s + n, 0);
  // What stays after removing every image no container uses (untagged ones included).
  const kept = await ctx.images.references(inUse, { named: false });
  const keptBytes = [...blobs].filter(([d]) => kept.blobs.has(d)).reduce((s, [, n]) => s + n, 0) + [...layers].filter(([c]) => kept.chains.has(c)).reduce((s, [, n]) => s + n, 0);
  return { total: all.length, active: all.filter((i) => inUse.has(i.id)).length, size, reclaimable: Math.max(0, size - keptBytes), items };
}

async function containerUsage(ctx: EngineContext, w: SizeWalk): Promise<DiskUsage["containers"]> {
  const items = [];
  for (const r of ctx.manager.list(true)) items.push({ id: r.id, name: r.name, image: r.spec.image, state: r.state, size: await dirSize(containerPaths(ctx.manager.layout, r.id).upper, w) });
  const active = items.filter((c) => c.state === "running" || c.state === "paused");
  const size = items.reduce((s, c) => s + c.size, 0);
  return { total: items.length, active: active.length, size, reclaimable: size - active.reduce((s, c) => s + c.size, 0), items };
}

async function volumeUsage(ctx: EngineContext, w: SizeWalk): Promise<DiskUsage["volumes"]> {
  const items = [];
  for (const v of await ctx.volumes.list()) items.push({ name: v.name, links: ctx.manager.volumeUsers(v.name).length, size: await dirSize(v.mountpoint, w) });
  const size = items.reduce((s, v) => s + v.size, 0);
  return { total: items.length, active: items.filter((v) => v.links > 0).length, size, reclaimable: items.filter((v) => v.links === 0).reduce((s, v) => s + v.size, 0), items };
}

/** Cache entries (small JSON files) and the layer blobs only they still hold (until the next gc). */
async function buildCacheUsage(ctx: EngineContext): Promise<UsageSummary> {
  const cache = new BuildCache(ctx.images);
  const entries = await cache.entries();
  const held = await ctx.images.references(ctx.manager.imagesInUse());
  let size = 0;
  const counted = new Set<string>();
  for (const e of entries) {
    size += e.fileSize;
    const d = e.entry?.layer?.digest;
    if (d === undefined || held.blobs.has(d) || counted.has(d)) continue;
    counted.add(d);
    size += (await stat(ctx.images.blobPath(d)).catch(() => undefined))?.size ?? 0;
  }
  return { total: entries.length, active: 0, size, reclaimable: size };
}
