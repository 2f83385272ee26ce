/**
 * Where a container's cgroups are and what they say. cgroup v1 (hybrid too): one directory per
 * controller; v2: one unified directory. Paths are read from /proc/PID/cgroup when the
 * container starts, so they stay right even if the engine later runs in another cgroup.
 */
import { existsSync } from "node:fs";
import { readFile, readdir, rmdir } from "node:fs/promises";
import { join } from "node:path";

export const CGROUP_ROOT = "/sys/fs/cgroup";

export function isCgroupV2(): boolean {
  return existsSync(join(CGROUP_ROOT, "cgroup.controllers"));
}

/** Parses /proc/PID/cgroup into absolute directories by controller ("" is the v2 hierarchy). */
export function cgroupDirsFrom(text: string, v2 = isCgroupV2()): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!m) continue;
    const ctrls = m[2]!;
    const path = m[3]!;
    if (ctrls === "") {
      out[""] = v2 ? join(CGROUP_ROOT, path) : join(CGROUP_ROOT, "unified", path);
      continue;
    }
    for (const c of ctrls.split(",")) {
      const mountName = c.startsWith("name=") ? c.slice(5) : c;
      out[c] = join(CGROUP_ROOT, mountName === "cpu" || mountName === "cpuacct" ? mountName : mountName, path);
    }
  }
  return out;
}

export async function readCgroupDirs(pid: number): Promise<Record<string, string>> {
  return cgroupDirsFrom(await readFile(`/proc/${pid}/cgroup`, "utf8"));
}

async function num(path: string | undefined): Promise<number | undefined> {
  if (path === undefined) return undefined;
  try {
    const s = (await readFile(path, "utf8")).trim();
    return s === "max" ? Infinity : Number(s);
  } catch {
    return undefined;
  }
}

async function kv(path: string): Promise<Record<string, number>> {
  try {
    const out: Record<string, number> = {};
    for (const l of (await readFile(path, "utf8")).split("\n")) {
      const [k, v] = l.trim().split(/\s+/);
      if (k && v) out[k] = Number(v);
    }
    return out;
  } catch {
    return {};
  }
}

export interface CgroupStats {
  /** Total CPU time used, in nanoseconds. */
  cpuNs: number;
  memoryUsage: number;
  memoryLimit: number;
  pids: number;
  blkRead: number;
  blkWrite: number;
  oomKills: number;
}

export async function readCgroupStats(dirs: Record<string, string>): Promise<CgroupStats> {
  const v2 = dirs[""] !== undefined && dirs.memory === undefined;
  if (v2) {
    const d = dirs[""]!;
    const cpu = await kv(join(d, "cpu.stat"));
    let r = 0, w = 0;
    try {
      for (const l of (await readFile(join(d, "io.stat"), "utf8")).split("\n")) {
        r += Number(/rbytes=(\d+)/.exec(l)?.[1] ?? 0);
        w += Number(/wbytes=(\d+)/.exec(l)?.[1] ?? 0);
      }
    } catch { /* no io controller */ }
    return {
      cpuNs: (cpu.usage_usec ?? 0) * 1000,
      memoryUsage: (await num(join(d, "memory.current"))) ?? 0,
      memoryLimit: (await num(join(d, "memory.max"))) ?? Infinity,
      pids: (await num(join(d, "pids.current"))) ?? 0,
      blkRead: r,
      blkWrite: w,
      oomKills: (await kv(join(d, "memory.events"))).oom_kill ?? 0,
    };
  }
  let r = 0, w = 0;
  if (dirs.blkio) {
    try {
      for (const l of (await readFile(join(dirs.blkio, "blkio.throttle.io_service_bytes"), "utf8")).split("\n")) {
        const [, op, v] = l.trim().split(/\s+/);
        if (op === "Read") r += Number(v);
        if (op === "Write") w += Number(v);
      }
    } catch { /* no blkio */ }
  }
  const mem = dirs.memory;
  return {
    cpuNs: (await num(dirs.cpuacct && join(dirs.cpuacct, "cpuacct.usage"))) ?? 0,
    memoryUsage: (await num(mem && join(mem, "memory.usage_in_bytes"))) ?? 0,
    memoryLimit: (await num(mem && join(mem, "memory.limit_in_bytes"))) ?? Infinity,
    pids: (await num(dirs.pids && join(dirs.pids, "pids.current"))) ?? 0,
    blkRead: r,
    blkWrite: w,
    oomKills: mem ? ((await kv(join(mem, "memory.oom_control"))).oom_kill ?? 0) : 0,
  };
}

/** Removes the engine's empty cgroup parent directories (runc removes the containers' own). */
export async function removeCgroupParent(parent: string, ownCgroupText: string): Promise<void> {
  const own = cgroupDirsFrom(ownCgroupText);
  const seen = new Set<string>();
  for (const dir of Object.values(own)) {
    const p = join(dir, parent);
    if (seen.has(p)) continue;
    seen.add(p);
    try {
      for (const child of await readdir(p, { withFileTypes: true })) if (child.isDirectory()) await rmdir(join(p, child.name)).catch(() => undefined);
      await rmdir(p);
    } catch { /* absent or busy */ }
  }
}
