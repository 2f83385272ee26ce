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
  private idle: NodeJS.Timeout | undefined;

  constructor(private readonly m: ContainerManager) {}

  async run(): Promise<void> {
    for (const r of this.m.list(false)) {
      if (r.state !== "running" || r.spec.logging?.maxSize === undefined) continue;
      const p = containerPaths(this.m.layout, r.id);
      await rotateContainerLog(p.log, p.bundle, r.spec.logging).catch(() => false);
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

  private async removeParents(): Promise<void> {
    for (const p of this.parents) await rmdir(p).catch(() => undefined);
    this.parents.clear();
  }
}

/** How long the engine has had no container before its cgroup parents go. */
const PARENTS_IDLE_MS = 1000;
