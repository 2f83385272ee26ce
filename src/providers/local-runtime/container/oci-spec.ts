/**
 * The OCI runtime `config.json` of a container, computed from resolved inputs. Pure: no I/O,
 * so that it is snapshot-tested without root; the container manager writes it to the bundle.
 */
import type { ResourcesSpec } from "../../../graph/specs.js";
import { ALL_CAPS, DEFAULT_CAPS, DEFAULT_DEVICE_RULES, DEFAULT_SHM_SIZE, MASKED_PATHS, READONLY_PATHS, defaultMounts, type OciMount } from "./oci-defaults.js";
import { defaultSeccompProfile } from "./seccomp-profile.js";

export interface OciProcessInput {
  args: string[];
  env: string[];
  cwd: string;
  uid: number;
  gid: number;
  additionalGids?: number[];
  terminal: boolean;
}

export interface OciSpecInput {
  hostname: string;
  domainname?: string;
  process: OciProcessInput;
  /** Absolute path of the (mounted) root filesystem. */
  rootfs: string;
  readOnlyRootfs?: boolean;
  privileged?: boolean;
  capAdd?: string[];
  capDrop?: string[];
  /** Default true. */
  noNewPrivileges?: boolean;
  /** Pinned netns file; "host" shares the host's namespace; "private" lets runc make a new one. */
  netns: string;
  /** Volumes, binds, tmpfs and the engine's /etc files, already resolved to host paths. */
  mounts: OciMount[];
  resources?: ResourcesSpec;
  /** The caller's hard limits by rlimit name (RLIMIT_NOFILE ...): the bundle never asks for more. */
  hostHardLimits: Record<string, number>;
  ulimits?: Array<{ name: string; soft: number; hard: number }>;
  sysctls?: Record<string, string>;
  devices?: Array<{ path: string; type: "c" | "b"; major: number; minor: number; fileMode?: number; permissions: string }>;
  /** cgroupfs path, relative to the runtime's own cgroup. */
  cgroupsPath: string;
  annotations?: Record<string, string>;
}

/** Normalises "net_admin", "NET_ADMIN", "CAP_NET_ADMIN" to "CAP_NET_ADMIN"; "ALL" stays. */
export function capName(c: string): string {
  const up = c.trim().toUpperCase();
  return up === "ALL" || up.startsWith("CAP_") ? up : `CAP_${up}`;
}

export function effectiveCaps(privileged: boolean, add: string[] = [], drop: string[] = []): string[] {
  if (privileged) return [...ALL_CAPS];
  const a = add.map(capName);
  const d = drop.map(capName);
  let caps = d.includes("ALL") ? [] : DEFAULT_CAPS.filter((c) => !d.includes(c));
  caps = a.includes("ALL") ? [...ALL_CAPS] : [...caps, ...a.filter((c) => !caps.includes(c))];
  return caps;
}

function rlimitName(n: string): string {
  const up = n.toUpperCase();
  return up.startsWith("RLIMIT_") ? up : `RLIMIT_${up}`;
}

function rlimits(input: OciSpecInput) {
  const want = new Map<string, { soft: number; hard: number }>();
  want.set("RLIMIT_NOFILE", { soft: 1048576, hard: 1048576 });
  for (const u of input.ulimits ?? []) want.set(rlimitName(u.name), { soft: u.soft, hard: u.hard });
  return [...want].map(([type, l]) => {
    const cap = input.hostHardLimits[type];
    const hard = cap === undefined ? l.hard : Math.min(l.hard, cap);
    return { type, hard, soft: Math.min(l.soft, hard) };
  });
}

function cgroupResources(r: ResourcesSpec = {}, privileged: boolean) {
  const out: Record<string, unknown> = { devices: privileged ? [{ allow: true, access: "rwm" }] : DEFAULT_DEVICE_RULES };
  const memory: Record<string, number> = {};
  if (r.memory !== undefined) memory.limit = r.memory;
  if (r.memorySwap !== undefined) memory.swap = r.memorySwap;
  if (Object.keys(memory).length > 0) out.memory = memory;
  const cpu: Record<string, number | string> = {};
  if (r.cpus !== undefined) {
    cpu.period = 100000;
    cpu.quota = Math.round(r.cpus * 100000);
  }
  if (r.cpuShares !== undefined) cpu.shares = r.cpuShares;
  if (r.cpusetCpus !== undefined) cpu.cpus = String(r.cpusetCpus);
  if (Object.keys(cpu).length > 0) out.cpu = cpu;
  if (r.pidsLimit !== undefined) out.pids = { limit: r.pidsLimit };
  if (r.blkioWeight !== undefined) out.blockIO = { weight: r.blkioWeight };
  return out;
}

export function buildOciSpec(input: OciSpecInput) {
  const privileged = input.privileged ?? false;
  const caps = effectiveCaps(privileged, input.capAdd, input.capDrop);
  const namespaces: Array<{ type: string; path?: string }> = [{ type: "pid" }, { type: "ipc" }, { type: "uts" }, { type: "mount" }];
  if (input.netns === "private") namespaces.push({ type: "network" });
  else if (input.netns !== "host") namespaces.push({ type: "network", path: input.netns });
  const shm = input.resources?.shmSize ?? DEFAULT_SHM_SIZE;
  const sysctls: Record<string, string> = { ...(input.sysctls ?? {}) };
  if (input.netns !== "host") {
    // As Docker: a private netns lets unprivileged users ping and bind low ports.
    sysctls["net.ipv4.ping_group_range"] ??= "0 2147483647";
    sysctls["net.ipv4.ip_unprivileged_port_start"] ??= "0";
  }
  const process: Record<string, unknown> = {
    terminal: input.process.terminal,
    user: { uid: input.process.uid, gid: input.process.gid, ...(input.process.additionalGids?.length ? { additionalGids: input.process.additionalGids } : {}) },
    args: input.process.args,
    env: input.process.env,
    cwd: input.process.cwd,
    capabilities: { bounding: caps, effective: caps, permitted: caps },
    rlimits: rlimits(input),
    noNewPrivileges: privileged ? false : input.noNewPrivileges ?? true,
    oomScoreAdj: 0,
  };
  const linux: Record<string, unknown> = {
    namespaces,
    cgroupsPath: input.cgroupsPath,
    resources: cgroupResources(input.resources, privileged),
    sysctl: sysctls,
  };
  if (!privileged) {
    linux.maskedPaths = MASKED_PATHS;
    linux.readonlyPaths = READONLY_PATHS;
    linux.seccomp = defaultSeccompProfile();
  }
  if (input.devices?.length) {
    linux.devices = input.devices.map((d) => ({ path: d.path, type: d.type, major: d.major, minor: d.minor, fileMode: d.fileMode ?? 0o666, uid: 0, gid: 0 }));
    const rules = linux.resources as { devices: unknown[] };
    rules.devices = [...rules.devices, ...input.devices.map((d) => ({ allow: true, type: d.type, major: d.major, minor: d.minor, access: d.permissions }))];
  }
  return {
    ociVersion: "1.0.2",
    process,
    root: { path: input.rootfs, readonly: input.readOnlyRootfs ?? false },
    hostname: input.hostname,
    ...(input.domainname ? { domainname: input.domainname } : {}),
    mounts: [...defaultMounts(shm, privileged), ...input.mounts],
    linux,
    ...(input.annotations ? { annotations: input.annotations } : {}),
  };
}
export type OciSpec = ReturnType<typeof buildOciSpec>;
