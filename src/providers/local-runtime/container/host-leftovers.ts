/**
 * Finding what containers of this engine left on the host, by what marks it as this engine's and
 * never by a program's name: monitors by their exit directory (or the spare shims' socket) in
 * /proc/PID/cmdline, mounts by their place under the containers directory, cgroups by their place
 * under the engine's cgroup parent. Used by the repairs at start (engine-housekeeping.ts).
 */
import { readFile, readdir, rmdir } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { Layout } from "../layout.js";
import { cgroupDirsFrom } from "./cgroups.js";
import type { ContainerRecord } from "./container-record.js";

export interface MonitorProcess {
  pid: number;
  /** The container it watches (`-c ID`); absent for a spare shim waiting for its arguments. */
  id?: string;
}

/** conmon and infra-shim processes of this engine (their `--exit-dir` is its), and its waiting spare shims. */
export async function findMonitors(layout: Layout): Promise<MonitorProcess[]> {
  const spareSocket = join(layout.run, "shim-spares.sock");
  const out: MonitorProcess[] = [];
  for (const d of await readdir("/proc")) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    const argv = (await readFile(`/proc/${d}/cmdline`, "utf8").catch(() => "")).split("\0");
    const e = argv.indexOf("--exit-dir");
    if (e > 0 && argv[e + 1] === layout.exitDir) {
      const c = argv.indexOf("-c");
      const id = c > 0 ? argv[c + 1] : undefined;
      out.push(id !== undefined && id !== "" ? { pid: Number(d), id } : { pid: Number(d) });
    } else if (argv[1] === "--spare-socket" && argv[2] === spareSocket) out.push({ pid: Number(d) });
  }
  return out;
}

/** Mount points under the containers directory, by container id, deepest first (from /proc/self/mountinfo). */
export function mountsUnder(mountinfo: string, containersDir: string): Array<{ id: string; path: string }> {
  const out: Array<{ id: string; path: string }> = [];
  for (const line of mountinfo.split("\n")) {
    const raw = line.split(" ")[4];
    if (raw === undefined) continue;
    const path = raw.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
    if (!path.startsWith(`${containersDir}/`)) continue;
    const id = path.slice(containersDir.length + 1).split("/")[0]!;
    out.push({ id, path });
  }
  return out.sort((a, b) => b.path.length - a.path.length);
}

/**
 * The directories the engine's container cgroups sit in: the cgroup parent under the engine's own
 * cgroup (per controller), and the parents recorded by containers (an engine started elsewhere).
 */
export function cgroupParents(parent: string, ownCgroupText: string, records: readonly ContainerRecord[]): string[] {
  const out = new Set(Object.values(cgroupDirsFrom(ownCgroupText)).map((d) => join(d, parent)));
  for (const r of records) for (const d of Object.values(r.cgroupDirs ?? {})) if (basename(dirname(d)) === parent) out.add(dirname(d));
  return [...out];
}

/** Container cgroups (named by a 64-hex id) in the parents, as [id, directory]. */
export async function containerCgroups(parents: readonly string[]): Promise<Array<{ id: string; dir: string }>> {
  const out: Array<{ id: string; dir: string }> = [];
  for (const p of parents) {
    const children = await readdir(p, { withFileTypes: true }).catch(() => []);
    for (const c of children) if (c.isDirectory() && /^[0-9a-f]{64}$/.test(c.name)) out.push({ id: c.name, dir: join(p, c.name) });
  }
  return out;
}

/**
 * Removes a container's cgroup directory; processes still in it (a container without runc state
 * or monitor) are killed first: the directory's place makes them this engine's.
 */
export async function removeCgroup(dir: string): Promise<boolean> {
  if (await rmdir(dir).then(() => true, (e: NodeJS.ErrnoException) => e.code === "ENOENT")) return true;
  const procs = (await readFile(join(dir, "cgroup.procs"), "utf8").catch(() => "")).split("\n").filter(Boolean).map(Number);
  for (const pid of procs) killQuietly(pid);
  for (let i = 0; i < 40; i++) {
    await new Promise((r) => setTimeout(r, 25));
    if (await rmdir(dir).then(() => true, (e: NodeJS.ErrnoException) => e.code === "ENOENT")) return true;
  }
  return false;
}

/** SIGKILL to a pid that may be gone already. */
export function killQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // gone already
  }
}
