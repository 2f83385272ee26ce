/**
 * The engine's JSON API, as a table of routes over the container manager and the stores.
 * Transport-free: the HTTP server maps requests to these handlers.
 */
import type { ContainerSpec, NetworkSpec, ResourcesSpec, RestartSpec, VolumeSpec } from "../../../graph/specs.js";
import type { ContainerManager } from "../container/container-manager.js";
import { containerLogs, containerStats, containerTop, execCollect, writeExecSpec, type ExecOptions } from "../container/container-ops.js";
import type { ImageStore } from "../image/image-store.js";
import type { NetworkManager } from "../network/network-types.js";
import { runtimeError } from "../runtime-error.js";
import type { VolumeStore } from "../volume/volume-store.js";

export interface EngineContext {
  manager: ContainerManager;
  images: ImageStore;
  volumes: VolumeStore;
  network?: NetworkManager;
  startedAt: string;
}

export interface RouteRequest {
  params: string[];
  query: URLSearchParams;
  body: unknown;
}

export type Handler = (ctx: EngineContext, req: RouteRequest) => Promise<unknown>;

function net(ctx: EngineContext): NetworkManager {
  if (!ctx.network) throw runtimeError("Unavailable", "NETWORK_UNAVAILABLE", "networking is not available in this engine");
  return ctx.network;
}

const b = <T>(r: RouteRequest) => (r.body ?? {}) as T;
const p = (r: RouteRequest, i = 0) => decodeURIComponent(r.params[i] ?? "");

export const ROUTES: Array<[string, RegExp, Handler]> = [
  ["GET", /^\/ping$/, async (c) => ({ ok: true, pid: process.pid, startedAt: c.startedAt, rssBytes: process.memoryUsage().rss })],
  ["GET", /^\/containers$/, async (c, r) => c.manager.list(r.query.get("all") === "1")],
  ["POST", /^\/containers$/, async (c, r) => c.manager.create(b<ContainerSpec>(r))],
  ["GET", /^\/containers\/([^/]+)$/, async (c, r) => c.manager.get(p(r))],
  ["DELETE", /^\/containers\/([^/]+)$/, async (c, r) => {
    await c.manager.remove(p(r), { force: r.query.get("force") === "1", volumes: r.query.get("volumes") === "1" });
    return {};
  }],
  ["POST", /^\/containers\/([^/]+)\/start$/, async (c, r) => c.manager.start(p(r))],
  ["POST", /^\/containers\/([^/]+)\/stop$/, async (c, r) => c.manager.stop(p(r), r.query.has("t") ? Number(r.query.get("t")) : undefined)],
  ["POST", /^\/containers\/([^/]+)\/restart$/, async (c, r) => c.manager.restart(p(r), r.query.has("t") ? Number(r.query.get("t")) : undefined)],
  ["POST", /^\/containers\/([^/]+)\/kill$/, async (c, r) => { await c.manager.kill(p(r), r.query.get("signal") ?? "SIGKILL"); return {}; }],
  ["POST", /^\/containers\/([^/]+)\/pause$/, async (c, r) => { await c.manager.pause(p(r)); return {}; }],
  ["POST", /^\/containers\/([^/]+)\/unpause$/, async (c, r) => { await c.manager.unpause(p(r)); return {}; }],
  ["POST", /^\/containers\/([^/]+)\/update$/, async (c, r) => c.manager.update(p(r), b<{ resources?: ResourcesSpec; restart?: RestartSpec; labels?: Record<string, string> }>(r))],
  ["POST", /^\/containers\/([^/]+)\/wait$/, async (c, r) => {
    const rec = c.manager.get(p(r));
    await c.manager.waitExit(rec.id, r.query.has("timeoutMs") ? Number(r.query.get("timeoutMs")) : Infinity);
    return c.manager.get(rec.id);
  }],
  ["POST", /^\/containers\/([^/]+)\/exec$/, async (c, r) => execCollect(c.manager, p(r), b<ExecOptions & { input?: string }>(r))],
  ["POST", /^\/containers\/([^/]+)\/exec-spec$/, async (c, r) => {
    const { rec, file } = await writeExecSpec(c.manager, p(r), b<ExecOptions>(r));
    return { argv: c.manager.runc.execArgv(rec.id, file) };
  }],
  ["GET", /^\/containers\/([^/]+)\/logs$/, async (c, r) => containerLogs(c.manager, p(r), logQuery(r.query))],
  ["GET", /^\/containers\/([^/]+)\/stats$/, async (c, r) => containerStats(c.manager, p(r))],
  ["GET", /^\/containers\/([^/]+)\/top$/, async (c, r) => ({ text: await containerTop(c.manager, p(r)) })],
  ["GET", /^\/images$/, async (c) => c.images.list()],
  ["GET", /^\/images\/(.+)$/, async (c, r) => c.images.mustResolve(p(r))],
  ["DELETE", /^\/images\/(.+)$/, async (c, r) => {
    const inUse = c.manager.imagesInUse();
    const res = await c.images.remove(p(r), { force: r.query.get("force") === "1", inUse: (id) => inUse.has(id) });
    await c.images.gc(inUse);
    return res;
  }],
  ["POST", /^\/images\/gc$/, async (c) => c.images.gc(c.manager.imagesInUse())],
  ["GET", /^\/volumes$/, async (c) => c.volumes.list()],
  ["POST", /^\/volumes$/, async (c, r) => c.volumes.create(b<Partial<VolumeSpec>>(r))],
  ["POST", /^\/volumes\/prune$/, async (c, r) => {
    const used = new Set(c.manager.list(true).flatMap((x) => x.mounts.filter((m) => m.type === "volume").map((m) => m.source!)));
    return { removed: await c.volumes.prune(used, r.query.get("all") === "1") };
  }],
  ["GET", /^\/volumes\/([^/]+)$/, async (c, r) => c.volumes.mustGet(p(r))],
  ["DELETE", /^\/volumes\/([^/]+)$/, async (c, r) => { await c.volumes.remove(p(r), c.manager.volumeUsers(p(r))); return {}; }],
  ["GET", /^\/networks$/, async (c) => net(c).listNetworks()],
  ["POST", /^\/networks$/, async (c, r) => net(c).createNetwork(b<NetworkSpec>(r))],
  ["GET", /^\/networks\/([^/]+)$/, async (c, r) => {
    const n = await net(c).inspectNetwork(p(r));
    if (!n) throw runtimeError("NotFound", "NETWORK_NOT_FOUND", `no such network: ${p(r)}`);
    return n;
  }],
  ["DELETE", /^\/networks\/([^/]+)$/, async (c, r) => { await net(c).removeNetwork(p(r)); return {}; }],
];

export function logQuery(q: URLSearchParams): { tail?: number; since?: string } {
  const out: { tail?: number; since?: string } = {};
  if (q.has("tail") && q.get("tail") !== "all") out.tail = Number(q.get("tail"));
  if (q.has("since")) out.since = q.get("since")!;
  return out;
}
