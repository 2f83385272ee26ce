/**
 * `infra info`, `system df` and `system prune` through the CLI against a private engine with real
 * networking (its own bridge prefix, nft table and pool; all removed at the end). Root only.
 */
import t, { type Test } from "tap";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startEngine, type RunningEngine } from "../../src/providers/local-runtime/engine/engine-server.js";
import type { EngineInfo } from "../../src/providers/local-runtime/engine/engine-info.js";
import type { DiskUsage } from "../../src/providers/local-runtime/engine/engine-disk-usage.js";
import type { LocalNetworkManager } from "../../src/providers/local-runtime/network/network-manager.js";
import { removeCgroupParent } from "../../src/providers/local-runtime/container/cgroups.js";
import { runCommand } from "../../src/providers/local-runtime/host/run-command.js";

if (process.getuid?.() !== 0) {
  t.plan(0, "needs root");
  process.exit(0);
}

const entry = fileURLToPath(new URL("./cli-entry.ts", import.meta.url));
const id = randomBytes(3).toString("hex");
const prefix = `sv${id}`;
const table = `infra_${prefix}`;
const N = (s: string) => `${prefix}-${s}`;
const dir = await mkdtemp(join(tmpdir(), "infra-sysverbs-"));
const children = new Set<ChildProcess>();
let engine: RunningEngine | undefined;
let env: NodeJS.ProcessEnv;

t.before(async () => {
  const pool = [`10.216.${(randomBytes(1)[0]! % 16) * 16}.0/20`];
  engine = await startEngine({ root: join(dir, "root"), run: join(dir, "run"), networkOptions: { bridgePrefix: prefix, tablePrefix: table, pool } });
  env = { ...process.env, INFRA_ROOT: engine.layout.root, INFRA_RUN: engine.layout.run, NO_COLOR: "1" };
});

t.teardown(async () => {
  for (const c of children) c.kill("SIGKILL");
  if (engine) {
    const m = engine.ctx.manager;
    for (const c of m.list(true)) await m.remove(c.id, { force: true }).catch(() => undefined);
    const nm = engine.ctx.network as LocalNetworkManager | undefined;
    for (const n of (await nm?.listNetworks().catch(() => [])) ?? []) if (n.name.startsWith(prefix)) await nm?.removeNetwork(n.id).catch(() => undefined);
    await engine.close();
    await nm?.uninstall().catch(() => undefined);
    const runc = await runCommand("runc", ["--root", engine.layout.runcRoot, "list", "-q"]);
    for (const x of runc.stdout.split("\n").filter(Boolean)) await runCommand("runc", ["--root", engine.layout.runcRoot, "delete", "--force", x]);
    const mounts = (await readFile("/proc/self/mountinfo", "utf8")).split("\n").map((l) => l.split(" ")[4] ?? "").filter((p) => p.startsWith(dir)).reverse();
    for (const p of mounts) await runCommand("umount", ["-l", p]);
    await removeCgroupParent(engine.layout.cgroupParent, await readFile("/proc/self/cgroup", "utf8")).catch(() => undefined);
  }
  const links = JSON.parse((await runCommand("ip", ["-j", "link", "show"])).stdout || "[]") as Array<{ ifname: string }>;
  for (const l of links) if (l.ifname.startsWith(prefix)) await runCommand("ip", ["link", "del", l.ifname]);
  await runCommand("nft", ["delete", "table", "inet", table]);
  await rm(dir, { recursive: true, force: true });
});

interface Out { code: number | null; out: string; err: string }

function cli(args: string[], input?: string): Promise<Out> {
  const child = spawn(process.execPath, ["--import", "tsx", entry, ...args], { env, cwd: fileURLToPath(new URL("../..", import.meta.url)), stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
  children.add(child);
  if (input !== undefined) child.stdin!.end(input);
  let out = "";
  let err = "";
  child.stdout!.on("data", (d: Buffer) => { out += d.toString(); });
  child.stderr!.on("data", (d: Buffer) => { err += d.toString(); });
  const timer = setTimeout(() => child.kill("SIGKILL"), 120000);
  return new Promise((resolve) => child.on("close", (code) => { clearTimeout(timer); children.delete(child); resolve({ code, out, err }); }));
}

async function ok(t: Test, args: string[]): Promise<string> {
  const r = await cli(args);
  t.equal(r.code, 0, `infra ${args.join(" ")}: ${r.err}`);
  return r.out;
}
const json = async <T>(t: Test, args: string[]) => JSON.parse(await ok(t, args)) as T;

t.test("info: roots, cgroups, runtime and counts that follow the containers", async (t) => {
  const before = await json<EngineInfo>(t, ["info", "--format", "json"]);
  t.same(before.containers, { total: 0, running: 0, paused: 0, stopped: 0 });
  t.equal(before.stateRoot, engine!.layout.root);
  t.equal(before.runRoot, engine!.layout.run);
  const fsType = (await runCommand("stat", ["-fc", "%T", "/sys/fs/cgroup"])).stdout.trim();
  t.equal(before.cgroupVersion, fsType === "cgroup2fs" ? "2" : "1");
  t.match((await runCommand("runc", ["--version"])).stdout, `runc version ${before.runtime.version}`);
  t.equal(before.storageDriver, "overlay");
  t.equal(before.networking, "on");
  t.ok(before.cpus >= 1 && before.memoryBytes > 0);
  t.equal(before.networks, 3, "bridge, host, none");

  await ok(t, ["create", "--name", N("created"), "busybox", "sleep", "60"]);
  await ok(t, ["run", "-d", "--name", N("running"), "busybox", "sleep", "60"]);
  await ok(t, ["run", "-d", "--name", N("paused"), "busybox", "sleep", "60"]);
  await ok(t, ["pause", N("paused")]);
  await ok(t, ["volume", "create", N("vol")]);
  await writeFile(join(engine!.layout.root, "registries.json"), JSON.stringify({ insecure: ["localhost:5999"], search: [] }));
  const after = await json<EngineInfo>(t, ["info", "--format", "json"]);
  t.same(after.containers, { total: 3, running: 1, paused: 1, stopped: 1 });
  t.equal(after.volumes, before.volumes + 1);
  t.ok(after.images >= 1, "busybox");
  const human = await ok(t, ["system", "info"]);
  t.match(human, /^Containers: 3\n Running: 1\n Paused: 1\n Stopped: 1\n/);
  t.match(human, `State Root: ${engine!.layout.root}\n`);
  t.match(human, /Cgroup Version: [12]/);
  t.match(human, /Runtime: runc \S+ \(\/\S+runc\)/);
  t.match(human, "Insecure Registries:\n localhost:5999\n");
  await rm(join(engine!.layout.root, "registries.json"));
  for (const n of ["created", "running", "paused"]) await ok(t, ["rm", "-f", N(n)]);
  await ok(t, ["volume", "rm", N("vol")]);
});

t.test("system df measures a container's writes; prune keeps what is in use and removes the rest", async (t) => {
  // Two builds under one tag: the first image is left dangling (its blobs held by nothing).
  const ctx = join(dir, "ctx");
  await mkdir(ctx, { recursive: true });
  await writeFile(join(ctx, "Dockerfile"), "FROM busybox\nCOPY a.txt /a.txt\n");
  await writeFile(join(ctx, "a.txt"), "first\n".repeat(1000));
  await ok(t, ["build", "-t", `${N("img")}:1`, ctx]);
  const first = (await engine!.ctx.images.resolve(`${N("img")}:1`))!.id;
  await writeFile(join(ctx, "a.txt"), "second\n".repeat(1000));
  await ok(t, ["build", "-t", `${N("img")}:1`, ctx]);
  const second = (await engine!.ctx.images.resolve(`${N("img")}:1`))!.id;
  t.not(first, second);

  const t0 = String(Date.now() / 1000);
  await ok(t, ["network", "create", N("used")]);
  await ok(t, ["network", "create", N("unused")]);
  await ok(t, ["run", "-d", "--name", N("keep"), "--network", N("used"), "busybox", "sleep", "60"]);
  await ok(t, ["run", "--name", N("done"), "--network", "none", "busybox", "sh", "-c", "dd if=/dev/zero of=/big bs=1024 count=3000 2>/dev/null"]);

  const df1 = await json<DiskUsage>(t, ["system", "df", "--format", "json"]);
  t.equal(df1.complete, true);
  t.equal(df1.containers.total, 2);
  t.equal(df1.containers.active, 1);
  const done1 = df1.containers.items.find((c) => c.name === N("done"))!;
  t.ok(done1.size >= 3000 * 1024, `the stopped container's upper dir holds its 3 MB file (${done1.size})`);
  t.equal(df1.containers.reclaimable, done1.size, "a stopped container's writes are reclaimable");
  // A write in the running container shows in its size.
  const keep1 = df1.containers.items.find((c) => c.name === N("keep"))!;
  await ok(t, ["exec", N("keep"), "sh", "-c", "dd if=/dev/zero of=/more bs=1024 count=2000 2>/dev/null"]);
  const df2 = await json<DiskUsage>(t, ["system", "df", "--format", "json"]);
  const keep2 = df2.containers.items.find((c) => c.name === N("keep"))!;
  t.ok(keep2.size - keep1.size >= 2000 * 1024, `size grew by the 2 MB written (${keep1.size} -> ${keep2.size})`);
  t.ok(df2.images.reclaimable > 0, "the dangling image and the unused tag are reclaimable");
  t.ok(df2.buildCache.total >= 2, "build cache entries counted");
  t.match(await ok(t, ["system", "df"]), /^TYPE\s+TOTAL\s+ACTIVE\s+SIZE\s+RECLAIMABLE\nImages\s+\d+\s+1\s+\S+\s+\S+ \(\d+%\)\nContainers\s+2\s+1\s/);
  t.match(await ok(t, ["system", "df", "-v"]), new RegExp(`Containers space usage:[\\s\\S]*${N("done")}`));

  // Without a terminal and without -f nothing is removed.
  const refused = await cli(["system", "prune"]);
  t.not(refused.code, 0);
  t.match(refused.err, /INFRA_CLI_APPROVAL_REQUIRED/);
  t.ok(engine!.ctx.manager.list(true).some((c) => c.name === N("done")), "nothing removed");

  const pruned = await ok(t, ["system", "prune", "-f"]);
  const names = engine!.ctx.manager.list(true).map((c) => c.name);
  t.same(names, [N("keep")], "the stopped container is gone, the running one stays");
  const nets = (await engine!.ctx.network!.listNetworks()).map((n) => n.name);
  t.ok(nets.includes(N("used")) && !nets.includes(N("unused")), "the unused network is gone, the used one stays");
  t.match(pruned, `Deleted Containers:\n${done1.id}\n`);
  t.match(pruned, new RegExp(`Deleted Networks:\\n${N("unused")}\\n`));
  t.match(pruned, `deleted: ${first}`);
  const reclaimed = /Total reclaimed space: ([\d.]+)(B|kB|MB|GB)\n$/.exec(pruned);
  t.ok(reclaimed, "the space reclaimed is printed");
  const bytes = Number(reclaimed?.[1]) * { B: 1, kB: 1e3, MB: 1e6, GB: 1e9 }[(reclaimed?.[2] ?? "B") as "B"];
  t.ok(bytes >= done1.size * 0.99 && bytes < done1.size + 1e6, `about the stopped container's 3 MB (${reclaimed?.[0]})`);
  t.ok(await engine!.ctx.images.resolve(`${N("img")}:1`), "the tagged image stays without -a");
  t.ok(await engine!.ctx.images.resolve("busybox"), "busybox stays");

  const df3 = await json<DiskUsage>(t, ["system", "df", "--format", "json"]);
  t.equal(df3.containers.total, 1);
  t.equal(df3.containers.reclaimable, 0);
  t.equal(df3.buildCache.total, 0, "build cache cleared");
  t.ok(df3.images.size < df2.images.size, `image store shrank (${df2.images.size} -> ${df3.images.size})`);

  // The network events of all this, replayed: both created, the unused one destroyed by prune.
  const netEvents = (await ok(t, ["events", "--since", t0, "--until", String(Date.now() / 1000), "--filter", "type=network", "--format", "json"]))
    .split("\n").filter(Boolean).map((l) => JSON.parse(l) as { Action: string; Actor: { Attributes: Record<string, string> } })
    .filter((e) => e.Actor.Attributes.name?.startsWith(prefix)).map((e) => `${e.Action} ${e.Actor.Attributes.name}`);
  t.same(netEvents, [`create ${N("used")}`, `create ${N("unused")}`, `destroy ${N("unused")}`]);

  // -a: every image no container uses (the tag); busybox is used by the running container.
  const all = await ok(t, ["system", "prune", "-a", "-f"]);
  t.match(all, new RegExp(`untagged: (localhost/)?${N("img")}:1\n`));
  t.equal(await engine!.ctx.images.resolve(`${N("img")}:1`), undefined);
  t.ok(await engine!.ctx.images.resolve("busybox"), "busybox, in use, stays");
  t.equal(engine!.ctx.manager.list(true).length, 1);
  await ok(t, ["rm", "-f", N("keep")]);
});
