/**
 * Which monitor runs a container: infra-shim (one `runc run -d`, ~20 ms less per start) when the
 * container has no terminal, no stdin and nobody needs to attach before it starts; conmon
 * otherwise, or when the shim is not built. `INFRA_MONITOR=conmon` forces conmon (comparisons).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readCgroupDirs } from "./cgroups.js";
import { startConmon, type ConmonOptions } from "./conmon.js";
import { findShim, startShim, type SpareShims } from "./shim.js";

export interface MonitorStart {
  /** The container's init process. */
  pid: number;
  /** The monitor's pid (conmon's or the shim's), watched by the sweep. */
  monitorPid: number | undefined;
  /** True when the container already runs (shim); false when it still needs `runc start` (conmon). */
  running: boolean;
  monitor: "infra-shim" | "conmon";
}

export interface MonitorChoice {
  /** Something must happen between create and start (an attach): only conmon splits the two. */
  needsCreatedState: boolean;
  env?: NodeJS.ProcessEnv;
  /** Shims started ahead of need (the engine's). */
  spares?: SpareShims;
}

/** The shim's path when it may run this container; pure apart from the file lookup. */
export function chooseShim(o: Pick<ConmonOptions, "terminal" | "stdin">, c: MonitorChoice, find: () => string | undefined = findShim): string | undefined {
  if (o.terminal || o.stdin || c.needsCreatedState) return undefined;
  if ((c.env ?? process.env).INFRA_MONITOR === "conmon") return undefined;
  return find();
}

export async function startMonitor(o: ConmonOptions, c: MonitorChoice): Promise<MonitorStart> {
  const shim = chooseShim(o, c);
  if (shim !== undefined) return { ...(await startShim(o, shim, c.spares)), running: true, monitor: "infra-shim" };
  return { ...(await startConmon(o)), running: false, monitor: "conmon" };
}

/**
 * The container's cgroup directories. runc's state file has them whatever the process does (a
 * short container under the shim may be gone already, and a zombie's /proc/PID/cgroup says "/").
 */
export async function containerCgroupDirs(runcRoot: string, id: string, pid: number): Promise<Record<string, string>> {
  try {
    // Read at once: a small file, on the path of every start.
    const state = JSON.parse(readFileSync(join(runcRoot, id, "state.json"), "utf8")) as { cgroup_paths?: Record<string, string> };
    if (state.cgroup_paths && Object.keys(state.cgroup_paths).length > 0) return state.cgroup_paths;
  } catch { /* fall back to the process */ }
  return readCgroupDirs(pid);
}
