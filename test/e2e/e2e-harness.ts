/**
 * End-to-end runs of the real CLI on copies of the examples: its own INFRA_ROOT/INFRA_RUN, its
 * own bridge prefix, nftables table and subnet pool, and a cleanup that stops exactly the engine
 * it started (by the pid in its pid file) and removes everything that engine made.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { cp, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import http from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { removeCgroupParent } from "../../src/providers/local-runtime/container/cgroups.js";
import { runCommand } from "../../src/providers/local-runtime/host/run-command.js";
import { resolveLayout, type Layout } from "../../src/providers/local-runtime/layout.js";

const repo = fileURLToPath(new URL("../../", import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface E2e {
  dir: string;
  layout: Layout;
  /** Bridge prefix: the default bridge is `${prefix}0`, the table `inet infra_${prefix}`. */
  prefix: string;
  table: string;
  env: NodeJS.ProcessEnv;
  /** Copies examples/NAME into the run's directory; returns the copy's path. */
  example(name: string): Promise<string>;
  cli(args: string[], opts?: { timeoutMs?: number }): Promise<CliResult>;
  /** What this run's engine and stacks left on the host (empty when clean). */
  leftovers(): Promise<string[]>;
  cleanup(): Promise<void>;
}

/** The built CLI when INFRA_E2E_CLI=dist (and it is built); the sources through tsx otherwise. */
function cliArgv(): string[] {
  const dist = join(repo, "dist", "cli", "main.js");
  if (process.env.INFRA_E2E_CLI === "dist" && existsSync(dist)) return [dist];
  return ["--import", "tsx", join(repo, "src", "cli", "main.ts")];
}

export async function makeE2e(name: string): Promise<E2e> {
  const id = randomBytes(3).toString("hex");
  const prefix = `e2${id}`; // 8 characters: interface names stay under 15
  const table = `infra_${prefix}`;
  const dir = await mkdtemp(join(tmpdir(), `infra-e2e-${name}-`));
  const layout = resolveLayout({ root: join(dir, "root"), run: join(dir, "run") });
  // A /20 of its own per run (16 /24s), so that two e2e files running at once pick apart.
  const pool = `10.214.${(randomBytes(1)[0]! % 16) * 16}.0/20`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    INFRA_ROOT: layout.root,
    INFRA_RUN: layout.run,
    INFRA_NET_PREFIX: prefix,
    INFRA_NET_POOL: pool,
    NO_COLOR: "1",
  };
  delete env.INFRA_ENGINE_NETWORK;
  delete env.INFRA_PROVIDER;

  const cli = (args: string[], opts: { timeoutMs?: number } = {}): Promise<CliResult> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [...cliArgv(), ...args], { cwd: repo, env, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 120_000);
      child.on("error", reject);
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? -1, stdout, stderr });
      });
    });

  const enginePid = async () => Number((await readFile(layout.enginePidFile, "utf8").catch(() => "0")).trim());

  async function leftovers(): Promise<string[]> {
    const out: string[] = [];
    const runc = await runCommand("runc", ["--root", layout.runcRoot, "list", "-q"]);
    for (const c of runc.stdout.split("\n").filter(Boolean)) out.push(`runc container ${c}`);
    for (const f of await readdir(join(layout.run, "netns")).catch(() => [] as string[])) out.push(`netns file ${f}`);
    const mounts = (await readFile("/proc/self/mountinfo", "utf8")).split("\n").map((l) => l.split(" ")[4] ?? "").filter((m) => m.startsWith(dir));
    for (const m of mounts) out.push(`mount ${m}`);
    // A spare shim waiting for the next start belongs to a running engine; without one it is left over.
    const pid = await enginePid();
    const engineUp = pid > 0 && existsSync(`/proc/${pid}`);
    for (const p of await readdir("/proc")) {
      if (!/^\d+$/.test(p)) continue;
      const cmd = await readFile(`/proc/${p}/cmdline`, "utf8").catch(() => "");
      const exe = cmd.split("\0")[0] ?? "";
      if (engineUp && cmd.split("\0")[1] === "--spare-socket") continue;
      if (cmd.includes(dir) && (exe.endsWith("conmon") || exe.endsWith("infra-shim"))) out.push(`monitor process ${p} (${exe})`);
    }
    const links = JSON.parse((await runCommand("ip", ["-j", "link", "show"])).stdout || "[]") as Array<{ ifname: string; master?: string }>;
    for (const l of links) {
      if (l.ifname.startsWith(prefix) && l.ifname !== `${prefix}0`) out.push(`bridge ${l.ifname}`);
      if (l.master === `${prefix}0`) out.push(`veth ${l.ifname} on the default bridge`);
    }
    const nft = await runCommand("nft", ["-j", "list", "table", "inet", table]);
    if (nft.code === 0) {
      const doc = JSON.parse(nft.stdout) as { nftables: Array<Record<string, { name?: string; elem?: unknown[] }>> };
      for (const item of doc.nftables) {
        const m = item.map ?? item.set;
        if (m === undefined) continue;
        const elems = JSON.stringify(m.elem ?? []);
        if ((m.name === "pub_any" || m.name === "pub_ip") && (m.elem?.length ?? 0) > 0) out.push(`published ports left in ${m.name}: ${elems}`);
        if (m.name === "bridges" && (m.elem ?? []).some((e) => e !== `${prefix}0`)) out.push(`bridges left in the table: ${elems}`);
      }
    }
    return out;
  }

  async function stopEngine(): Promise<void> {
    const pid = await enginePid();
    if (pid <= 0) return;
    const alive = () => { try { process.kill(pid, 0); return true; } catch { return false; } };
    if (!alive()) return;
    process.kill(pid, "SIGTERM");
    for (let i = 0; i < 100 && alive(); i++) await new Promise((r) => setTimeout(r, 100));
    if (alive()) process.kill(pid, "SIGKILL");
  }

  return {
    dir, layout, prefix, table, env, cli, leftovers,
    async example(name: string): Promise<string> {
      const to = join(dir, name);
      await cp(join(repo, "examples", name), to, { recursive: true });
      return to;
    },
    async cleanup(): Promise<void> {
      await stopEngine();
      // What a failed test may have left: containers, mounts, namespaces, links, the table, cgroups.
      const runc = await runCommand("runc", ["--root", layout.runcRoot, "list", "-q"]);
      for (const c of runc.stdout.split("\n").filter(Boolean)) await runCommand("runc", ["--root", layout.runcRoot, "delete", "--force", c]);
      const mounts = (await readFile("/proc/self/mountinfo", "utf8")).split("\n").map((l) => l.split(" ")[4] ?? "").filter((m) => m.startsWith(dir)).reverse();
      for (const m of mounts) await runCommand("umount", ["-l", m]);
      const links = JSON.parse((await runCommand("ip", ["-j", "link", "show"])).stdout || "[]") as Array<{ ifname: string; master?: string }>;
      const bridges = new Set(links.filter((l) => l.ifname.startsWith(prefix)).map((l) => l.ifname));
      for (const l of links) if (l.master !== undefined && bridges.has(l.master)) await runCommand("ip", ["link", "del", l.ifname]);
      for (const b of bridges) await runCommand("ip", ["link", "del", b]);
      await runCommand("nft", ["delete", "table", "inet", table]);
      await removeCgroupParent(layout.cgroupParent, await readFile("/proc/self/cgroup", "utf8")).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Whether nothing listens on the host's TCP port (the example's fixed host port is free). */
export function tcpPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen(port, "0.0.0.0", () => s.close(() => resolve(true)));
  });
}

export async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

/** Parses `infra inspect --json` (one record or a list of one); a failed command throws with its stderr. */
export function inspected<T = Record<string, unknown>>(r: CliResult): T {
  if (r.code !== 0) throw new Error(`inspect failed (${r.code}): ${r.stderr}`);
  const v = JSON.parse(r.stdout) as T | T[];
  return (Array.isArray(v) ? v[0] : v) as T;
}

/** One HTTP GET on the host. */
export function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: 5000 }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("timeout", () => req.destroy(new Error(`timeout: ${url}`)));
    req.on("error", reject);
  });
}

/** The page, once httpd is up (it starts a moment after the container). */
export async function page(url: string): Promise<{ status: number; body: string }> {
  let last: unknown;
  for (let i = 0; i < 50; i++) {
    try {
      return await get(url);
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw last;
}

/**
 * Rewrites an example's `"8080:80"` to a random free port in [from, from + 5000). Tests never
 * publish 8080 itself: kernel NAT binds no socket, so neither a user's stack on 8080 nor another
 * test running at the same time would show as busy, and the two would catch each other's traffic.
 */
export async function publishOnFreePort(file: string, from: number): Promise<number> {
  for (;;) {
    const port = from + Math.floor(Math.random() * 5000);
    if (!(await tcpPortFree(port))) continue;
    await writeFile(file, (await readFile(file, "utf8")).replace('"8080:80"', `"${port}:80"`));
    return port;
  }
}
