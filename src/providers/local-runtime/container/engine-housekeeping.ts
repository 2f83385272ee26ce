/**
 * Chores of the engine's sweep that are not the lifecycle: rotating logs of running containers,
 * removing the engine's cgroup parent directories once its last container is gone, and at start
 * the repair of what a kill of an engine left of containers it no longer runs.
 */
import { readFile, readdir, rm, rmdir } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { containerPaths } from "../layout.js";
import { unmountOverlay } from "../host/overlay-mount.js";
import { logRepair } from "../host/repair-log.js";
import type { ContainerManager } from "./container-manager.js";
import type { ContainerRecord } from "./container-record.js";
import { cgroupParents, containerCgroups, findMonitors, killQuietly, mountsUnder, removeCgroup } from "./host-leftovers.js";
import { rotateContainerLog } from "./log-rotation.js";

export class EngineHousekeeping {
  /** Parent cgroup directories the engine's containers were placed in (per controller). */
  private parents = new Set<string>();
  private idle: NodeJS.Timeout | undefined;
  /** A removal of the parents under way (its rmdirs await one by one). */
  private removing: Promise<void> | undefined;

  constructor(private readonly m: ContainerManager) {}

  async run(): Promise<void> {
    for (const r of this.m.list(false)) {
      if (r.state !== "running" || r.spec.logging?.maxSize === undefined) continue;
      const p = containerPaths(this.m.layout, r.id);
      await rotateContainerLog(p.log, p.bundle, r.spec.logging).catch(() => false);
    }
  }

  /**
   * At start, once interrupted transitions are settled and before any container starts: what
   * belongs to no running container of a record goes (runc state, monitors, spare shims, overlay
   * mounts, cgroups, exit files, attach sockets), each with a line on stderr. What running
   * containers hold stays: they are re-adopted.
   */
  async repairAtStart(): Promise<void> {
    const l = this.m.layout;
    const records = new Map(this.m.list(true).map((r) => [r.id, r]));
    const live = (id: string) => { const r = records.get(id); return r !== undefined && (r.state === "running" || r.state === "paused"); };
    const whose = (id: string) => { const r = records.get(id); return r ? `container ${r.name} (${id.slice(0, 12)}, ${r.state})` : `container ${id.slice(0, 12)} (no record)`; };
    const monitors = await findMonitors(l);
    // runc state first: `delete --force` also ends a container that an orphaned monitor still watches.
    for (const id of await readdir(l.runcRoot).catch(() => [] as string[])) {
      if (live(id)) continue;
      await this.m.runc.delete(id);
      logRepair("container", `deleted runc state of ${whose(id)}`);
    }
    for (const mon of monitors) {
      if (mon.id === undefined) {
        killQuietly(mon.pid);
        logRepair("container", `stopped a spare infra-shim (pid ${mon.pid}) of an earlier engine`);
      } else if (!live(mon.id)) {
        killQuietly(mon.pid);
        logRepair("container", `stopped the monitor (pid ${mon.pid}) of ${whose(mon.id)}`);
      }
    }
    const helper = this.m.opts.mountHelper ?? this.m.opts.hostHelper;
    for (const m of mountsUnder(await readFile("/proc/self/mountinfo", "utf8"), l.containersDir)) {
      if (live(m.id)) continue;
      await unmountOverlay(m.path, helper);
      logRepair("container", `unmounted ${m.path} of ${whose(m.id)}`);
    }
    const parents = cgroupParents(basename(l.cgroupParent), await readFile("/proc/self/cgroup", "utf8"), [...records.values()]);
    for (const cg of await containerCgroups(parents)) {
      if (live(cg.id)) continue;
      const ok = await removeCgroup(cg.dir);
      logRepair("container", ok ? `removed cgroup ${cg.dir} of ${whose(cg.id)}` : `could not remove cgroup ${cg.dir} of ${whose(cg.id)} (busy)`);
      if (ok) this.parents.add(dirname(cg.dir));
    }
    for (const [dir, what] of [[l.exitDir, "exit file"], [l.socketDir, "attach socket directory"]] as const) {
      for (const id of await readdir(dir).catch(() => [] as string[])) {
        if (records.has(id)) continue;
        await rm(join(dir, id), { recursive: true, force: true });
        logRepair("container", `removed the ${what} of ${whose(id)}`);
      }
    }
  }

  /**
   * After `rm`: once no container has been left for a moment, removes the parent directories runc
   * made for the engine (named after the layout's cgroup parent); rmdir fails harmlessly on a busy
   * one. Not at once: back-to-back `run --rm` would remove and remake them every time. The
   * container's own directories went with its runc state (releaseRuncState, or `runc delete`).
   */
  afterRemove(rec: ContainerRecord, last: boolean): void {
    const own = basename(this.m.layout.cgroupParent);
    for (const r of [rec, ...this.m.list(true)])
      for (const dir of Object.values(r.cgroupDirs ?? {})) if (basename(dirname(dir)) === own) this.parents.add(dirname(dir));
    if (this.idle) clearTimeout(this.idle);
    this.idle = undefined;
    if (!last) return;
    this.idle = setTimeout(() => { this.idle = undefined; if (this.m.list(true).length === 0) void this.removeParents(); }, PARENTS_IDLE_MS);
    this.idle.unref();
  }

  /** When the engine stops: the parents go now if no container is left. */
  async close(noneLeft: boolean): Promise<void> {
    if (this.idle) clearTimeout(this.idle);
    this.idle = undefined;
    if (noneLeft) await this.removeParents();
  }

  /**
   * Resolves once a removal of the parents under way is over. A start waits for it before runc
   * makes the container's cgroup: runc's mkdir of parent/child fails when the parent goes between.
   */
  parentsSettled(): Promise<void> {
    return this.removing ?? Promise.resolve();
  }

  private removeParents(): Promise<void> {
    this.removing ??= (async () => {
      for (const p of [...this.parents]) {
        if (this.m.list(true).length > 0) return; // a container came meanwhile: its parents stay
        await rmdir(p).catch(() => undefined);
        this.parents.delete(p);
      }
    })().finally(() => { this.removing = undefined; });
    return this.removing;
  }
}

/** How long the engine has had no container before its cgroup parents go. */
const PARENTS_IDLE_MS = 1000;
