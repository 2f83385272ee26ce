/**
 * The root filesystem of one build step: an overlay of the parent's unpacked layers with a
 * fresh upper directory, so that afterwards the upper directory holds exactly the step's
 * changes. Also a read-only view of a stage or image for COPY --from. `dispose` unmounts and
 * removes everything, whatever happened before.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { mustRun, runCommand } from "../host/run-command.js";

export class StepRootfs {
  private mounted = false;
  private constructor(readonly dir: string, readonly rootfs: string, readonly upper: string, readonly work: string) {}

  /** `lowers` newest first, as ImageStore.layerDirs returns them. */
  static async mount(buildDir: string, lowers: readonly string[], opts: { readOnly?: boolean } = {}): Promise<StepRootfs> {
    const dir = join(buildDir, `step-${randomBytes(6).toString("hex")}`);
    const s = new StepRootfs(dir, join(dir, "rootfs"), join(dir, "upper"), join(dir, "work"));
    try {
      for (const d of [s.rootfs, s.upper, s.work, join(dir, "empty")]) await mkdir(d, { recursive: true });
      // Overlay needs two lower dirs when there is no upper, and one when there is: pad with an empty one.
      const low = [...lowers, join(dir, "empty")];
      const data = opts.readOnly
        ? `lowerdir=${low.join(":")}`
        : `lowerdir=${(lowers.length > 0 ? lowers : low).join(":")},upperdir=${s.upper},workdir=${s.work},index=off,redirect_dir=off`;
      await mustRun("mount", ["-t", "overlay", "overlay", "-o", data, s.rootfs]);
      s.mounted = true;
      return s;
    } catch (e) {
      await s.dispose();
      throw e;
    }
  }

  async unmount(): Promise<void> {
    if (!this.mounted) return;
    const info = await readFile("/proc/self/mountinfo", "utf8");
    if (info.includes(` ${this.rootfs} `)) await mustRun("umount", [this.rootfs]).catch(async () => { await runCommand("umount", ["-l", this.rootfs]); });
    this.mounted = false;
  }

  async dispose(): Promise<void> {
    await this.unmount().catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }
}
