/**
 * A container's overlay root filesystem: mounted and unmounted by infra-host when the engine has
 * it (a pipe round trip), else by mount(8)/umount(8) (a process each, ~3 ms).
 */
import { readFile } from "node:fs/promises";
import type { HostHelper } from "./host-helper.js";
import { mustRun, runCommand } from "./run-command.js";

export interface OverlayDirs {
  /** Lower directories, topmost first. */
  lowers: string[];
  upper: string;
  work: string;
  target: string;
}

/** Mounts the overlay on `target` with the options the engine always uses (index off). */
export async function mountOverlay(dirs: OverlayDirs, helper?: HostHelper): Promise<void> {
  if (helper !== undefined) {
    await helper.request("mount-overlay", { lower: dirs.lowers.join(":"), upper: dirs.upper, work: dirs.work, target: dirs.target });
    return;
  }
  await mustRun("mount", ["-t", "overlay", "overlay", "-o", `lowerdir=${dirs.lowers.join(":")},upperdir=${dirs.upper},workdir=${dirs.work},index=off`, dirs.target]);
}

/**
 * Unmounts `target` if it is mounted; a failure is left for the next start or rm to retry (as
 * with umount(8) before). The helper treats "not mounted" as done, so no mountinfo read.
 */
export async function unmountOverlay(target: string, helper?: HostHelper): Promise<void> {
  if (helper !== undefined) {
    await helper.request("umount", { target }).catch(() => undefined);
    return;
  }
  const mounts = await readFile("/proc/self/mountinfo", "utf8");
  if (mounts.includes(` ${target} `)) await runCommand("umount", [target]);
}
