/**
 * `POST /system/prune` (`infra system prune`): stopped containers, unused networks, dangling
 * images (image gc), the build cache; with `all`, every image no container uses; with
 * `volumes`, unused anonymous volumes. Each part is the engine's existing removal (container rm,
 * network prune, rmi, volume prune, image gc); the bytes each removal freed are added up.
 */
import { BuildCache } from "../build/build-cache.js";
import type { ContainerRecord } from "../container/container-record.js";
import { dirSize, sizeWalk } from "../host/dir-size.js";
import { containerPaths } from "../layout.js";
import { runtimeError } from "../runtime-error.js";
import { eventTimeNano } from "./engine-events-route.js";
import { imageStoreBytes } from "./engine-disk-usage.js";
import { pruneNetworks, publishImageRemoval, type EngineContext } from "./engine-routes.js";

export interface PruneOptions { all: boolean; volumes: boolean; filters: string[] }

export interface PruneResult {
  containers: string[];
  networks: string[];
  volumes: string[];
  /** Untagged names and deleted image ids, as rmi reports them. */
  images: { untagged: string[]; deleted: string[] };
  buildCacheEntries: number;
  reclaimedBytes: number;
}

/** `until=TIME` and `label=K[=V]` / `label!=K[=V]`, as Docker's prune filters. */
export interface PruneFilter { untilNano?: number; labels: Array<{ key: string; value?: string; negate: boolean }> }

export function parsePruneFilters(items: readonly string[]): PruneFilter {
  const f: PruneFilter = { labels: [] };
  for (const item of items) {
    const m = /^(until|label!?)=(.+)$/.exec(item);
    if (!m) throw runtimeError("Invalid", "BAD_PRUNE_FILTER", `invalid prune filter '${item}'`, "use until=TIME (RFC 3339, epoch seconds or a duration such as 24h) or label=KEY[=VALUE] or label!=KEY[=VALUE]");
    if (m[1] === "until") { f.untilNano = eventTimeNano("until", m[2]!); continue; }
    const eq = m[2]!.indexOf("=");
    f.labels.push({ key: eq < 0 ? m[2]! : m[2]!.slice(0, eq), ...(eq < 0 ? {} : { value: m[2]!.slice(eq + 1) }), negate: m[1] === "label!" });
  }
  return f;
}

/** Whether an object created at `created` with `labels` may be pruned. Pure. */
export function pruneMatches(f: PruneFilter, created: string, labels: Record<string, string>): boolean {
  if (f.untilNano !== undefined && Date.parse(created) * 1e6 >= f.untilNano) return false;
  return f.labels.every((l) => {
    const has = l.key in labels && (l.value === undefined || labels[l.key] === l.value);
    return l.negate ? !has : has;
  });
}

export async function systemPrune(ctx: EngineContext, opts: PruneOptions): Promise<PruneResult> {
  const filter = parsePruneFilters(opts.filters);
  const l = ctx.manager.layout;
  const w = sizeWalk(30_000);
  let reclaimed = 0;
  const stopped = (r: ContainerRecord) => r.state === "exited" || r.state === "created";
  const containers: string[] = [];
  for (const r of ctx.manager.list(true).filter(stopped)) {
    if (!pruneMatches(filter, r.createdAt, r.spec.labels ?? {})) continue;
    const bytes = await dirSize(containerPaths(l, r.id).upper, w);
    try {
      await ctx.manager.remove(r.id);
    } catch (e) {
      // Started or removed since the list: it is no longer prune's.
      if (ctx.manager.list(true).some((x) => x.id === r.id && stopped(x))) throw e;
      continue;
    }
    reclaimed += bytes;
    containers.push(r.id);
  }
  const networks = ctx.network ? await pruneNetworks(ctx, (n) => pruneMatches(filter, n.createdAt, n.labels)) : [];
  const volumes: string[] = [];
  if (opts.volumes) {
    const used = new Set(ctx.manager.list(true).flatMap((x) => x.mounts.filter((m) => m.type === "volume").map((m) => m.source!)));
    for (const v of await ctx.volumes.list()) if (!pruneMatches(filter, v.createdAt, v.labels)) used.add(v.name);
    const sizes = new Map<string, number>();
    for (const v of await ctx.volumes.list()) if (!used.has(v.name) && v.anonymous) sizes.set(v.name, await dirSize(v.mountpoint, w));
    for (const v of await ctx.volumes.prune(used, false)) {
      ctx.events.publish("volume", "destroy", v, { driver: "local" });
      reclaimed += sizes.get(v) ?? 0;
      volumes.push(v);
    }
  }
  // Each measure walks afresh: a shared walk would skip the hard links the first one counted.
  const before = await imageStoreBytes(l, sizeWalk(30_000));
  const images = { untagged: [] as string[], deleted: [] as string[] };
  if (opts.all) {
    const inUse = ctx.manager.imagesInUse();
    for (const img of await ctx.images.list()) {
      if (inUse.has(img.id) || img.names.includes("scratch") || !pruneMatches(filter, img.created, img.config.config?.Labels ?? {})) continue;
      const res = await ctx.images.remove(img.id, { inUse: (id) => inUse.has(id) });
      publishImageRemoval(ctx, img.id, res);
      images.untagged.push(...res.untagged);
      images.deleted.push(...res.deleted);
    }
  }
  const cache = filter.labels.length === 0 && filter.untilNano === undefined ? await new BuildCache(ctx.images).clear() : { entries: 0, bytes: 0 };
  const gc = await ctx.images.gc(ctx.manager.imagesInUse());
  for (const id of gc.images) if (!images.deleted.includes(id)) { images.deleted.push(id); ctx.events.publish("image", "delete", id, { name: id }); }
  reclaimed += Math.max(0, before - (await imageStoreBytes(l, sizeWalk(30_000)))) + cache.bytes;
  return { containers, networks, volumes, images, buildCacheEntries: cache.entries, reclaimedBytes: reclaimed };
}
