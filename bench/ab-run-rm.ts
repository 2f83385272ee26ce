/**
 * Two builds of infra side by side: `infra run --rm busybox true` through each one's `bin/infra`,
 * each with an engine and roots of its own, the runs alternating (A, B, B, A, ...), so that both
 * see the same phases of a noisy machine; also the CPU time each engine (with its infra-host
 * helpers) spent per run. For before/after figures of a change: build the older
 * commit in a worktree (`git worktree add /tmp/old REV`, node_modules linked, `npm run build`).
 * Root; temp roots; removes all it made.
 * Usage: node --import tsx bench/ab-run-rm.ts --a /tmp/old --b . [--runs N] [--network none|bridge]
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { removeCgroupParent } from "../src/providers/local-runtime/container/cgroups.js";
import { makeE2e, type E2e } from "../test/e2e/e2e-harness.js";

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : dflt;
};
const N = Number(arg("--runs", "30"));
const mode = arg("--network", "none");
const builds = { A: resolve(arg("--a", ".")), B: resolve(arg("--b", ".")) };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const quartiles = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return [s[Math.floor(s.length / 4)]!, s[Math.floor((3 * s.length) / 4)]!]; };

/** CPU ms (user + system) of the engine and its infra-host children. */
function engineCpuMs(e: E2e): number {
  const pid = Number(readFileSync(join(e.layout.run, "engine.pid"), "utf8"));
  const ticks = (p: number) => { const f = readFileSync(`/proc/${p}/stat`, "utf8").split(") ")[1]!.split(" "); return Number(f[11]) + Number(f[12]); };
  const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number)
    .filter((p) => { try { return readFileSync(`/proc/${p}/cmdline`, "utf8").includes("infra-host"); } catch { return false; } });
  return [pid, ...kids].reduce((s, p) => s + ticks(p), 0) * 10; // USER_HZ 100
}

const envs: Partial<Record<"A" | "B", E2e>> = {};
try {
  const runArgs = ["run", "--rm", ...(mode === "none" ? ["--network", "none"] : []), "busybox", "true"];
  const once = (k: "A" | "B") => {
    const e = envs[k]!;
    const t0 = process.hrtime.bigint();
    const r = spawnSync(join(builds[k], "bin", "infra"), runArgs, { env: { ...e.env, ...(mode === "none" ? { INFRA_ENGINE_NETWORK: "off" } : {}) }, stdio: ["ignore", "ignore", "pipe"] });
    if (r.status !== 0) throw new Error(`${k}: exit ${r.status}: ${r.stderr.toString()}`);
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  for (const k of ["A", "B"] as const) {
    envs[k] = await makeE2e(`ab-${k}`);
    for (let i = 0; i < 3; i++) once(k); // starts its engine, builds busybox
  }
  const t = { A: [] as number[], B: [] as number[] };
  const cpu0 = { A: engineCpuMs(envs.A!), B: engineCpuMs(envs.B!) };
  for (let i = 0; i < N; i++) for (const k of i % 2 === 0 ? (["A", "B"] as const) : (["B", "A"] as const)) t[k].push(once(k));
  await new Promise((r) => setTimeout(r, 1500)); // work after the replies (clean-ups, spares) counts too
  const cpu = { A: (engineCpuMs(envs.A!) - cpu0.A) / N, B: (engineCpuMs(envs.B!) - cpu0.B) / N };
  const out = Object.fromEntries((["A", "B"] as const).map((k) => [k, { build: builds[k], medianMs: +median(t[k]).toFixed(1), quartilesMs: quartiles(t[k]).map((x) => +x.toFixed(1)), engineCpuMsPerRun: +cpu[k].toFixed(1) }]));
  process.stdout.write(JSON.stringify({ n: N, network: mode, ...out, bOverA: +(median(t.B) / median(t.A)).toFixed(3) }, null, 1) + "\n");
} finally {
  for (const e of Object.values(envs)) {
    await e!.cleanup();
    await removeCgroupParent(e!.layout.cgroupParent, await readFile("/proc/self/cgroup", "utf8"));
  }
}
