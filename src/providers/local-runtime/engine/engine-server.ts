/**
 * `infra engine`: the JSON API over HTTP on a root-only unix socket. Containers live under
 * conmon, so stopping this process leaves them running; the next engine re-adopts them.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { chmod, rm } from "node:fs/promises";
import { isProviderError } from "../../contract.js";
import { ContainerManager } from "../container/container-manager.js";
import { followContainerLogs } from "../container/log-follow.js";
import { connect } from "node:net";
import type { Duplex } from "node:stream";
import { handleAttachUpgrade } from "./engine-attach.js";
import { handleRun } from "./engine-run.js";
import { handleRunArgv, isRunArgvBody, type RunArgvHandler } from "./engine-run-argv.js";
import { HostHelper } from "../host/host-helper.js";
import { requireRoot } from "../host/needs-root.js";
import { hostHardLimits } from "../host/rlimits.js";
import { closeRunDir } from "../host/state-root.js";
import { ImageStore } from "../image/image-store.js";
import { resolveLayout, type Layout, type LayoutOptions } from "../layout.js";
import type { NetworkManager } from "../network/network-types.js";
import { runtimeError } from "../runtime-error.js";
import { VolumeStore } from "../volume/volume-store.js";
import { logRepair } from "../host/repair-log.js";
import { EngineClient } from "./engine-client.js";
import { claimEnginePid, releaseEnginePid } from "./engine-pid.js";
import { type EngineNetwork, type EngineNetworkOptions, networkOptionsFromEnv, networkingOff, openEngineNetwork, reconcileOf } from "./engine-network.js";
import { ROUTES, logQuery, type EngineContext } from "./engine-routes.js";
import { EngineEvents } from "./engine-events.js";
import { streamEvents } from "./engine-events-route.js";
import { loadEngineConfig, type EngineConfig } from "./engine-config.js";

const STATUS: Record<string, number> = { NotFound: 404, AlreadyExists: 409, Conflict: 409, Invalid: 400, Unavailable: 503, Internal: 500 };

export interface RunningEngine {
  layout: Layout;
  ctx: EngineContext;
  server: Server;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text === "" ? undefined : JSON.parse(text);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const data = JSON.stringify(body ?? null);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(data) });
  res.end(data);
}

/** Streams log lines as NDJSON until the container stops (logs -f), across log rotations. */
async function followLogs(ctx: EngineContext, id: string, q: URLSearchParams, res: ServerResponse): Promise<void> {
  ctx.manager.get(id);
  res.writeHead(200, { "content-type": "application/x-ndjson" });
  let closed = false;
  res.on("close", () => { closed = true; });
  await followContainerLogs(ctx.manager, id, logQuery(q), (l) => res.write(JSON.stringify(l) + "\n"), () => closed);
  res.end();
}

/** Two engines on one root would fight over containers, bridges and the DNS ports. */
async function refuseSecondEngine(layout: Layout): Promise<void> {
  const other = await new EngineClient(layout.engineSocket).call<{ pid: number }>("GET", "/ping", undefined, 2000).catch(() => undefined);
  if (other)
    throw runtimeError("AlreadyExists", "ENGINE_RUNNING", `an engine already serves ${layout.engineSocket} (pid ${other.pid})`, "use it, or stop it first");
}

/** True unless connecting is refused: a live engine too busy to answer a ping still holds its socket. */
function socketTaken(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect(path);
    c.once("connect", () => { c.destroy(); resolve(true); });
    c.once("error", (e: NodeJS.ErrnoException) => resolve(e.code !== "ECONNREFUSED" && e.code !== "ENOENT"));
  });
}

/** Listens on the socket; a socket file left by a dead engine is replaced, a live engine's is not. */
async function listenOnce(server: Server, layout: Layout): Promise<void> {
  const listen = () => new Promise<void>((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    server.once("error", onError);
    server.listen(layout.engineSocket, () => { server.off("error", onError); resolve(); });
  });
  try {
    await listen();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EADDRINUSE") throw e;
    await refuseSecondEngine(layout);
    // A slow ping (a loaded host) is no proof of a dead engine: only a refused connection is.
    if (await socketTaken(layout.engineSocket))
      throw runtimeError("AlreadyExists", "ENGINE_RUNNING", `an engine already listens on ${layout.engineSocket} (it did not answer a ping in time)`, "use it, or stop it first");
    await rm(layout.engineSocket, { force: true });
    await listen();
  }
}

export interface StartEngineOptions extends LayoutOptions {
  /** A NetworkManager to use, or false for none; default: the local one (unless INFRA_ENGINE_NETWORK=off). */
  network?: NetworkManager | false;
  /** Names and pool of the local NetworkManager; default from INFRA_NET_PREFIX / INFRA_NET_TABLE / INFRA_NET_POOL. */
  networkOptions?: EngineNetworkOptions;
  /** Parses `infra run` command lines for the argv form of `POST /run` (the CLI layer's); without it that form answers 409. */
  runArgv?: RunArgvHandler;
  /** Default: the file `$INFRA_CONFIG` (else /etc/infra/engine.json) names. */
  engineConfig?: EngineConfig;
}

export async function startEngine(opts: StartEngineOptions = {}): Promise<RunningEngine> {
  const layout = resolveLayout(opts);
  requireRoot("to run the engine");
  // A bad settings file stops the engine before it touches anything, naming the file and key.
  const engineConfig = opts.engineConfig ?? (await loadEngineConfig(process.env));
  await closeRunDir(layout);
  await refuseSecondEngine(layout);
  await claimEnginePid(layout);
  // infra-host processes of the engine: one for namespaces and links, one for root filesystems (mounts,
  // and unpacking layers); each answers in order, so a container's mount and its network set-up run at once.
  const hostHelper = HostHelper.find();
  const mountHelper = HostHelper.find();
  // Without a mount helper (INFRA_HOST_HELPER=off) the store starts an infra-host of its own to unpack.
  const images = new ImageStore(layout, mountHelper ? { helper: mountHelper } : {});
  await images.init();
  const volumes = new VolumeStore(layout.volumesDir);
  await volumes.repair();
  hostHelper?.warmUp();
  mountHelper?.warmUp();
  // INFRA_ENGINE_NETWORK=off: an engine without networking (tests that must not touch host bridges).
  const net: EngineNetwork = networkingOff(opts.network, process.env) ? {}
    : opts.network ? { network: opts.network }
    : await openEngineNetwork(layout, { ...networkOptionsFromEnv(process.env), ...opts.networkOptions, hostHelper: hostHelper ?? null });
  const network = net.network;
  const events = new EngineEvents();
  const manager = new ContainerManager({
    events,
    layout, images, volumes, hostHardLimits: hostHardLimits(),
    ...(network ? { network } : {}), ...(net.error !== undefined ? { networkError: net.error } : {}),
    ...(hostHelper ? { hostHelper } : {}),
    ...(mountHelper ? { mountHelper } : {}),
    spareShim: true,
  });
  await manager.init({ boot: true });
  // Network state of containers that are gone (removed while no engine ran, or a crash) is dropped.
  const reconcile = network ? reconcileOf(network) : undefined;
  if (network && reconcile) {
    await reconcile(manager.list(true).map((r) => r.id)).catch((e: unknown) => logRepair("network", `reconcile failed: ${(e as Error).message}`));
    for (const r of manager.list(true)) if (r.state !== "running" && r.state !== "paused" && !r.network) await network.tearDownContainer(r.id).catch(() => undefined);
  }
  const ctx: EngineContext = {
    manager, images, volumes, events, startedAt: new Date().toISOString(), engineConfig, pulls: new Map(),
    ...(network ? { network } : {}), ...(net.error !== undefined ? { networkError: net.error } : {}),
  };
  const server = createServer((req, res) => {
    // After the reply the engine waits for the next request: the time to fork a spare shim.
    res.on("finish", () => manager.refillSpare());
    void (async () => {
      try {
        const url = new URL(req.url ?? "/", "http://engine");
        if (req.method === "POST" && url.pathname === "/run") {
          const body = await readBody(req);
          return await (isRunArgvBody(body) ? handleRunArgv(ctx, body, res, opts.runArgv) : handleRun(ctx, body, res));
        }
        // What follows a `run --rm` sees none of its container (its clean-up runs after that reply).
        // `run` itself (above) needs no wait: the clean-up's network release is queued before any
        // later set-up, and the name is free already.
        if (url.pathname !== "/ping") await manager.settled();
        if (req.method === "GET" && url.searchParams.get("follow") === "1") {
          const m = /^\/containers\/([^/]+)\/logs$/.exec(url.pathname);
          if (m) return await followLogs(ctx, decodeURIComponent(m[1]!), url.searchParams, res);
        }
        if (req.method === "GET" && url.pathname === "/events") return await streamEvents(ctx, url.searchParams, res);
        for (const [method, re, handler] of ROUTES) {
          const m = re.exec(url.pathname);
          if (!m || method !== req.method) continue;
          const out = await handler(ctx, { params: m.slice(1), query: url.searchParams, body: await readBody(req) });
          return send(res, 200, out);
        }
        send(res, 404, { error: { category: "NotFound", code: "INFRA_RUNTIME_NO_ROUTE", message: `no route ${req.method} ${url.pathname}` } });
      } catch (e) {
        const error = isProviderError(e)
          ? { category: e.category, code: e.code, message: e.message, hint: e.hint }
          : { category: "Internal" as const, code: "INFRA_RUNTIME_INTERNAL", message: (e as Error).message };
        // A stream (logs -f) that fails after its headers went out ends with the error as its last line.
        if (res.headersSent) res.end(JSON.stringify({ error }) + "\n");
        else send(res, isProviderError(e) ? (STATUS[e.category] ?? 500) : 500, { error });
      }
    })();
  });
  // run -i / -it: attach sessions over an upgraded connection (engine-attach.ts).
  server.on("upgrade", (req: IncomingMessage, socket: Duplex) => void manager.settled().then(() => handleAttachUpgrade(ctx, req, socket)));
  const oldMask = process.umask(0o177);
  try {
    await listenOnce(server, layout);
  } catch (e) {
    await manager.close();
    await network?.close();
    hostHelper?.close();
    mountHelper?.close();
    images.close();
    await releaseEnginePid(layout);
    throw e;
  } finally {
    process.umask(oldMask);
  }
  await chmod(layout.engineSocket, 0o600);
  return {
    layout, ctx, server,
    async close() {
      events.close(); // `events` streams follow for ever: they end here, or server.close() would wait for them
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await manager.close();
      await network?.close();
      hostHelper?.close();
      mountHelper?.close();
      images.close();
      await releaseEnginePid(layout);
      await rm(layout.engineSocket, { force: true });
    },
  };
}
