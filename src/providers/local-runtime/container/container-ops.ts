/**
 * What a running container is asked besides its lifecycle: exec, logs, stats, top, cp.
 * Each reads the container's record and bundle; none keeps a process per container.
 */
import { randomBytes } from "node:crypto";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { containerPaths } from "../layout.js";
import { runtimeError } from "../runtime-error.js";
import { readCgroupStats } from "./cgroups.js";
import type { ContainerManager } from "./container-manager.js";
import { guard, type ContainerRecord } from "./container-record.js";
import { queryLog, readLogFiles, type LogLine, type LogQuery } from "./log-file.js";
import { commandFailure } from "./command-failure.js";
import { resolveUser } from "./resolve-user.js";
import { runcErrorText } from "./sync-pipe.js";

export interface ExecOptions {
  cmd: string[];
  env?: Record<string, string>;
  user?: string;
  workdir?: string;
  tty?: boolean;
}

/** Writes the process spec of an exec (the container's own process, with these changes). */
export async function writeExecSpec(m: ContainerManager, idOrName: string, o: ExecOptions): Promise<{ rec: ContainerRecord; file: string }> {
  const rec = m.get(idOrName);
  guard(rec, "exec");
  if (o.cmd.length === 0) throw runtimeError("Invalid", "NO_COMMAND", "exec needs a command", "infra exec NAME CMD [ARG...]");
  const p = containerPaths(m.layout, rec.id);
  const config = JSON.parse(await readFile(p.configJson, "utf8")) as { process: Record<string, unknown> & { env: string[]; user: unknown } };
  const proc: Record<string, unknown> = { ...config.process, args: o.cmd, terminal: o.tty ?? false };
  const env = new Map(config.process.env.map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
  for (const [k, v] of Object.entries(o.env ?? {})) env.set(k, v);
  proc.env = [...env].map(([k, v]) => `${k}=${v}`);
  if (o.workdir) proc.cwd = o.workdir;
  if (o.user) {
    const passwd = await readFile(join(p.rootfs, "etc/passwd"), "utf8").catch(() => "");
    const group = await readFile(join(p.rootfs, "etc/group"), "utf8").catch(() => "");
    const u = resolveUser(o.user, passwd, group);
    proc.user = { uid: u.uid, gid: u.gid, ...(u.additionalGids.length ? { additionalGids: u.additionalGids } : {}) };
  }
  const file = join(p.dir, `exec-${randomBytes(6).toString("hex")}.json`);
  await writeFile(file, JSON.stringify(proc), { mode: 0o600 }); // its env may hold secrets
  return { rec, file };
}

export async function execCollect(m: ContainerManager, idOrName: string, o: ExecOptions & { input?: string | Uint8Array; timeoutMs?: number }) {
  const { rec, file } = await writeExecSpec(m, idOrName, { ...o, tty: false });
  try {
    const r = await m.runc.exec(rec.id, file, o.input, o.timeoutMs);
    // runc exits 255 with its log line when the process never started; a process's own 255 has no such line.
    const failed = r.code === 255 ? commandFailure(runcErrorText(r.stderr), rec.name) : undefined;
    if (failed) throw failed;
    return { exitCode: r.signal ? 128 + 9 : r.code, stdout: r.stdout, stderr: r.stderr };
  } finally {
    await rm(file, { force: true });
  }
}

export async function containerLogs(m: ContainerManager, idOrName: string, q: LogQuery): Promise<LogLine[]> {
  const rec = m.get(idOrName);
  return queryLog(await readLogFiles(containerPaths(m.layout, rec.id).log, rec.spec.logging?.maxFiles ?? 1), q);
}

export interface ContainerStats {
  id: string;
  name: string;
  cpuNs: number;
  memoryUsage: number;
  memoryLimit: number;
  pids: number;
  blkRead: number;
  blkWrite: number;
  netRx: number;
  netTx: number;
  /** Wall-clock time of the sample (ms), for CPU % between two samples. */
  at: number;
}

export async function containerStats(m: ContainerManager, idOrName: string): Promise<ContainerStats> {
  const rec = m.get(idOrName);
  const cg = rec.cgroupDirs && (rec.state === "running" || rec.state === "paused") ? await readCgroupStats(rec.cgroupDirs) : undefined;
  let rx = 0, tx = 0;
  if (rec.pid && rec.state !== "exited" && rec.netnsPath !== "host") {
    const dev = await readFile(`/proc/${rec.pid}/net/dev`, "utf8").catch(() => "");
    for (const line of dev.split("\n").slice(2)) {
      const [name, rest] = line.split(":");
      if (!rest || name?.trim() === "lo") continue;
      const cols = rest.trim().split(/\s+/).map(Number);
      rx += cols[0] ?? 0;
      tx += cols[8] ?? 0;
    }
  }
  return {
    id: rec.id, name: rec.name, cpuNs: cg?.cpuNs ?? 0, memoryUsage: cg?.memoryUsage ?? 0,
    memoryLimit: cg?.memoryLimit ?? 0, pids: cg?.pids ?? 0, blkRead: cg?.blkRead ?? 0, blkWrite: cg?.blkWrite ?? 0,
    netRx: rx, netTx: tx, at: Date.now(),
  };
}

/** CPU % between two samples, Docker's way (share of one CPU, so up to 100 × CPUs). */
export function cpuPercent(a: ContainerStats, b: ContainerStats): number {
  const dt = (b.at - a.at) * 1e6;
  return dt > 0 ? ((b.cpuNs - a.cpuNs) / dt) * 100 : 0;
}

export async function containerTop(m: ContainerManager, idOrName: string): Promise<string> {
  const rec = m.get(idOrName);
  guard(rec, "exec", "top needs a running container");
  return m.runc.ps(rec.id);
}
