/** A temp image store and context dirs for builder tests, and a reader of the built image's files. */
import { mkdtemp, mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { ImageStore } from "../../src/providers/local-runtime/image/image-store.js";
import type { ImageRecord } from "../../src/providers/local-runtime/image/image-types.js";
import { readTar } from "../../src/providers/local-runtime/image/tar-reader.js";
import type { TarEntry } from "../../src/providers/local-runtime/image/tar-entry.js";
import { resolveLayout } from "../../src/providers/local-runtime/layout.js";
import { removeCgroupParent } from "../../src/providers/local-runtime/container/cgroups.js";
import { runCommand } from "../../src/providers/local-runtime/host/run-command.js";

export interface BuildHarness {
  dir: string;
  store: ImageStore;
  /** Writes files (path → content) under a new context dir and returns it. */
  context(files: Record<string, string>): Promise<string>;
  /** What is left of build scratch space, runc state and mounts (should be nothing). */
  leftovers(): Promise<{ mounts: string[]; runc: string[]; buildDirs: string[] }>;
  cleanup(): Promise<void>;
}

export async function makeBuildHarness(prefix = "infra-build-"): Promise<BuildHarness> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const layout = resolveLayout({ root: join(dir, "root"), run: join(dir, "run") });
  const store = new ImageStore(layout);
  await store.init();
  let n = 0;
  const mountsUnder = async () => (await readFile("/proc/self/mountinfo", "utf8")).split("\n").map((l) => l.split(" ")[4] ?? "").filter((m) => m.startsWith(dir));
  return {
    dir,
    store,
    async context(files) {
      const ctx = join(dir, `ctx${++n}`);
      await mkdir(ctx, { recursive: true });
      for (const [p, content] of Object.entries(files)) {
        await mkdir(dirname(join(ctx, p)), { recursive: true });
        await writeFile(join(ctx, p), content);
      }
      return ctx;
    },
    async leftovers() {
      const ls = await runCommand("runc", ["--root", layout.runcRoot, "list", "-q"]);
      return {
        mounts: await mountsUnder(),
        runc: ls.stdout.split("\n").filter(Boolean),
        buildDirs: await readdir(join(layout.root, "build")).catch(() => []),
      };
    },
    async cleanup() {
      const ls = await runCommand("runc", ["--root", layout.runcRoot, "list", "-q"]);
      for (const id of ls.stdout.split("\n").filter(Boolean)) await runCommand("runc", ["--root", layout.runcRoot, "delete", "--force", id]);
      for (const m of (await mountsUnder()).reverse()) await runCommand("umount", ["-l", m]);
      await removeCgroupParent(layout.cgroupParent, await readFile("/proc/self/cgroup", "utf8"));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The image's files after applying every layer in order (whiteouts remove lower entries). */
export async function imageFiles(store: ImageStore, rec: ImageRecord): Promise<Map<string, TarEntry>> {
  const files = new Map<string, TarEntry>();
  for (const l of rec.manifest.layers) {
    for (const e of readTar(await store.getBlob(l.digest))) {
      const p = e.path.replace(/^\.\//, "").replace(/\/$/, "");
      const base = p.slice(p.lastIndexOf("/") + 1);
      const parent = p.slice(0, p.lastIndexOf("/") + 1);
      if (base === ".wh..wh..opq") {
        for (const k of [...files.keys()]) if (k.startsWith(parent)) files.delete(k);
      } else if (base.startsWith(".wh.")) {
        const gone = parent + base.slice(4);
        for (const k of [...files.keys()]) if (k === gone || k.startsWith(`${gone}/`)) files.delete(k);
      } else files.set(p, e);
    }
  }
  return files;
}

/** Entries of one layer tar, by path. */
export async function layerEntries(store: ImageStore, digest: string): Promise<Map<string, TarEntry>> {
  return new Map([...readTar(await store.getBlob(digest))].map((e) => [e.path.replace(/\/$/, ""), e]));
}
