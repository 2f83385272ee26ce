/**
 * Docker's `run`/`create` flags turned into a ContainerSpec. Pure, apart from reading
 * --env-file through the given reader.
 */
import { pullPolicyFlag } from "./pull-flag.js";
import { randomBytes } from "node:crypto";
import { isAbsolute } from "node:path";
import type { ContainerSpec, MountSpec, PortSpec } from "../../graph/specs.js";
import { InfraError } from "../../diag/infra-error.js";
import { parseFlags, splitFlags, usageError, type FlagSpecs, type ParsedFlags } from "../parse-flags.js";

export const CONTAINER_FLAGS: FlagSpecs = {
  rm: { kind: "boolean" }, detach: { kind: "boolean", short: "d" }, "detach-keys": { kind: "string" }, interactive: { kind: "boolean", short: "i" },
  tty: { kind: "boolean", short: "t" }, name: { kind: "string" }, env: { kind: "list", short: "e" },
  "env-file": { kind: "list" }, volume: { kind: "list", short: "v" }, mount: { kind: "list" }, publish: { kind: "list", short: "p" },
  network: { kind: "string" }, net: { kind: "string" }, link: { kind: "list" }, memory: { kind: "string", short: "m" },
  "memory-swap": { kind: "string" }, cpus: { kind: "string" }, "cpu-shares": { kind: "string" }, "cpuset-cpus": { kind: "string" },
  "pids-limit": { kind: "string" }, user: { kind: "string", short: "u" }, workdir: { kind: "string", short: "w" },
  entrypoint: { kind: "string" }, restart: { kind: "string" }, init: { kind: "boolean" }, "read-only": { kind: "boolean" },
  "cap-add": { kind: "list" }, "cap-drop": { kind: "list" }, privileged: { kind: "boolean" }, "volumes-from": { kind: "list" },
  tmpfs: { kind: "list" }, hostname: { kind: "string", short: "h" }, label: { kind: "list", short: "l" },
  "stop-signal": { kind: "string" }, "stop-timeout": { kind: "string" }, "shm-size": { kind: "string" },
  "health-cmd": { kind: "string" }, "health-interval": { kind: "string" }, "health-timeout": { kind: "string" },
  "health-retries": { kind: "string" }, "health-start-period": { kind: "string" }, "no-healthcheck": { kind: "boolean" },
  "log-max-size": { kind: "string" }, "log-max-file": { kind: "string" }, dns: { kind: "list" }, "add-host": { kind: "list" },
  "publish-all": { kind: "boolean", short: "P" }, expose: { kind: "list" }, ulimit: { kind: "list" }, sysctl: { kind: "list" },
  device: { kind: "list" }, ip: { kind: "string" }, "network-alias": { kind: "list" }, pull: { kind: "string" },
  cidfile: { kind: "string" }, attach: { kind: "list", short: "a" },
};

export function parseSize(v: string, flag: string, cmd: string): number {
  const m = /^(\d+(?:\.\d+)?)([bkmg]?)b?$/i.exec(v.trim());
  if (!m) throw usageError("INFRA_CLI_BAD_SIZE", `${flag}: '${v}' is not a size (e.g. 64m, 1g)`, cmd);
  const mult = { "": 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase() as "" | "b" | "k" | "m" | "g"];
  return Math.round(Number(m[1]) * mult);
}

function num(v: string, flag: string, cmd: string): number {
  const n = Number(v);
  if (!Number.isFinite(n)) throw usageError("INFRA_CLI_BAD_NUMBER", `${flag}: '${v}' is not a number`, cmd);
  return n;
}

function parseVolume(v: string, cmd: string): MountSpec {
  const parts = v.split(":");
  const [a, b, opts] = parts;
  if (parts.length === 1) return { type: "volume", target: a! };
  if (!a || !b || parts.length > 3) throw usageError("INFRA_CLI_BAD_VOLUME", `-v '${v}': use SOURCE:TARGET[:ro]`, cmd);
  const ro = (opts ?? "").split(",").includes("ro");
  return isAbsolute(a) ? { type: "bind", source: a, target: b, readOnly: ro, createHostPath: true } : { type: "volume", source: a, target: b, readOnly: ro };
}

function parseMount(v: string, cmd: string): MountSpec {
  const kv = Object.fromEntries(v.split(",").map((p) => { const i = p.indexOf("="); return i < 0 ? [p, "true"] : [p.slice(0, i), p.slice(i + 1)]; }));
  const type = (kv.type ?? "volume") as MountSpec["type"];
  const target = kv.target ?? kv.destination ?? kv.dst;
  if (!target || !["volume", "bind", "tmpfs"].includes(type)) throw usageError("INFRA_CLI_BAD_MOUNT", `--mount '${v}': needs type=volume|bind|tmpfs and target=PATH`, cmd);
  const m: MountSpec = { type, target, readOnly: kv.readonly === "true" || kv.ro === "true" };
  const src = kv.source ?? kv.src;
  if (src) m.source = src;
  if (kv["tmpfs-size"]) m.tmpfsSize = parseSize(kv["tmpfs-size"], "--mount", cmd);
  if (kv["volume-nocopy"] === "true") m.noCopy = true;
  return m;
}

export function parsePort(v: string, cmd: string): PortSpec {
  const [spec, proto = "tcp"] = v.split("/");
  const parts = spec!.split(":");
  const container = parts.pop()!;
  const host = parts.pop();
  const ip = parts.pop();
  const p: PortSpec = { containerPort: num(container, "-p", cmd), protocol: proto as "tcp" | "udp" };
  if (host) p.hostPort = num(host, "-p", cmd);
  if (ip) p.hostIp = ip;
  return p;
}

/** `env`: where `-e VAR` (no value) takes VAR from; the engine passes the client's for the native launcher. */
export function parseContainerFlags(argv: string[], cmd: string, readFile: (p: string) => string, env: NodeJS.ProcessEnv = process.env): { f: ParsedFlags; spec: ContainerSpec } {
  const { flags, rest } = splitFlags(argv, CONTAINER_FLAGS, cmd, true);
  const f = parseFlags(flags, CONTAINER_FLAGS, cmd);
  const image = rest[0];
  if (!image) throw usageError("INFRA_CLI_MISSING_IMAGE", `"infra ${cmd}" needs an image`, cmd);
  const s = f.strings, l = f.lists;
  const vars: Record<string, string> = {};
  for (const file of l["env-file"] ?? []) for (const line of readEnvFile(file, readFile).split("\n")) {
    const t = line.trim();
    if (t && !t.startsWith("#")) { const i = t.indexOf("="); if (i > 0) vars[t.slice(0, i)] = t.slice(i + 1); }
  }
  for (const e of l.env ?? []) { const i = e.indexOf("="); if (i > 0) vars[e.slice(0, i)] = e.slice(i + 1); else if (env[e] !== undefined) vars[e] = env[e]!; }
  const spec: ContainerSpec = { name: s.name ?? `infra_${randomBytes(4).toString("hex")}`, image };
  if (rest.length > 1) spec.command = rest.slice(1);
  if (Object.keys(vars).length) spec.env = vars;
  if (s.entrypoint !== undefined) spec.entrypoint = s.entrypoint === "" ? [] : [s.entrypoint];
  if (s.user) spec.user = s.user;
  if (s.workdir) spec.workingDir = s.workdir;
  if (s.hostname) spec.hostname = s.hostname;
  if (f.booleans.tty) spec.tty = true;
  if (f.booleans.interactive) spec.stdinOpen = true;
  const mounts = [...(l.volume ?? []).map((v) => parseVolume(v, cmd)), ...(l.mount ?? []).map((v) => parseMount(v, cmd)),
    ...(l.tmpfs ?? []).map((v): MountSpec => { const [target, o = ""] = v.split(":"); const size = /size=([^,]+)/.exec(o)?.[1]; return { type: "tmpfs", target: target!, ...(size ? { tmpfsSize: parseSize(size, "--tmpfs", cmd) } : {}) }; })];
  if (mounts.length) spec.mounts = mounts;
  if (l["volumes-from"]) spec.volumesFrom = l["volumes-from"].map((v) => { const [container, mode] = v.split(":"); return { container: container!, readOnly: mode === "ro" }; });
  if (l.publish) spec.ports = l.publish.map((p) => parsePort(p, cmd));
  const net = s.network ?? s.net;
  if (net) spec.networkMode = net.startsWith("container:") ? { container: net.slice(10) } : net === "host" || net === "none" || net === "bridge" ? net : "bridge";
  if (net && !["host", "none", "bridge"].includes(net) && !net.startsWith("container:")) spec.networks = [{ network: net }];
  if (l.link) spec.links = l.link.map((x) => { const [c, a] = x.split(":"); return { container: c!, alias: a ?? c! }; });
  const r: NonNullable<ContainerSpec["resources"]> = {};
  if (s.memory) r.memory = parseSize(s.memory, "--memory", cmd);
  if (s["memory-swap"]) r.memorySwap = s["memory-swap"] === "-1" ? -1 : parseSize(s["memory-swap"], "--memory-swap", cmd);
  if (s.cpus) r.cpus = num(s.cpus, "--cpus", cmd);
  if (s["cpu-shares"]) r.cpuShares = num(s["cpu-shares"], "--cpu-shares", cmd);
  if (s["cpuset-cpus"]) r.cpusetCpus = s["cpuset-cpus"];
  if (s["pids-limit"]) r.pidsLimit = num(s["pids-limit"], "--pids-limit", cmd);
  if (s["shm-size"]) r.shmSize = parseSize(s["shm-size"], "--shm-size", cmd);
  if (Object.keys(r).length) spec.resources = r;
  if (s.restart) {
    const [policy, max] = s.restart.split(":");
    if (!["no", "on-failure", "always", "unless-stopped"].includes(policy!)) throw usageError("INFRA_CLI_BAD_RESTART", `--restart '${s.restart}': use no, on-failure[:N], always or unless-stopped`, cmd);
    spec.restart = { policy: policy as "no", ...(max ? { maxRetries: num(max, "--restart", cmd) } : {}) };
  }
  if (f.booleans.init) spec.init = true;
  if (f.booleans["read-only"]) spec.readOnlyRootfs = true;
  if (f.booleans.privileged) spec.privileged = true;
  if (l["cap-add"]) spec.capAdd = l["cap-add"];
  if (l["cap-drop"]) spec.capDrop = l["cap-drop"];
  if (l.label) spec.labels = Object.fromEntries(l.label.map((x) => { const i = x.indexOf("="); return i < 0 ? [x, ""] : [x.slice(0, i), x.slice(i + 1)]; }));
  if (s["stop-signal"]) spec.stopSignal = s["stop-signal"];
  if (s["stop-timeout"]) spec.stopTimeout = num(s["stop-timeout"], "--stop-timeout", cmd);
  if (l.dns) spec.dns = l.dns;
  if (l["add-host"]) spec.extraHosts = l["add-host"].map((x) => { const [host, ip] = x.split(":"); return { host: host!, ip: ip ?? "" }; });
  if (s["log-max-size"] || s["log-max-file"]) spec.logging = { ...(s["log-max-size"] ? { maxSize: parseSize(s["log-max-size"], "--log-max-size", cmd) } : {}), ...(s["log-max-file"] ? { maxFiles: num(s["log-max-file"], "--log-max-file", cmd) } : {}) };
  const hc = healthcheckFlags(f, cmd);
  if (hc) spec.healthcheck = hc;
  if (l.ulimit) spec.ulimits = l.ulimit.map((u) => parseUlimit(u, cmd));
  if (l.sysctl) spec.sysctls = Object.fromEntries(l.sysctl.map((x) => { const i = x.indexOf("="); if (i <= 0) throw usageError("INFRA_CLI_BAD_SYSCTL", `--sysctl '${x}': use NAME=VALUE`, cmd); return [x.slice(0, i), x.slice(i + 1)]; }));
  if (l.device) spec.devices = l.device.map((d) => parseDevice(d, cmd));
  if (s.ip !== undefined || l["network-alias"]) {
    // Docker's rule: an address or alias belongs to a user network (the default bridge has neither).
    const first = spec.networks?.[0];
    if (!first) throw usageError("INFRA_CLI_USER_NETWORK_NEEDED", `${s.ip !== undefined ? "--ip" : "--network-alias"} needs a user network: give --network NAME (not bridge, host or none)`, cmd);
    if (s.ip !== undefined) {
      if (!/^(\d{1,3})(\.\d{1,3}){3}$/.test(s.ip) || s.ip.split(".").some((o) => Number(o) > 255)) throw usageError("INFRA_CLI_BAD_IP", `--ip '${s.ip}' is not an IPv4 address`, cmd);
      first.ipv4Address = s.ip;
    }
    if (l["network-alias"]) first.aliases = l["network-alias"];
  }
  pullPolicyFlag(f, cmd); // checked here, before anything is created; the engine pulls
  for (const a of l.attach ?? []) if (!["stdin", "stdout", "stderr"].includes(a.toLowerCase())) throw usageError("INFRA_CLI_BAD_ATTACH", `-a '${a}': use stdin, stdout or stderr`, cmd);
  for (const e of l.expose ?? []) parseExpose(e, cmd);
  return { f, spec };
}

/** `--ulimit nofile=1024[:2048]` (soft[:hard], -1 for unlimited). */
function parseUlimit(v: string, cmd: string): { name: string; soft: number; hard: number } {
  const m = /^([a-z]+)=(-?\d+)(?::(-?\d+))?$/.exec(v);
  if (!m) throw usageError("INFRA_CLI_BAD_ULIMIT", `--ulimit '${v}': use NAME=SOFT[:HARD], e.g. nofile=1024:2048`, cmd);
  const soft = Number(m[2]), hard = m[3] !== undefined ? Number(m[3]) : soft;
  if (soft > hard && hard !== -1) throw usageError("INFRA_CLI_BAD_ULIMIT", `--ulimit '${v}': the soft limit is above the hard one`, cmd);
  return { name: m[1]!, soft, hard };
}

/** `--device HOST[:CONTAINER[:PERMISSIONS]]`, e.g. /dev/fuse or /dev/sda:/dev/xvda:r. */
function parseDevice(v: string, cmd: string): { hostPath: string; containerPath: string; permissions: string } {
  const [host, second, third] = v.split(":");
  const perms = third ?? (second !== undefined && /^[rwm]+$/.test(second) ? second : "rwm");
  const ctr = second !== undefined && !/^[rwm]+$/.test(second) ? second : host;
  if (!host || !isAbsolute(host) || !ctr || !isAbsolute(ctr) || !/^[rwm]+$/.test(perms)) throw usageError("INFRA_CLI_BAD_DEVICE", `--device '${v}': use HOST_PATH[:CONTAINER_PATH[:rwm]]`, cmd);
  return { hostPath: host, containerPath: ctr, permissions: perms };
}

/** `--expose 80`, `--expose 53/udp`, `--expose 8000-8010`: the ports -P publishes. */
export function parseExpose(v: string, cmd: string): Array<{ port: number; protocol: "tcp" | "udp" }> {
  const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp))?$/.exec(v);
  const first = Number(m?.[1]), last = Number(m?.[2] ?? m?.[1]);
  if (!m || first < 1 || last > 65535 || last < first) throw usageError("INFRA_CLI_BAD_EXPOSE", `--expose '${v}': use PORT[-PORT][/tcp|udp]`, cmd);
  return Array.from({ length: last - first + 1 }, (_, i) => ({ port: first + i, protocol: (m[3] ?? "tcp") as "tcp" | "udp" }));
}

/** A missing or unreadable --env-file is the user's to fix, not an internal error. */
function readEnvFile(file: string, readFile: (p: string) => string): string {
  try {
    return readFile(file);
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message;
    throw new InfraError("INFRA_CLI_ENV_FILE_UNREADABLE", `--env-file '${file}' cannot be read: ${why}`, {
      hint: "Give a file of NAME=VALUE lines; a relative path is relative to the current directory.", exitCode: 1, cause: e,
    });
  }
}

/** Docker's duration syntax for health flags: 500ms, 30s, 1m30s, 1h. */
export function parseDurationMs(v: string, flag: string, cmd: string): number {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0, m: RegExpExecArray | null, end = 0;
  while ((m = re.exec(v))) { total += Number(m[1]) * { ms: 1, s: 1000, m: 60000, h: 3600000 }[m[2] as "ms"]; end = re.lastIndex; }
  if (end !== v.length || v === "") throw usageError("INFRA_CLI_BAD_DURATION", `${flag}: '${v}' is not a duration (e.g. 500ms, 30s, 1m)`, cmd);
  return total;
}

function healthcheckFlags(f: ParsedFlags, cmd: string): ContainerSpec["healthcheck"] | undefined {
  const s = f.strings;
  if (f.booleans["no-healthcheck"]) return { test: ["NONE"] };
  const any = ["health-cmd", "health-interval", "health-timeout", "health-retries", "health-start-period"].some((k) => s[k] !== undefined);
  if (!any) return undefined;
  // Timings without --health-cmd change the image's check (an empty test keeps its command).
  const hc: NonNullable<ContainerSpec["healthcheck"]> = { test: s["health-cmd"] !== undefined ? ["CMD-SHELL", s["health-cmd"]] : [] };
  if (s["health-interval"]) hc.intervalMs = parseDurationMs(s["health-interval"], "--health-interval", cmd);
  if (s["health-timeout"]) hc.timeoutMs = parseDurationMs(s["health-timeout"], "--health-timeout", cmd);
  if (s["health-start-period"]) hc.startPeriodMs = parseDurationMs(s["health-start-period"], "--health-start-period", cmd);
  if (s["health-retries"]) hc.retries = num(s["health-retries"], "--health-retries", cmd);
  return hc;
}
