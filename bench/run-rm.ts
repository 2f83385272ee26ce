/**
 * `infra run --rm busybox true` against a raw `runc run` of an equivalent bundle, median of N.
 * Runs as root in temp roots and removes everything it made. Usage: npx tsx bench/run-rm.ts [N]
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureEngine } from "../src/providers/local-runtime/engine/ensure-engine.js";
import { resolveLayout } from "../src/providers/local-runtime/layout.js";
import { ImageStore } from "../src/providers/local-runtime/image/image-store.js";
import { buildOciSpec } from "../src/providers/local-runtime/container/oci-spec.js";
import { removeCgroupParent } from "../src/providers/local-runtime/container/cgroups.js";
import type { ContainerRecord } from "../src/providers/local-runtime/container/container-record.js";

const N = Number(process.argv[2] ?? 15);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const dir = await mkdtemp(join(tmpdir(), "infra-bench-rr-"));
const layout = resolveLayout({ root: join(dir, "root"), run: join(dir, "run") });
// The engine these start must not create host bridges or nftables tables.
process.env.INFRA_ENGINE_NETWORK = "off";
const entry = fileURLToPath(new URL("../src/providers/local-runtime/engine/engine-entry.ts", import.meta.url));
try {
  const engine = await ensureEngine({ root: layout.root, run: layout.run, entry, execArgv: ["--import", "tsx"] });
  const infraRun = async () => {
    const t0 = process.hrtime.bigint();
    const c = await engine.call<ContainerRecord>("POST", "/containers", { name: `b${Math.random().toString(36).slice(2)}`, image: "busybox", command: ["true"], networkMode: "none" });
    await engine.call("POST", `/containers/${c.id}/start`);
    const done = await engine.call<ContainerRecord>("POST", `/containers/${c.id}/wait`);
    await engine.call("DELETE", `/containers/${c.id}?force=1`);
    if (done.exitCode !== 0) throw new Error(`exit ${done.exitCode}`);
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  // Raw runc: same busybox layer as a read-only rootfs, same default bundle, no monitor.
  const store = new ImageStore(layout);
  const [lower] = await store.layerDirs((await store.mustResolve("busybox"))!);
  const bundle = join(dir, "raw");
  await mkdir(bundle, { recursive: true });
  const spec = buildOciSpec({ hostname: "raw", process: { args: ["true"], env: ["PATH=/bin:/usr/bin"], cwd: "/", uid: 0, gid: 0, terminal: false }, rootfs: lower!, readOnlyRootfs: true, netns: "host", mounts: [], hostHardLimits: { RLIMIT_NOFILE: 20000 }, cgroupsPath: `${layout.cgroupParent}/raw` });
  await writeFile(join(bundle, "config.json"), JSON.stringify(spec));
  const rawRun = () => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync("runc", ["--root", join(dir, "rawstate"), "run", "--bundle", bundle, `raw${Math.random().toString(36).slice(2)}`], { stdio: "ignore" });
    if (r.status !== 0) throw new Error(`runc run: ${r.status}`);
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  await infraRun(); rawRun(); // warm-up (busybox image built, layer unpacked)
  const a: number[] = [], b: number[] = [];
  for (let i = 0; i < N; i++) { a.push(await infraRun()); b.push(rawRun()); }
  const rss = (await engine.call<{ rssBytes: number }>("GET", "/ping")).rssBytes;
  const out = { n: N, infraMedianMs: +median(a).toFixed(1), runcMedianMs: +median(b).toFixed(1), ratio: +(median(a) / median(b)).toFixed(2), engineRssMB: +(rss / 1048576).toFixed(1) };
  process.stdout.write(JSON.stringify(out) + "\n");
} finally {
  const pid = Number(await readFile(layout.enginePidFile, "utf8").catch(() => "0"));
  if (pid > 0) { process.kill(pid, "SIGTERM"); await new Promise((r) => setTimeout(r, 500)); }
  await removeCgroupParent(layout.cgroupParent, await readFile("/proc/self/cgroup", "utf8"));
  try { execFileSync("umount", ["-R", join(dir, "root")], { stdio: "ignore" }); } catch { /* nothing mounted */ }
  await rm(dir, { recursive: true, force: true });
}
