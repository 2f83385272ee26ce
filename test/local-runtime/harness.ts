import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveLayout, type Layout } from "../../src/providers/local-runtime/layout.js";
import { ImageStore } from "../../src/providers/local-runtime/image/image-store.js";
import { VolumeStore } from "../../src/providers/local-runtime/volume/volume-store.js";
import { ContainerManager } from "../../src/providers/local-runtime/container/container-manager.js";
import { removeCgroupParent } from "../../src/providers/local-runtime/container/cgroups.js";
import { hostHardLimits } from "../../src/providers/local-runtime/host/rlimits.js";
import { runCommand } from "../../src/providers/local-runtime/host/run-command.js";
import { HostHelper } from "../../src/providers/local-runtime/host/host-helper.js";

export interface Harness {
  dir: string;
  layout: Layout;
  images: ImageStore;
  volumes: VolumeStore;
  manager: ContainerManager;
  cleanup(): Promise<void>;
}

/** `spareShim`: the manager keeps a spare shim, through an infra-host of its own. */
export async function makeHarness(prefix = "infra-lr-", opts: { spareShim?: boolean } = {}): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const layout = resolveLayout({ root: join(dir, "root"), run: join(dir, "run") });
  const images = new ImageStore(layout);
  await images.init();
  const volumes = new VolumeStore(layout.volumesDir);
  const mountHelper = opts.spareShim ? HostHelper.find() : undefined;
  const manager = new ContainerManager({ layout, images, volumes, hostHardLimits: hostHardLimits(), ...opts, ...(mountHelper ? { mountHelper } : {}) });
  await manager.init();
  return {
    dir, layout, images, volumes, manager,
    async cleanup() {
      for (const c of manager.list(true)) await manager.remove(c.id, { force: true }).catch(() => undefined);
      await manager.close();
      mountHelper?.close();
      images.close();
      // Anything left behind by a failed test: runc state, mounts under the temp dir.
      const ls = await runCommand("runc", ["--root", layout.runcRoot, "list", "-q"]);
      for (const id of ls.stdout.split("\n").filter(Boolean)) await runCommand("runc", ["--root", layout.runcRoot, "delete", "--force", id]);
      const mounts = (await readFile("/proc/self/mountinfo", "utf8")).split("\n").map((l) => l.split(" ")[4] ?? "").filter((m) => m.startsWith(dir)).reverse();
      for (const m of mounts) await runCommand("umount", ["-l", m]);
      await removeCgroupParent(layout.cgroupParent, await readFile("/proc/self/cgroup", "utf8"));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 10000, stepMs = 50): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return false;
}

/** infra-shim processes waiting as spares on this socket (`infra-shim --spare-socket PATH`). */
export async function spareShims(shim: string, socket: string): Promise<number[]> {
  const out: number[] = [];
  for (const d of await readdir("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    const cmd = await readFile(`/proc/${d}/cmdline`, "utf8").catch(() => "");
    const stat = await readFile(`/proc/${d}/stat`, "utf8").catch(() => "");
    if (cmd === `${shim}\0--spare-socket\0${socket}\0` && !/^\d+ \(.*\) Z/.test(stat)) out.push(Number(d));
  }
  return out;
}
