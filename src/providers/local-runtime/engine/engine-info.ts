/**
 * `GET /info` (`infra info`): what the engine runs on and what it holds, as Docker's `info`
 * reports it. Host facts are read once per request, each bounded (a version probe has 5 s).
 */
import { accessSync, constants, existsSync, readFileSync, statfsSync } from "node:fs";
import { cpus, release, totalmem } from "node:os";
import { delimiter, join } from "node:path";
import { findShim } from "../container/shim.js";
import { runCommand } from "../host/run-command.js";
import { registriesConfigPath } from "../registry/registries-config.js";
import type { EngineContext } from "./engine-routes.js";

export interface EngineInfo {
  engineVersion: string;
  pid: number;
  startedAt: string;
  stateRoot: string;
  runRoot: string;
  cgroupVersion: "1" | "2";
  /** v1 with a v2 hierarchy mounted beside it (`unified`): Docker's "hybrid". */
  cgroupHybrid: boolean;
  cgroupDriver: "cgroupfs";
  runtime: { name: "runc"; path?: string; version?: string };
  /** infra-shim for containers without a terminal or stdin (when built), conmon for the rest. */
  monitors: Array<{ name: string; path?: string; version?: string }>;
  storageDriver: "overlay";
  networking: string;
  kernelVersion: string;
  operatingSystem: string;
  cpus: number;
  memoryBytes: number;
  containers: { total: number; running: number; paused: number; stopped: number };
  images: number;
  networks: number;
  volumes: number;
  /** registries.json as found; `error` when it cannot be read (pulls then fail with the same error). */
  registries: { insecure: string[]; search: string[]; mirrors: unknown; error?: string };
}

export async function engineInfo(ctx: EngineContext): Promise<EngineInfo> {
  const all = ctx.manager.list(true);
  const count = (s: string) => all.filter((r) => r.state === s).length;
  const [images, volumes, networks, runc, conmon] = await Promise.all([
    ctx.images.list(), ctx.volumes.list(),
    ctx.network ? ctx.network.listNetworks() : Promise.resolve([]),
    programVersion("runc"), programVersion("conmon"),
  ]);
  const shim = findShim();
  const cg = cgroupVersion();
  return {
    engineVersion: packageVersion(),
    pid: process.pid,
    startedAt: ctx.startedAt,
    stateRoot: ctx.manager.layout.root,
    runRoot: ctx.manager.layout.run,
    cgroupVersion: cg.version,
    cgroupHybrid: cg.hybrid,
    cgroupDriver: "cgroupfs",
    runtime: { name: "runc", ...runc },
    monitors: [...(shim ? [{ name: "infra-shim", path: shim }] : []), { name: "conmon", ...conmon }],
    storageDriver: "overlay",
    networking: ctx.network ? "on" : ctx.networkError !== undefined ? `failed: ${ctx.networkError}` : "off",
    kernelVersion: release(),
    operatingSystem: osName(),
    cpus: cpus().length,
    memoryBytes: totalmem(),
    containers: { total: all.length, running: count("running"), paused: count("paused"), stopped: all.length - count("running") - count("paused") },
    images: images.length,
    networks: networks.length,
    volumes: volumes.length,
    registries: registries(ctx.manager.layout.root),
  };
}

/** package.json sits four levels above this file in src/ and in dist/ alike. */
function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL("../../../../package.json", import.meta.url), "utf8")) as { version?: string }).version ?? "unknown";
  } catch {
    return "unknown";
  }
}

/** cgroup2fs at /sys/fs/cgroup is v2; otherwise v1, hybrid when `unified` holds a v2 tree. */
function cgroupVersion(): { version: "1" | "2"; hybrid: boolean } {
  const CGROUP2_MAGIC = 0x63677270;
  try {
    if (statfsSync("/sys/fs/cgroup").type === CGROUP2_MAGIC) return { version: "2", hybrid: false };
  } catch {
    // no cgroup mount at all: reported as v1, as runc would look for it
  }
  let hybrid = false;
  try {
    hybrid = statfsSync("/sys/fs/cgroup/unified").type === CGROUP2_MAGIC;
  } catch {
    hybrid = false;
  }
  return { version: "1", hybrid };
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin").split(delimiter)) {
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The program's path and the first line of `--version` ("runc version 1.1.5+ds1" → "1.1.5+ds1"). */
async function programVersion(name: string): Promise<{ path?: string; version?: string }> {
  const path = onPath(name);
  if (!path) return {};
  const r = await runCommand(path, ["--version"], { timeoutMs: 5000 }).catch(() => undefined);
  const m = /version\s+(\S+)/.exec(r?.stdout ?? "");
  return m ? { path, version: m[1]! } : { path };
}

function osName(): string {
  for (const f of ["/etc/os-release", "/usr/lib/os-release"]) {
    if (!existsSync(f)) continue;
    const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync(f, "utf8"));
    if (m) return m[1]!;
  }
  return "Linux";
}

/** registries.json as written (bounded: it is the engine's own file); `mirrors` is reported as found. */
function registries(root: string): EngineInfo["registries"] {
  let raw: { insecure?: unknown; search?: unknown; mirrors?: unknown; "registry-mirrors"?: unknown } = {};
  const path = registriesConfigPath(root);
  try {
    if (existsSync(path)) raw = JSON.parse(readFileSync(path, "utf8")) as typeof raw;
  } catch (e) {
    return { insecure: [], search: [], mirrors: null, error: `${path}: ${(e as Error).message}` };
  }
  if (typeof raw !== "object" || raw === null) return { insecure: [], search: [], mirrors: null, error: `${path}: not a JSON object` };
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
  return { insecure: strings(raw.insecure), search: strings(raw.search), mirrors: raw.mirrors ?? raw["registry-mirrors"] ?? null };
}
