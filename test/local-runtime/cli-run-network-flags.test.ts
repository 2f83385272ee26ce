/**
 * `infra run --ip / --network-alias / -P` on an engine with real networking (its own bridge
 * prefix, nft table and address pool; everything removed at the end), driven through the CLI.
 */
import t from "tap";
import http from "node:http";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startEngine, type RunningEngine } from "../../src/providers/local-runtime/engine/engine-server.js";
import { EngineClient } from "../../src/providers/local-runtime/engine/engine-client.js";
import type { ContainerRecord } from "../../src/providers/local-runtime/container/container-record.js";
import type { LocalNetworkManager } from "../../src/providers/local-runtime/network/network-manager.js";
import { removeCgroupParent } from "../../src/providers/local-runtime/container/cgroups.js";
import { runCommand } from "../../src/providers/local-runtime/host/run-command.js";

if (process.getuid?.() !== 0) {
  t.plan(0, "needs root");
  process.exit(0);
}

const prefix = `rf${randomBytes(3).toString("hex")}`;
const table = `infra_${prefix}`;
const N = (s: string) => `${prefix}-${s}`;
const dir = await mkdtemp(join(tmpdir(), "infra-runnet-"));
const entry = fileURLToPath(new URL("./cli-entry.ts", import.meta.url));
const repo = fileURLToPath(new URL("../../", import.meta.url));
const children = new Set<ChildProcess>();
let engine: RunningEngine | undefined;

t.teardown(async () => {
  for (const c of children) c.kill("SIGKILL");
  if (engine) {
    const c = new EngineClient(engine.layout.engineSocket);
    for (const r of await c.call<ContainerRecord[]>("GET", "/containers?all=1").catch(() => [] as ContainerRecord[]))
      await c.call("DELETE", `/containers/${r.id}?force=1`).catch(() => undefined);
    await c.call("DELETE", `/networks/${N("net")}`).catch(() => undefined);
    const nm = engine.ctx.network as LocalNetworkManager | undefined;
    await engine.close();
    await nm?.uninstall().catch(() => undefined);
    const runc = await runCommand("runc", ["--root", engine.layout.runcRoot, "list", "-q"]);
    for (const x of runc.stdout.split("\n").filter(Boolean)) await runCommand("runc", ["--root", engine.layout.runcRoot, "delete", "--force", x]);
    const mounts = (await readFile("/proc/self/mountinfo", "utf8")).split("\n").map((l) => l.split(" ")[4] ?? "").filter((m) => m.startsWith(dir)).reverse();
    for (const m of mounts) await runCommand("umount", ["-l", m]);
    await removeCgroupParent(engine.layout.cgroupParent, await readFile("/proc/self/cgroup", "utf8")).catch(() => undefined);
  }
  const links = JSON.parse((await runCommand("ip", ["-j", "link", "show"])).stdout || "[]") as Array<{ ifname: string }>;
  for (const l of links) if (l.ifname.startsWith(prefix)) await runCommand("ip", ["link", "del", l.ifname]);
  await runCommand("nft", ["delete", "table", "inet", table]);
  await rm(dir, { recursive: true, force: true });
});

function cli(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const env = { ...process.env, INFRA_ROOT: engine!.layout.root, INFRA_RUN: engine!.layout.run, NO_COLOR: "1" };
  const c = spawn(process.execPath, ["--import", "tsx", entry, ...args], { env, cwd: repo, stdio: ["ignore", "pipe", "pipe"] });
  children.add(c);
  let out = "", err = "";
  c.stdout.on("data", (d: Buffer) => { out += d.toString(); });
  c.stderr.on("data", (d: Buffer) => { err += d.toString(); });
  return new Promise((resolve) => c.on("close", (code) => { children.delete(c); resolve({ code, out, err }); }));
}

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: 3000 }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => resolve(body.trim()));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
  });
}

t.test("--ip and --network-alias on a user network; -P publishes the exposed port", async (t) => {
  const third = (randomBytes(1)[0]! % 16) * 16;
  const pool = [`10.217.${third}.0/20`];
  engine = await startEngine({ root: join(dir, "root"), run: join(dir, "run"), networkOptions: { bridgePrefix: prefix, tablePrefix: table, pool } });
  const c = new EngineClient(engine.layout.engineSocket);
  const net = await c.call<{ subnet: string }>("POST", "/networks", { name: N("net"), driver: "bridge" });
  const base = net.subnet.split("/")[0]!.split(".").map(Number);
  const ip = `${base[0]}.${base[1]}.${base[2]}.77`;
  const a = await cli(["run", "-d", "--name", N("a"), "--network", N("net"), "--ip", ip, "--network-alias", "dbx", "busybox", "sleep", "60"]);
  t.equal(a.code, 0, a.err);
  const addr = await cli(["exec", N("a"), "sh", "-c", "ip -4 -o addr show eth0"]);
  t.match(addr.out, `inet ${ip}/`, "the container has the address it was given");
  const b = await cli(["run", "--rm", "--network", N("net"), "busybox", "sh", "-c", "ping -c1 -W2 dbx >/dev/null && echo reached"]);
  t.equal(b.out, "reached\n", `the alias resolves on the network (${b.err})`);
  const ipf = await cli(["inspect", "--format", `{{json .NetworkSettings.Networks}}`, N("a")]);
  t.match(JSON.parse(ipf.out), { [N("net")]: { IPAddress: ip, Aliases: ["dbx"] } });

  const w = await cli(["run", "-d", "--name", N("web"), "-P", "--expose", "80", "busybox", "httpd", "-f", "-p", "80", "-h", "/etc"]);
  t.equal(w.code, 0, w.err);
  const port = await cli(["port", N("web"), "80"]);
  const hostPort = Number(/:(\d+)$/m.exec(port.out)?.[1]);
  t.ok(hostPort > 0, `-P chose a host port (${port.out.trim()})`);
  let page = "";
  for (let i = 0; i < 30 && page === ""; i++) page = await get(`http://127.0.0.1:${hostPort}/hostname`).catch(async () => { await new Promise((r) => setTimeout(r, 100)); return ""; });
  t.equal(page, N("web"), "the exposed port answers on the host port -P chose");
});
