/**
 * Chores of the engine's sweep that are not the lifecycle: rotating logs of running containers,
 * and removing the engine's cgroup parent directories once its last container is gone.
 */
import { rmdir } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { containerPaths } from "../layout.js";
import type { ContainerManager } from "./container-manager.js";
import type { ContainerRecord } from "./container-record.js";
import { rotateContainerLog } from "./log-rotation.js";

export class EngineHousekeeping {
  /** Parent cgroup directories the engine's containers were placed in (per controller). */
  private parents = new Set<string>();

  constructor(private readonly m: ContainerManager) {}

  async run(): Promise<void> {
    for (const r of this.m.list(false)) {
      if (r.state !== "running" || r.spec.logging?.maxSize === undefined) continue;
      const p = containerPaths(this.m.layout, r.id);
      await rotateContainerLog(p.log, p.bundle, r.spec.logging).catch(() => false);
    }
  }

  /**
   * After `rm`: when no container is left, removes the parent directories runc made for the
   * engine (named after the layout's cgroup parent); rmdir fails harmlessly on a busy one.
   */
  async afterRemove(rec: ContainerRecord, last: boolean): Promise<void> {
    const own = basename(this.m.layout.cgroupParent);
    for (const r of [rec, ...this.m.list(true)])
      for (const dir of Object.values(r.cgroupDirs ?? {})) if (basename(dirname(dir)) === own) this.parents.add(dirname(dir));
    for (const dir of Object.values(rec.cgroupDirs ?? {})) if (basename(dirname(dir)) === own) await rmdir(dir).catch(() => undefined);
    if (!last) return;
    for (const p of this.parents) await rmdir(p).catch(() => undefined);
    this.parents.clear();
  }
}
