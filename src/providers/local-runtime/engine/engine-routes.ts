/**
 * The engine's JSON API, as a table of routes over the container manager and the stores.
 * Transport-free: the HTTP server maps requests to these handlers.
 */
import type { ContainerSpec, NetworkAttachmentSpec, NetworkSpec, ResourcesSpec, RestartSpec, VolumeSpec } from "../../../graph/specs.js";
import { isProviderError, ProviderError } from "../../contract.js";
import type { ContainerManager } from "../container/container-manager.js";
import { copyContainer, type CopyRequest } from "../container/container-copy.js";
import { containerLogs, containerStats, containerTop, execCollect, writeExecSpec, type ExecOptions } from "../container/container-ops.js";
import { effectiveNetworks } from "../container/network-attachments.js";
import type { ImageStore } from "../image/image-store.js";
import type { NetworkManager, NetworkRecord } from "../network/network-types.js";
import type { ImageRecord } from "../image/image-types.js";
import type { EngineConfig } from "./engine-config.js";
import { ensureImage, needsPull, pullPolicyOf } from "./engine-pull.js";
import { runtimeError } from "../runtime-error.js";
import type { VolumeStore } from "../volume/volume-store.js";
import { diskUsage } from "./engine-disk-usage.js";
import { checkReportedImageEvent, type EngineEvents } from "./engine-events.js";
import { engineInfo } from "./engine-info.js";
import { systemPrune } from "./engine-system-prune.js";

export interface EngineContext {
  manager: ContainerManager;
  images: ImageStore;
  volumes: VolumeStore;
  /** The event bus (`infra events`): the manager publishes container events, the routes the rest. */
  events: EngineEvents;
  network?: NetworkManager;
  /** Why networking failed to start (the engine runs on, without it). */
  networkError?: string;
  startedAt: string;
  /** The engine settings file, read at start (registry mirrors, insecure registries). */
  engineConfig: EngineConfig;
  /** Pulls under way, by policy and name: concurrent creates of one image share a transfer. */
  pulls: Map<string, Promise<ImageRecord | undefined>>;
}

export interface RouteRequest {
  params: string[];
  query: URLSearchParams;
  body: unknown;
}

export type Handler = (ctx: EngineContext, req: RouteRequest) => Promise<unknown>;

function net(ctx: EngineContext): NetworkManager {
  if (!ctx.network)
    throw runtimeError("Unavailable", "NETWORK_UNAVAILABLE", ctx.networkError !== undefined ? `networking failed to start in this engine: ${ctx.networkError}` : "networking is not available in this engine");
  return ctx.network;
}

const b = <T>(r: RouteRequest) => (r.body ?? {}) as T;
const p = (r: RouteRequest, i = 0) => decodeURIComponent(r.params[i] ?? "");

export const ROUTES: Array<[string, RegExp, Handler]> = [
  ["GET", /^\/ping$/, async (c) => ({
    ok: true, pid: process.pid, startedAt: c.startedAt, rssBytes: process.memoryUsage().rss,
    networking: c.network ? "on" : c.networkError !== undefined ? `failed: ${c.networkError}` : "off",
  })],
  ["GET", /^\/containers$/, async (c, r) => c.manager.list(r.query.get("all") === "1")],
  // ?rm=1: `--rm`, kept on the record; the engine removes the container at its exit (also after a restart).
  // ?pull=missing (default)|always|never: the image is pulled first when the policy says so.
  ["POST", /^\/containers$/, async (c, r) => {
    await ensureImage(c, b<ContainerSpec>(r).image, pullPolicyOf(r.query.get("pull") ?? undefined));
    return c.manager.create(b<ContainerSpec>(r), r.query.get("rm") === "1" ? { autoRemove: true } : {});
  }],
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
  ["POST", /^\/containers\/([^/]+)\/update$/, async (c, r) => c.manager.update(p(r), b<{ resources?: ResourcesSpec; restart?: RestartSpec; labels?: Record<string, string>; networks?: NetworkAttachmentSpec[] }>(r))],
  ["POST", /^\/containers\/([^/]+)\/wait$/, async (c, r) => {
    const rec = c.manager.get(p(r));
    await c.manager.waitExit(rec.id, r.query.has("timeoutMs") ? Number(r.query.get("timeoutMs")) : Infinity);
    return c.manager.lastRecord(rec.id) ?? c.manager.get(rec.id);
  }],
  ["POST", /^\/containers\/([^/]+)\/exec$/, async (c, r) => execCollect(c.manager, p(r), b<ExecOptions & { input?: string }>(r))],
  ["POST", /^\/containers\/([^/]+)\/exec-spec$/, async (c, r) => {
    const { rec, file } = await writeExecSpec(c.manager, p(r), b<ExecOptions>(r));
    return { argv: c.manager.runc.execArgv(rec.id, file) };
  }],
  ["GET", /^\/containers\/([^/]+)\/logs$/, async (c, r) => containerLogs(c.manager, p(r), logQuery(r.query))],
  ["POST", /^\/containers\/([^/]+)\/copy$/, async (c, r) => copyContainer(c.manager, p(r), b<CopyRequest>(r))],
  // compose's service_healthy polls this; "none" when the container has no check.
  ["GET", /^\/containers\/([^/]+)\/health$/, async (c, r) => {
    const rec = c.manager.get(p(r));
    return { id: rec.id, state: rec.state, status: rec.health?.status ?? "none", failingStreak: rec.health?.failingStreak ?? 0, log: rec.health?.log ?? [] };
  }],
  ["GET", /^\/containers\/([^/]+)\/stats$/, async (c, r) => containerStats(c.manager, p(r))],
  ["GET", /^\/containers\/([^/]+)\/top$/, async (c, r) => ({ text: await containerTop(c.manager, p(r)) })],
  ["GET", /^\/images$/, async (c) => c.images.list()],
  // {name, pull}: the image resource of a stack (compose pull_policy); answers the stored image.
  ["POST", /^\/images\/pull$/, async (c, r) => {
    const body = b<{ name?: unknown; pull?: unknown }>(r);
    if (typeof body.name !== "string" || body.name === "") throw runtimeError("Invalid", "BAD_REQUEST", "the request names no image", "send {\"name\": NAME, \"pull\": POLICY}");
    return (await ensureImage(c, body.name, pullPolicyOf(body.pull))) ?? c.images.mustResolve(body.name);
  }],
  // ?pull=POLICY: whether creating a container of this image would pull it (plan notes).
  ["GET", /^\/images\/([^/]+)\/pull-needed$/, async (c, r) => {
    const name = await needsPull(c, p(r), pullPolicyOf(r.query.get("pull") ?? undefined));
    return name === undefined ? { pull: false } : { pull: true, name };
  }],
  ["GET", /^\/images\/(.+)$/, async (c, r) => c.images.mustResolve(p(r))],
  ["DELETE", /^\/images\/(.+)$/, async (c, r) => {
    const inUse = c.manager.imagesInUse();
    const img = await c.images.mustResolve(p(r));
    const res = await c.images.remove(p(r), { force: r.query.get("force") === "1", inUse: (id) => inUse.has(id) });
    publishImageRemoval(c, img.id, res);
    await c.images.gc(inUse);
    return res;
  }],
  ["POST", /^\/images\/gc$/, async (c) => c.images.gc(c.manager.imagesInUse())],
  ["GET", /^\/volumes$/, async (c) => c.volumes.list()],
  ["POST", /^\/volumes$/, async (c, r) => {
    const v = await c.volumes.create(b<Partial<VolumeSpec>>(r));
    c.events.publish("volume", "create", v.name, { driver: v.driver });
    return v;
  }],
  ["POST", /^\/volumes\/prune$/, async (c, r) => {
    const used = new Set(c.manager.list(true).flatMap((x) => x.mounts.filter((m) => m.type === "volume").map((m) => m.source!)));
    const removed = await c.volumes.prune(used, r.query.get("all") === "1");
    for (const v of removed) c.events.publish("volume", "destroy", v, { driver: "local" });
    return { removed };
  }],
  ["GET", /^\/volumes\/([^/]+)$/, async (c, r) => c.volumes.mustGet(p(r))],
  ["DELETE", /^\/volumes\/([^/]+)$/, async (c, r) => {
    await c.volumes.remove(p(r), c.manager.volumeUsers(p(r)));
    c.events.publish("volume", "destroy", p(r), { driver: "local" });
    return {};
  }],
  // Image changes made in a CLI process (pull, tag, load, import, build) are reported here.
  ["POST", /^\/events$/, async (c, r) => { const e = checkReportedImageEvent(r.body); c.events.publish("image", e.action, e.id, { name: e.name }); return {}; }],
  ["GET", /^\/info$/, async (c) => engineInfo(c)],
  ["GET", /^\/system\/df$/, async (c) => diskUsage(c)],
  ["POST", /^\/system\/prune$/, async (c, r) => systemPrune(c, { all: r.query.get("all") === "1", volumes: r.query.get("volumes") === "1", filters: r.query.getAll("filter") })],
  ["GET", /^\/networks$/, async (c) => net(c).listNetworks()],
  ["POST", /^\/networks$/, async (c, r) => {
    const n = await net(c).createNetwork(b<NetworkSpec>(r));
    c.events.publish("network", "create", n.id, { name: n.name, type: n.driver });
    return n;
  }],
  ["POST", /^\/networks\/prune$/, async (c) => ({ removed: await pruneNetworks(c) })],
  ["POST", /^\/networks\/([^/]+)\/connect$/, async (c, r) => {
    const body = b<{ container?: string; aliases?: string[]; ipv4Address?: string; macAddress?: string }>(r);
    net(c);
    const ep = await c.manager.connectNetwork(mustContainer(body.container), {
      network: p(r), aliases: body.aliases ?? [],
      ...(body.ipv4Address ? { ipv4Address: body.ipv4Address } : {}), ...(body.macAddress ? { macAddress: body.macAddress } : {}),
    });
    await publishNetworkEvent(c, "connect", p(r), body.container!);
    // A stopped container is attached when it starts: no interface yet.
    return ep ?? { network: p(r), ifname: "", ipv4Address: "", prefixLength: 0, gateway: "", macAddress: "", aliases: body.aliases ?? [] };
  }],
  ["POST", /^\/networks\/([^/]+)\/disconnect$/, async (c, r) => {
    net(c);
    await c.manager.disconnectNetwork(mustContainer(b<{ container?: string }>(r).container), p(r));
    await publishNetworkEvent(c, "disconnect", p(r), b<{ container: string }>(r).container);
    return {};
  }],
  ["GET", /^\/networks\/([^/]+)$/, async (c, r) => {
    const n = await net(c).inspectNetwork(p(r));
    if (!n) throw runtimeError("NotFound", "NETWORK_NOT_FOUND", `no such network: ${p(r)}`);
    return n;
  }],
  ["DELETE", /^\/networks\/([^/]+)$/, async (c, r) => {
    const n = await net(c).inspectNetwork(p(r));
    await removeUnusedNetwork(c, p(r));
    if (n) c.events.publish("network", "destroy", n.id, { name: n.name, type: n.driver });
    return {};
  }],
];

function mustContainer(v: string | undefined): string {
  if (typeof v !== "string" || v === "") throw runtimeError("Invalid", "BAD_REQUEST", "the request names no container", "send {\"container\": NAME}");
  return v;
}

/**
 * `network rm`: refused while any container refers to the network, running or not. The network
 * manager knows only wired endpoints; a created or stopped container would be left naming a
 * network that is gone (and a destroy would report the network destroyed while it is in use).
 */
async function removeUnusedNetwork(c: EngineContext, nameOrId: string): Promise<void> {
  const n = net(c);
  const rec = await n.inspectNetwork(nameOrId);
  if (rec !== undefined) {
    const users = c.manager.list(true).filter((x) => (x.spec.networkMode ?? "bridge") === "bridge" && effectiveNetworks(x.spec).some((a) => a.network === rec.name || a.network === rec.id));
    if (users.length > 0) {
      const names = users.map((u) => `${u.name} (${u.state})`).join(", ");
      // The network manager's code for the same refusal (wired endpoints).
      throw new ProviderError("Conflict", "INFRA_NET_IN_USE", `network "${rec.name}" is used by ${users.length === 1 ? "container" : "containers"} ${names}`, { hint: "remove those containers first, or disconnect them" });
    }
  }
  await n.removeNetwork(nameOrId);
}

/** Removes user networks no container refers to (running or not: a stopped one still needs its networks) and `may` allows. */
export async function pruneNetworks(c: EngineContext, may: (n: NetworkRecord) => boolean = () => true): Promise<string[]> {
  const n = net(c);
  const used = new Set(c.manager.list(true).filter((r) => (r.spec.networkMode ?? "bridge") === "bridge").flatMap((r) => effectiveNetworks(r.spec).map((a) => a.network)));
  const removed: string[] = [];
  for (const rec of await n.listNetworks()) {
    if (PREDEFINED_NETWORKS.includes(rec.name) || used.has(rec.name) || used.has(rec.id) || !may(rec)) continue;
    try {
      await n.removeNetwork(rec.id);
      c.events.publish("network", "destroy", rec.id, { name: rec.name, type: rec.driver });
      removed.push(rec.name);
    } catch (e) {
      // Attached since we looked: it stays, as prune promises.
      if (!(isProviderError(e) && e.category === "Conflict")) throw e;
    }
  }
  return removed;
}

/** `connect`/`disconnect` events name the network (its id as the actor) and the container's id. */
async function publishNetworkEvent(c: EngineContext, action: "connect" | "disconnect", network: string, container: string): Promise<void> {
  const n = await net(c).inspectNetwork(network);
  c.events.publish("network", action, n?.id ?? network, { name: n?.name ?? network, type: n?.driver ?? "bridge", container: c.manager.get(container).id });
}

export function publishImageRemoval(c: EngineContext, imageId: string, res: { untagged: string[]; deleted: string[] }): void {
  for (const name of res.untagged) c.events.publish("image", "untag", imageId, { name });
  for (const id of res.deleted) c.events.publish("image", "delete", id, { name: res.untagged[0] ?? id });
}

const PREDEFINED_NETWORKS = ["bridge", "host", "none"];

export function logQuery(q: URLSearchParams): { tail?: number; since?: string } {
  const out: { tail?: number; since?: string } = {};
  if (q.has("tail") && q.get("tail") !== "all") out.tail = Number(q.get("tail"));
  if (q.has("since")) out.since = q.get("since")!;
  return out;
}
