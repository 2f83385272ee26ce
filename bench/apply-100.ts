/**
 * Issue 3's scale and memory targets: one `infra apply` creates and starts 100 busybox containers
 * (a generated compose file; `sleep` or `httpd`, network mode `none` or the default bridge), then
 * `infra destroy` removes them; the built CLI (bin/infra) against an engine of its own (roots,
 * bridges and nft table of its own, all removed at the end). While the 100 run idle, it measures
 * the host memory each costs beyond its own processes: its monitor (infra-shim, or conmon; RSS and
 * PSS) and the engine's RSS growth against the engine idle before the apply. Root only.
 * Usage: npm run build && node --import tsx bench/apply-100.ts [--count 100] [--network none|bridge] [--cmd sleep|httpd] [--runs 1] [--bin PATH]
 */
import { existsSync } from "node:fs";
import { readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { timed as timedCli } from "./timed-cli.js";
import { makeE2e } from "../test/e2e/e2e-harness.js";

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : dflt;
};
const COUNT = Number(arg("--count", "100"));
const NETWORK = arg("--network", "none");
const CMD = arg("--cmd", "sleep");
const RUNS = Number(arg("--runs", "1"));
const repo = fileURLToPath(new URL("../", import.meta.url));
// --bin: another build of infra (a checkout of an older commit, for before/after figures).
const bin = arg("--bin", join(repo, "bin", "infra"));
if (!existsSync(join(repo, "dist", "cli", "main.js"))) throw new Error("build first: npm run build");
if (process.getuid?.() !== 0) throw new Error("run as root: the engine needs it");

function composeFile(): string {
  const command = CMD === "httpd" ? '["httpd", "-f", "-p", "80", "-h", "/etc"]' : '["sleep", "3600"]';
  const lines = ["services:"];
  for (let i = 0; i < COUNT; i++) {
    lines.push(`  c${String(i + 1).padStart(3, "0")}:`, "    image: busybox", `    command: ${command}`, "    init: true");
    if (NETWORK === "none") lines.push("    network_mode: none");
  }
  return lines.join("\n") + "\n";
}

function timed(args: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; code: number; out: string }> {
  return timedCli(bin, repo, args, env);
}

/** kB of a process: RSS, and PSS (shared pages split between the processes that map them). */
async function memKb(pid: number): Promise<{ rss: number; pss: number }> {
  const r = await readFile(`/proc/${pid}/smaps_rollup`, "utf8");
  const f = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, "m").exec(r)?.[1] ?? 0);
  return { rss: f("Rss"), pss: f("Pss") };
}

/** Our monitors (infra-shim or conmon): those whose command line names this run's container directory. */
async function monitors(root: string): Promise<number[]> {
  const out: number[] = [];
  for (const p of await readdir("/proc")) {
    if (!/^\d+$/.test(p)) continue;
    const cmd = await readFile(`/proc/${p}/cmdline`, "utf8").catch(() => "");
    const exe = cmd.split("\0")[0] ?? "";
    if ((exe === "conmon" || exe.endsWith("/conmon") || exe.endsWith("/infra-shim")) && cmd.includes(root)) out.push(Number(p));
  }
  return out;
}

/** CPU time (user + system) a process has used, in ms. */
async function cpuMs(pid: number): Promise<number> {
  const f = (await readFile(`/proc/${pid}/stat`, "utf8")).split(") ")[1]!.split(" ");
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

/** The whole host's CPU ticks, busy and total (all CPUs; other work on the machine counts too). */
async function hostCpu(): Promise<{ busy: number; total: number }> {
  const f = (await readFile("/proc/stat", "utf8")).split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - (f[3] ?? 0) - (f[4] ?? 0), total }; // minus idle and iowait
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mb = (kb: number) => +(kb / 1024).toFixed(2);

process.env.INFRA_E2E_CLI = "dist";
const e = await makeE2e("bench-apply100");
try {
  const file = join(e.dir, "compose.yaml");
  await writeFile(file, composeFile());
  const stack = ["-f", file, "-p", "b100"];
  const step = async (args: string[]) => {
    const r = await timed(args, e.env);
    if (r.code !== 0) throw new Error(`infra ${args.join(" ")} failed (${r.code}):\n${r.out.slice(-4000)}`);
    return r.ms;
  };
  await step(["run", "--rm", "--network", "none", "busybox", "true"]); // engine up, busybox assembled
  const enginePid = Number(await readFile(join(e.env.INFRA_RUN!, "engine.pid"), "utf8"));
  await new Promise((r) => setTimeout(r, 3000));
  const engineBefore = await memKb(enginePid);
  const apply: number[] = [], destroy: number[] = [], engineCpu: number[] = [], hostBusy: number[] = [];
  let memory: Record<string, number> | undefined;
  for (let i = 0; i < RUNS; i++) {
    const cpu0 = await cpuMs(enginePid);
    const host0 = await hostCpu();
    apply.push(await step(["apply", ...stack, "--yes"]));
    engineCpu.push(await cpuMs(enginePid) - cpu0);
    const host1 = await hostCpu();
    hostBusy.push((host1.busy - host0.busy) / (host1.total - host0.total));
    const running = (await e.cli(["ps", "-q"])).stdout.split("\n").filter(Boolean).length;
    if (running !== COUNT) throw new Error(`run ${i + 1}: ${running} containers running, not ${COUNT}`);
    if (memory === undefined) {
      await new Promise((r) => setTimeout(r, 3000)); // idle: no request in flight
      const pids = await monitors(e.env.INFRA_ROOT!);
      const mons = await Promise.all(pids.map(memKb));
      const engineAfter = await memKb(enginePid);
      memory = {
        monitors: pids.length,
        monitorRssMB: mb(median(mons.map((m) => m.rss))), monitorPssMB: mb(median(mons.map((m) => m.pss))),
        engineIdleRssBeforeMB: mb(engineBefore.rss), engineIdleRssWith100MB: mb(engineAfter.rss),
        engineRssPerContainerMB: mb((engineAfter.rss - engineBefore.rss) / COUNT),
        hostPerContainerMB_pss: mb(median(mons.map((m) => m.pss)) + (engineAfter.rss - engineBefore.rss) / COUNT),
        hostPerContainerMB_rss: mb(median(mons.map((m) => m.rss)) + (engineAfter.rss - engineBefore.rss) / COUNT),
      };
    }
    destroy.push(await step(["destroy", ...stack, "--yes"]));
    const left = await e.leftovers();
    if (left.length > 0) throw new Error(`run ${i + 1}: destroy left ${left.join(", ")}`);
  }
  const result = {
    containers: COUNT, network: NETWORK, command: CMD, runs: RUNS,
    applyMs: apply.map(Math.round), applyMedianMs: Math.round(median(apply)), engineCpuDuringApplyMs: engineCpu.map(Math.round),
    hostCpuBusyDuringApply: hostBusy.map((x) => +x.toFixed(2)),
    destroyMs: destroy.map(Math.round), destroyMedianMs: Math.round(median(destroy)),
    memory,
  };
  process.stdout.write(JSON.stringify(result, null, 2) + "\n");
} finally {
  await e.cleanup();
}
