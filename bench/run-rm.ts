/**
 * `infra run --rm busybox true` against a raw `runc run` of an equivalent busybox bundle, median of
 * N rounds (the order of the series rotated from round to round): the real command (`bin/infra`,
 * built: the native launcher's one argv-form `POST /run`), the Node CLI alone (`node
 * dist/cli/main.js run ...`, the path before the launcher), the engine API alone (one `POST /run`,
 * and the four calls create/start/wait/rm), `runc run` (with a network namespace of its own, and in
 * the host's), `podman run --rm` where podman is installed
 * (bench/podman-peer.ts), and `infra --version` (through bin/infra: the launcher hands it to Node,
 * so this is Node's start-up).
 * Ratios: of the medians (ratioToRunc), and the median of the per-round ratios (pairedRatioToRunc:
 * both terms from one round, so the same phase of a machine whose speed drifts).
 * The engine runs from `dist/` like `infra engine`, already started; its RSS is read when idle.
 * Root; temp roots; removes all it made. `--network none` (default) or `bridge`: the default mode of
 * `infra run`, with the engine's real networking (a bridge, nft table and address pool of its own,
 * as the e2e tests make them: a veth, an address and a DNS name per container).
 * Usage: npm run build && node --import tsx bench/run-rm.ts [--runs N] [--network none|bridge] [--bin PATH]
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdir, open, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { EngineClient } from "../src/providers/local-runtime/engine/engine-client.js";
import { ENGINE_NODE_FLAGS } from "../src/providers/local-runtime/engine/ensure-engine.js";
import { resolveLayout } from "../src/providers/local-runtime/layout.js";
import { ImageStore } from "../src/providers/local-runtime/image/image-store.js";
import { buildOciSpec } from "../src/providers/local-runtime/container/oci-spec.js";
import { removeCgroupParent } from "../src/providers/local-runtime/container/cgroups.js";
import type { ContainerRecord } from "../src/providers/local-runtime/container/container-record.js";
import { makeE2e } from "../test/e2e/e2e-harness.js";
import { podmanPeer, type PodmanPeer } from "./podman-peer.js";

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : dflt;
};
const N = Number(arg("--runs", "15"));
const mode = arg("--network", "none");
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
// --bin: another build of infra (a checkout of an older commit, for before/after figures).
const bin = arg("--bin", fileURLToPath(new URL("../bin/infra", import.meta.url)));
const nodeCli = join(dirname(bin), "../dist/cli/main.js");
process.env.INFRA_E2E_CLI = "dist";
const e = await makeE2e("bench-run-rm");
const dir = e.dir;
const layout = e.layout;
const env: NodeJS.ProcessEnv = { ...e.env, ...(mode === "none" ? { INFRA_ENGINE_NETWORK: "off" } : {}) };
const rssMB = async (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;

function timed(file: string, argv: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(file, argv, { env, stdio: ["ignore", "ignore", "pipe"] });
  if (r.status !== 0) throw new Error(`${file} ${argv.join(" ")}: exit ${r.status}: ${r.stderr.toString()}`);
  return ms(t0);
}

let peer: PodmanPeer | undefined;
try {
  await mkdir(layout.run, { recursive: true, mode: 0o700 });
  const log = await open(join(layout.run, "engine.log"), "a", 0o600);
  // As the CLI starts it (ensureEngine), with the engine's node flags.
  const engine = spawn(process.execPath, [...ENGINE_NODE_FLAGS, nodeCli, "engine"], { env, detached: true, stdio: ["ignore", log.fd, log.fd] });
  engine.unref();
  await log.close();
  const enginePid = engine.pid!;
  const client = new EngineClient(layout.engineSocket);
  const readyBy = Date.now() + 20000;
  while (!(await client.ping())) {
    if (Date.now() > readyBy || engine.exitCode !== null) throw new Error(`engine did not start: ${await readFile(join(layout.run, "engine.log"), "utf8")}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 2000));
  const idleFresh = await rssMB(enginePid);

  const spec = (name: string) => ({ name, image: "busybox", command: ["true"], networkMode: mode });
  const name = () => `b${Math.random().toString(36).slice(2)}`;
  const apiOneCall = async () => {
    const t0 = process.hrtime.bigint();
    let exit: number | undefined;
    await client.stream("/run", (e) => { const x = e as { exited?: ContainerRecord }; if (x.exited) exit = x.exited.exitCode; }, { method: "POST", body: { spec: spec(name()), rm: true } });
    if (exit !== 0) throw new Error(`exit ${exit}`);
    return ms(t0);
  };
  const apiSteps = async () => {
    const t0 = process.hrtime.bigint();
    const c = await client.call<ContainerRecord>("POST", "/containers", spec(name()));
    await client.call("POST", `/containers/${c.id}/start`);
    const done = await client.call<ContainerRecord>("POST", `/containers/${c.id}/wait`);
    await client.call("DELETE", `/containers/${c.id}?force=1`);
    if (done.exitCode !== 0) throw new Error(`exit ${done.exitCode}`);
    return ms(t0);
  };
  const runArgs = ["run", "--rm", ...(mode === "none" ? ["--network", "none"] : []), "busybox", "true"];
  timed(bin, runArgs); // builds the busybox image and unpacks its layer
  timed(process.execPath, [nodeCli, ...runArgs]);

  // Raw runc: the same busybox layer as a read-only rootfs, the same default bundle, no monitor;
  // `raw` with a network namespace of its own (as runc's own `runc spec` bundle, and as every
  // container infra runs), `rawHostNet` in the host's.
  const store = new ImageStore(layout);
  const [lower] = await store.layerDirs(await store.mustResolve("busybox"));
  const rawBundle = async (name: string, netns: string) => {
    const bundle = join(dir, name);
    await mkdir(bundle, { recursive: true });
    const oci = buildOciSpec({ hostname: "raw", process: { args: ["true"], env: ["PATH=/bin:/usr/bin"], cwd: "/", uid: 0, gid: 0, terminal: false }, rootfs: lower!, readOnlyRootfs: true, netns, mounts: [], hostHardLimits: { RLIMIT_NOFILE: 20000 }, cgroupsPath: `${layout.cgroupParent}/${name}` });
    await writeFile(join(bundle, "config.json"), JSON.stringify(oci));
    return () => ["--root", join(dir, "rawstate"), "run", "--bundle", bundle, `raw${Math.random().toString(36).slice(2)}`];
  };
  const rawArgs = await rawBundle("raw", "private");
  const rawHostArgs = await rawBundle("raw-host", "host");
  timed("runc", rawArgs());
  timed("runc", rawHostArgs());
  peer = podmanPeer(dir, lower!, mode);
  if (peer) timed(peer.runArgv[0]!, peer.runArgv.slice(1));
  // An engine from before `POST /run` answers 404: then only the four calls are timed.
  const hasRun = await apiOneCall().then(() => true, (e: { code?: string }) => { if (e.code === "INFRA_RUNTIME_NO_ROUTE") return false; throw e; });
  await apiSteps();

  const t = { cli: [] as number[], nodeCli: [] as number[], one: [] as number[], steps: [] as number[], raw: [] as number[], rawHostNet: [] as number[], podman: [] as number[], version: [] as number[] };
  // Each round runs every series once, the order rotated from round to round: what ran just
  // before (a Node start-up, a runc, podman) changes how fast the next one is on this machine.
  const series: Array<[keyof typeof t, () => Promise<number> | number]> = [
    ["cli", () => timed(bin, runArgs)],
    ["nodeCli", () => timed(process.execPath, [nodeCli, ...runArgs])],
    ["raw", () => timed("runc", rawArgs())],
    ["rawHostNet", () => timed("runc", rawHostArgs())],
    ...(peer ? [["podman", () => timed(peer!.runArgv[0]!, peer!.runArgv.slice(1))] as [keyof typeof t, () => number]] : []),
    ...(hasRun ? [["one", apiOneCall] as [keyof typeof t, () => Promise<number>]] : []),
    ["steps", apiSteps],
    ["version", () => timed(bin, ["--version"])],
  ];
  for (let i = 0; i < N; i++)
    for (let j = 0; j < series.length; j++) {
      const [key, f] = series[(i + j) % series.length]!;
      t[key].push(await f());
    }
  await new Promise((r) => setTimeout(r, 2000));
  const idleAfter = await rssMB(enginePid);
  const left = await client.call<ContainerRecord[]>("GET", "/containers?all=1");
  const m = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, v.length ? +median(v).toFixed(1) : NaN])) as Record<keyof typeof t, number>;
  const out = {
    n: N, network: mode, medianMs: m,
    // Per round (both in the same phase of the machine), then the median over the rounds.
    pairedRatioToRunc: {
      cli: +median(t.cli.map((x, i) => x / t.raw[i]!)).toFixed(2),
      apiOneCall: t.one.length ? +median(t.one.map((x, i) => x / t.raw[i]!)).toFixed(2) : NaN,
      ...(peer ? { podman: +median(t.podman.map((x, i) => x / t.raw[i]!)).toFixed(2) } : {}),
    },
    ratioToRunc: { cli: +(m.cli / m.raw).toFixed(2), nodeCli: +(m.nodeCli / m.raw).toFixed(2), apiOneCall: +(m.one / m.raw).toFixed(2), apiSteps: +(m.steps / m.raw).toFixed(2), ...(peer ? { podman: +(m.podman / m.raw).toFixed(2) } : {}) },
    ...(peer ? { podman: peer.version } : {}),
    engineIdleRssMB: { fresh: +idleFresh.toFixed(1), afterRuns: +idleAfter.toFixed(1) },
    containersLeft: left.length,
    ...(left.length ? { leftOver: left.map((c) => `${c.name} ${c.state}${c.autoRemove ? " autoRemove" : ""}`) } : {}),
    runs: Object.fromEntries(Object.entries(t).map(([k, v]) => [k, v.map((x) => Math.round(x))])),
  };
  process.stdout.write(JSON.stringify(out, null, 1) + "\n");
} catch (err) {
  // The engine's log goes with the temp roots: its end is the likeliest explanation.
  const tail = (await readFile(join(layout.run, "engine.log"), "utf8").catch(() => "")).split("\n").slice(-30).join("\n");
  process.stderr.write(`engine log (end):\n${tail}\n`);
  throw err;
} finally {
  peer?.cleanup();
  await e.cleanup(); // stops the engine; removes containers, mounts, links, the nft table, cgroups, the roots
  await removeCgroupParent(layout.cgroupParent, await readFile("/proc/self/cgroup", "utf8"));
}
