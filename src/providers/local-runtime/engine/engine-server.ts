/**
 * `infra engine`: the JSON API over HTTP on a root-only unix socket. Containers live under
 * conmon, so stopping this process leaves them running; the next engine re-adopts them.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { chmod, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { isProviderError } from "../../contract.js";
import { ContainerManager } from "../container/container-manager.js";
import { containerLogs } from "../container/container-ops.js";
import { hostHardLimits } from "../host/rlimits.js";
import { ImageStore } from "../image/image-store.js";
import { resolveLayout, type Layout, type LayoutOptions } from "../layout.js";
import type { NetworkManager } from "../network/network-types.js";
import { VolumeStore } from "../volume/volume-store.js";
import { ROUTES, logQuery, type EngineContext } from "./engine-routes.js";

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

/** Streams log lines as NDJSON until the container stops (logs -f). */
async function followLogs(ctx: EngineContext, id: string, q: URLSearchParams, res: ServerResponse): Promise<void> {
  res.writeHead(200, { "content-type": "application/x-ndjson" });
  let sent = 0;
  let first = true;
  let closed = false;
  res.on("close", () => { closed = true; });
  while (!closed) {
    const all = await containerLogs(ctx.manager, id, first ? {} : {});
    const initial = first ? await containerLogs(ctx.manager, id, logQuery(q)) : [];
    if (first) { for (const l of initial) res.write(JSON.stringify(l) + "\n"); sent = all.length; first = false; }
    else { for (const l of all.slice(sent)) res.write(JSON.stringify(l) + "\n"); sent = all.length; }
    const rec = ctx.manager.find(id);
    if (!rec || (rec.state !== "running" && rec.state !== "paused")) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  res.end();
}

async function loadNetworkManager(layout: Layout): Promise<NetworkManager | undefined> {
  try {
    const modPath = "../network/network-manager.js";
    const mod = (await import(modPath)) as { createNetworkManager?: (o: { root: string; run: string }) => Promise<NetworkManager> };
    if (!mod.createNetworkManager) return undefined;
    const nm = await mod.createNetworkManager({ root: layout.root, run: layout.run });
    await nm.init();
    return nm;
  } catch {
    return undefined;
  }
}

export async function startEngine(opts: LayoutOptions & { network?: NetworkManager | false } = {}): Promise<RunningEngine> {
  const layout = resolveLayout(opts);
  await mkdir(layout.run, { recursive: true, mode: 0o700 });
  const images = new ImageStore(layout);
  await images.init();
  const volumes = new VolumeStore(layout.volumesDir);
  // INFRA_ENGINE_NETWORK=off: an engine without networking (tests that must not touch host bridges).
  const off = opts.network === false || process.env.INFRA_ENGINE_NETWORK === "off";
  const network = off || opts.network === false ? undefined : opts.network ?? (await loadNetworkManager(layout));
  const manager = new ContainerManager({ layout, images, volumes, hostHardLimits: hostHardLimits(), ...(network ? { network } : {}) });
  await manager.init({ boot: true });
  const ctx: EngineContext = { manager, images, volumes, startedAt: new Date().toISOString(), ...(network ? { network } : {}) };
  const server = createServer((req, res) => {
    void (async () => {
      try {
        const url = new URL(req.url ?? "/", "http://engine");
        if (req.method === "GET" && url.searchParams.get("follow") === "1") {
          const m = /^\/containers\/([^/]+)\/logs$/.exec(url.pathname);
          if (m) return await followLogs(ctx, decodeURIComponent(m[1]!), url.searchParams, res);
        }
        for (const [method, re, handler] of ROUTES) {
          const m = re.exec(url.pathname);
          if (!m || method !== req.method) continue;
          const out = await handler(ctx, { params: m.slice(1), query: url.searchParams, body: await readBody(req) });
          return send(res, 200, out);
        }
        send(res, 404, { error: { category: "NotFound", code: "INFRA_RUNTIME_NO_ROUTE", message: `no route ${req.method} ${url.pathname}` } });
      } catch (e) {
        if (isProviderError(e)) send(res, STATUS[e.category] ?? 500, { error: { category: e.category, code: e.code, message: e.message, hint: e.hint } });
        else send(res, 500, { error: { category: "Internal", code: "INFRA_RUNTIME_INTERNAL", message: (e as Error).message } });
      }
    })();
  });
  await rm(layout.engineSocket, { force: true });
  const oldMask = process.umask(0o177);
  await new Promise<void>((resolve, reject) => { server.once("error", reject); server.listen(layout.engineSocket, resolve); });
  process.umask(oldMask);
  await chmod(layout.engineSocket, 0o600);
  await writeFile(layout.enginePidFile, String(process.pid));
  return {
    layout, ctx, server,
    async close() {
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await manager.close();
      await network?.close();
      if ((await readFile(layout.enginePidFile, "utf8").catch(() => "")) === String(process.pid)) await rm(layout.enginePidFile, { force: true });
      await rm(layout.engineSocket, { force: true });
    },
  };
}
