/**
 * `infra run --rm busybox true` end to end (the built CLI, `bin/infra`, against an engine that is
 * already running) against a raw `runc run` of an equivalent busybox bundle, alternating, median
 * of N; plus `infra --version` (the CLI's own start-up) and the engine's RSS when idle.
 * Root; temp roots; networking off in the engine (no host bridges); removes what it made.
 * Usage: npm run build && node --import tsx bench/run-rm-cli.ts [--runs N] [--network none|default]
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdir, mkdtemp, open, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { EngineClient } from "../src/providers/local-runtime/engine/engine-client.js";
import { resolveLayout } from "../src/providers/local-runtime/layout.js";
import { ImageStore } from "../src/providers/local-runtime/image/image-store.js";
import { buildOciSpec } from "../src/providers/local-runtime/container/oci-spec.js";
import { removeCgroupParent } from "../src/providers/local-runtime/container/cgroups.js";

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : dflt;
};
const N = Number(arg("--runs", "21"));
const mode = arg("--network", "none");
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const bin = fileURLToPath(new URL("../bin/infra", import.meta.url));
const dir = await mkdtemp(join(tmpdir(), "infra-bench-rrc-"));
const layout = resolveLayout({ root: join(dir, "root"), run: join(dir, "run") });
const env = { ...process.env, INFRA_ROOT: layout.root, INFRA_RUN: layout.run, INFRA_ENGINE_NETWORK: "off" };
const rssOf = async (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
let enginePid = 0;

const timed = (argv: string[], file = process.execPath) => {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(file, argv, { env, stdio: ["ignore", "ignore", "pipe"] });
  if (r.status !== 0) throw new Error(`${argv.join(" ")}: exit ${r.status}: ${r.stderr.toString()}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
};

try {
  await mkdir(layout.run, { recursive: true, mode: 0o700 });
  const log = await open(join(layout.run, "engine.log"), "a", 0o600);
  const engine = spawn(process.execPath, [...(process.env.BENCH_ENGINE_ARGS?.split(" ").filter(Boolean) ?? []), bin, "engine"], { env, detached: true, stdio: ["ignore", log.fd, log.fd] });
  engine.unref();
  await log.close();
  enginePid = engine.pid!;
  const client = new EngineClient(layout.engineSocket);
  const readyBy = Date.now() + 20000;
  while (!(await client.ping())) {
    if (Date.now() > readyBy || engine.exitCode !== null) throw new Error(`engine did not start: ${await readFile(join(layout.run, "engine.log"), "utf8")}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 2000));
  const idleFreshMB = await rssOf(enginePid);

  const runArgs = [bin, "run", "--rm", ...(mode === "none" ? ["--network", "none"] : []), "busybox", "true"];
  timed(runArgs); // builds the busybox image and unpacks its layer

  // Raw runc: the same busybox layer as a read-only rootfs, the same default bundle, no monitor.
  const store = new ImageStore(layout);
  const [lower] = await store.layerDirs(await store.mustResolve("busybox"));
  const bundle = join(dir, "raw");
  await mkdir(bundle, { recursive: true });
  const spec = buildOciSpec({ hostname: "raw", process: { args: ["true"], env: ["PATH=/bin:/usr/bin"], cwd: "/", uid: 0, gid: 0, terminal: false }, rootfs: lower!, readOnlyRootfs: true, netns: "host", mounts: [], hostHardLimits: { RLIMIT_NOFILE: 20000 }, cgroupsPath: `${layout.cgroupParent}/raw` });
  await writeFile(join(bundle, "config.json"), JSON.stringify(spec));
  const rawArgs = () => ["--root", join(dir, "rawstate"), "run", "--bundle", bundle, `raw${Math.random().toString(36).slice(2)}`];
  timed(rawArgs(), "runc");

  const cli: number[] = [], raw: number[] = [], ver: number[] = [];
  for (let i = 0; i < N; i++) {
    cli.push(timed(runArgs));
    raw.push(timed(rawArgs(), "runc"));
    ver.push(timed([bin, "--version"]));
  }
  await new Promise((r) => setTimeout(r, 2000));
  const idleAfterMB = await rssOf(enginePid);
  const left = await client.call<unknown[]>("GET", "/containers?all=1");
  const out = {
    n: N, network: mode,
    cliMedianMs: +median(cli).toFixed(1), runcMedianMs: +median(raw).toFixed(1), ratio: +(median(cli) / median(raw)).toFixed(2),
    versionMedianMs: +median(ver).toFixed(1),
    engineIdleRssMB: { fresh: +idleFreshMB.toFixed(1), afterRuns: +idleAfterMB.toFixed(1) },
    containersLeft: left.length,
    cli: cli.map((x) => +x.toFixed(0)), raw: raw.map((x) => +x.toFixed(0)),
  };
  process.stdout.write(JSON.stringify(out) + "\n");
} finally {
  if (enginePid > 0) {
    try { process.kill(enginePid, "SIGTERM"); } catch { /* gone */ }
    for (let i = 0; i < 50; i++) {
      try { process.kill(enginePid, 0); } catch { break; }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await removeCgroupParent(layout.cgroupParent, await readFile("/proc/self/cgroup", "utf8"));
  try { execFileSync("umount", ["-R", join(dir, "root")], { stdio: "ignore" }); } catch { /* nothing mounted */ }
  await rm(dir, { recursive: true, force: true });
}
