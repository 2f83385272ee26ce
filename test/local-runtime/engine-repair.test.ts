/**
 * The engine's repairs at start, one per kind of leftover: the engine is made to die as kill -9
 * would at a named point (INFRA_TEST_FAULT, host/fault-point.ts) or its leftovers are made by
 * hand, then the next engine must leave the host matching its records (engine-leftovers.ts) and
 * say what it repaired in its log. Real runc, nftables and links; own roots, prefix, table and
 * pool per test. Root only.
 */
import t, { type Test } from "tap";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, readFile, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { spawnedEngine, type SpawnedEngine } from "./spawned-engine.js";
import { hostLinks, leftovers, nftTable } from "./engine-leftovers.js";
import { waitFor } from "./harness.js";
import type { EngineClient } from "../../src/providers/local-runtime/engine/engine-client.js";
import type { ContainerRecord } from "../../src/providers/local-runtime/container/container-record.js";
import type { NetworkRecord } from "../../src/providers/local-runtime/network/network-types.js";
import type { FaultPoint } from "../../src/providers/local-runtime/host/fault-point.js";
import { findMonitors } from "../../src/providers/local-runtime/container/host-leftovers.js";
import { runCommand } from "../../src/providers/local-runtime/host/run-command.js";

if (process.getuid?.() !== 0) {
  t.plan(0, "needs root");
  process.exit(0);
}

const run = randomBytes(3).toString("hex");
let n = 0;
const sleeper = ["sleep", "300"];

interface Ctx {
  e: SpawnedEngine;
  prefix: string;
  table: string;
  c: EngineClient;
}

/** An engine with networking on, its own prefix, table and pool; its bridges and table go at the end. */
async function engineFor(t: Test): Promise<Ctx> {
  const prefix = `rp${run}${n++}`;
  const table = `infra_${prefix}`;
  t.teardown(async () => {
    for (const l of await hostLinks()) if (l.ifname.startsWith(prefix)) await runCommand("ip", ["link", "del", l.ifname]);
    await runCommand("nft", ["delete", "table", "inet", table]);
  });
  process.env.INFRA_NET_PREFIX = prefix;
  process.env.INFRA_NET_POOL = `10.${200 + (randomBytes(1)[0]! % 40)}.${(randomBytes(1)[0]! % 16) * 16}.0/20`;
  const e = await spawnedEngine(t, "infra-repair-");
  const c = await e.ensure();
  return { e, prefix, table, c };
}

/** The engine dies at `point` during `action` (the request fails); the next one starts (and repairs). */
async function killAt(x: Ctx, point: FaultPoint, action: (c: EngineClient) => Promise<unknown>): Promise<void> {
  await x.e.stop();
  process.env.INFRA_TEST_FAULT = point;
  try {
    x.c = await x.e.ensure();
  } finally {
    delete process.env.INFRA_TEST_FAULT;
  }
  const pid = await enginePid(x);
  const err = await action(x.c).then(() => { throw new Error(`the engine did not die at ${point}`); }, (e: unknown) => e as Error);
  if (!(await waitFor(() => !alive(pid), 5000))) throw new Error(`engine ${pid} still runs after ${point} (the request failed with: ${err.message})`);
}

async function restart(x: Ctx): Promise<void> {
  x.c = await x.e.ensure();
}

/** The running engine's pid (its pid file is written just after its socket answers). */
async function enginePid(x: Ctx): Promise<number> {
  let pid = 0;
  await waitFor(async () => (pid = Number(await readFile(x.e.layout.enginePidFile, "utf8").catch(() => "0"))) > 0, 5000);
  return pid;
}

/** Alive and not a zombie. */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

/** Containers the network state holds addresses, ports and DNS names for (the DNS views are computed from it). */
async function netContainers(x: Ctx): Promise<string[]> {
  const text = await readFile(join(x.e.layout.root, "networks", "containers.json"), "utf8");
  return (JSON.parse(text) as { containers: Array<{ containerId: string }> }).containers.map((c) => c.containerId);
}

const log = (x: Ctx) => readFile(join(x.e.layout.run, "engine.log"), "utf8").catch(() => "");
const networks = (x: Ctx) => x.c.call<Array<NetworkRecord & { device: string }>>("GET", "/networks");

t.test("a create killed after its record: the record goes, the name is free", async (t) => {
  const x = await engineFor(t);
  await killAt(x, "network-create:recorded", (c) => c.call("POST", "/networks", { name: "half", driver: "bridge" }));
  const state = JSON.parse(await readFile(join(x.e.layout.root, "networks", "state.json"), "utf8")) as { networks: Array<{ name: string; creating?: boolean }> };
  t.same(state.networks.filter((n) => n.name === "half").map((n) => n.creating), [true], "the record on disk says creating");
  await restart(x);
  t.notOk((await networks(x)).some((n) => n.name === "half"), "no record after the repair");
  t.same(await leftovers(x.e.layout, x.c, x.prefix), []);
  t.match(await log(x), /repair network: undid the create of network "half"/);
  const again = await x.c.call<NetworkRecord & { device: string }>("POST", "/networks", { name: "half", driver: "bridge" });
  t.ok((await hostLinks()).some((l) => l.ifname === again.device), "the same name is created again");
});

t.test("a create killed with its bridge made: bridge and record go", async (t) => {
  const x = await engineFor(t);
  await killAt(x, "network-create:bridge", (c) => c.call("POST", "/networks", { name: "half", driver: "bridge" }));
  const mine = (await hostLinks()).filter((l) => l.ifname.startsWith(`${x.prefix}-`));
  t.equal(mine.length, 1, "the kill left a bridge");
  await restart(x);
  t.notOk((await hostLinks()).some((l) => l.ifname === mine[0]?.ifname), "the bridge is gone");
  t.same(await leftovers(x.e.layout, x.c, x.prefix), []);
  t.notMatch(await nftTable(x.table), mine[0]!.ifname, "no rule names it");
  t.match(await log(x), new RegExp(`undid the create of network "half" .*${mine[0]!.ifname}`));
  await x.c.call("POST", "/networks", { name: "half", driver: "bridge" });
});

t.test("bridges of the prefix without a record go; other links stay", async (t) => {
  const x = await engineFor(t);
  await x.e.stop();
  const stray = `${x.prefix}-${"ab12".padEnd(15 - x.prefix.length - 1, "0")}`;
  const other = `${x.prefix}x`;
  for (const name of [stray, other]) await runCommand("ip", ["link", "add", name, "type", "bridge"]);
  await restart(x);
  const names = (await hostLinks()).map((l) => l.ifname);
  t.notOk(names.includes(stray), "a bridge named like the engine's, without a record, is removed");
  t.ok(names.includes(other), "a link not named like the engine's bridges is left alone");
  await runCommand("ip", ["link", "del", other]);
  t.same(await leftovers(x.e.layout, x.c, x.prefix), []);
  t.match(await log(x), new RegExp(`removed bridge ${stray}: no network record owns it`));
});

/** A container on a user network with a published port, whose start is killed at `point`. */
async function startKilled(t: Test, point: FaultPoint): Promise<{ x: Ctx; rec: ContainerRecord }> {
  const x = await engineFor(t);
  await x.c.call("POST", "/networks", { name: "app", driver: "bridge" });
  const rec = await x.c.call<ContainerRecord>("POST", "/containers", {
    name: "web", image: "busybox", command: sleeper, stopTimeout: 1, networks: [{ network: "app" }], ports: [{ containerPort: 80, protocol: "tcp" }],
  });
  await killAt(x, point, (c) => c.call("POST", "/containers/web/start"));
  return { x, rec };
}

for (const point of ["network-setup:links", "container-start:prepared", "container-start:monitor"] as const) {
  t.test(`a start killed at ${point} is undone; the next start works`, async (t) => {
    const { x, rec } = await startKilled(t, point);
    const onDisk = JSON.parse(await readFile(join(x.e.layout.containersDir, rec.id, "container.json"), "utf8")) as ContainerRecord;
    t.equal(onDisk.transition, "starting", "the record on disk says starting");
    const before = await hostLinks();
    t.ok(before.some((l) => l.linkinfo?.info_kind === "veth" && l.master?.startsWith(x.prefix)), "the kill left a veth on the bridge");
    if (point === "container-start:monitor") t.ok((await findMonitors(x.e.layout)).some((m) => m.id === rec.id), "and a monitor running the container");
    await restart(x);
    const now = await x.c.call<ContainerRecord>("GET", "/containers/web");
    t.equal(now.state, "created");
    t.equal(now.transition, undefined);
    t.same(await leftovers(x.e.layout, x.c, x.prefix), []);
    t.notOk((await hostLinks()).some((l) => l.linkinfo?.info_kind === "veth" && l.master?.startsWith(x.prefix)), "no veth on the engine's bridges");
    t.notMatch(await nftTable(x.table), /10\.\d+\.\d+\.\d+ \. 80/, "no port element for it");
    t.notOk((await netContainers(x)).includes(rec.id), "no address, port or DNS name kept for it");
    t.match(await log(x), /repair container: container web \(\w+\): undid a start that a kill interrupted/);
    const started = await x.c.call<ContainerRecord>("POST", "/containers/web/start");
    t.equal(started.state, "running", "it starts after the repair");
    const port = started.network?.ports[0];
    t.ok(port !== undefined && (await nftTable(x.table)).includes(`${port.containerIp} . 80`), "its port is in the table again");
    await x.c.call("DELETE", "/containers/web?force=1");
  });
}

t.test("a removal killed after its clean-up is finished at start", async (t) => {
  const x = await engineFor(t);
  await x.c.call("POST", "/containers", { name: "gone", image: "busybox", command: sleeper, stopTimeout: 1 });
  const rec = await x.c.call<ContainerRecord>("POST", "/containers/gone/start");
  await killAt(x, "container-remove:cleaned", (c) => c.call("DELETE", "/containers/gone?force=1"));
  t.ok(existsSync(join(x.e.layout.containersDir, rec.id, "container.json")), "the kill left the record");
  await restart(x);
  await t.rejects(x.c.call("GET", "/containers/gone"), { category: "NotFound" }, "the removal was finished");
  t.same(await leftovers(x.e.layout, x.c, x.prefix), []);
  t.match(await log(x), /container gone \(\w+\): finished a removal that a kill interrupted/);
  await x.c.call("POST", "/containers", { name: "gone", image: "busybox", command: sleeper });
});

t.test("a volume create killed before its metadata: the directory goes, the name is free", async (t) => {
  const x = await engineFor(t);
  await killAt(x, "volume-create:dir", (c) => c.call("POST", "/volumes", { name: "data" }));
  t.ok(existsSync(join(x.e.layout.volumesDir, "data", "_data")), "the kill left the directory");
  // One a user filled behind the engine's back stays.
  await mkdir(join(x.e.layout.volumesDir, "kept", "_data"), { recursive: true });
  await runCommand("sh", ["-c", `echo x > ${join(x.e.layout.volumesDir, "kept", "_data", "f")}`]);
  await restart(x);
  t.notOk(existsSync(join(x.e.layout.volumesDir, "data")), "removed");
  t.ok(existsSync(join(x.e.layout.volumesDir, "kept", "_data", "f")), "data is never removed");
  t.match(await log(x), /repair volume: removed .*data: a create that a kill interrupted/);
  t.match(await log(x), /repair volume: left .*kept alone/);
  t.equal((await x.c.call<{ name: string }>("POST", "/volumes", { name: "data" })).name, "data");
});

t.test("a container whose record is lost: monitor, runc state, cgroup, mount, veth and ports go; running ones stay", async (t) => {
  const x = await engineFor(t);
  await x.c.call("POST", "/networks", { name: "app", driver: "bridge" });
  const spec = (name: string) => ({ name, image: "busybox", command: sleeper, stopTimeout: 1, networks: [{ network: "app" }], ports: [{ containerPort: 80, protocol: "tcp" }] });
  await x.c.call("POST", "/containers", spec("lost"));
  const lost = await x.c.call<ContainerRecord>("POST", "/containers/lost/start");
  await x.c.call("POST", "/containers", spec("kept"));
  const kept = await x.c.call<ContainerRecord>("POST", "/containers/kept/start");
  const pid = await enginePid(x);
  process.kill(pid, "SIGKILL");
  await waitFor(() => !alive(pid), 5000);
  // A record lost with its engine (or never written): only the host knows the container.
  await rm(join(x.e.layout.containersDir, lost.id, "container.json"));
  t.ok((await findMonitors(x.e.layout)).some((m) => m.id === lost.id), "its monitor runs");
  await restart(x);
  t.same(await leftovers(x.e.layout, x.c, x.prefix), []);
  t.notOk(existsSync(join(x.e.layout.containersDir, lost.id)), "its directory is gone");
  t.notOk(alive(lost.pid!), "its process is gone");
  t.notMatch(await nftTable(x.table), `${lost.network!.endpoints[0]!.ipv4Address} . 80`, "its port is gone");
  t.same(await netContainers(x), [kept.id], "addresses, ports and DNS names are kept for the running container only");
  const k = await x.c.call<ContainerRecord>("GET", "/containers/kept");
  t.same([k.state, k.pid], ["running", kept.pid], "the running container was re-adopted");
  t.ok(alive(kept.pid!));
  t.match(await nftTable(x.table), `${kept.network!.endpoints[0]!.ipv4Address} . 80`, "its port stays");
  const text = await log(x);
  for (const what of ["deleted runc state of container " + lost.id.slice(0, 12), "stopped the monitor", "removed the directory of container"])
    t.match(text, what, `logged: ${what}`);
  t.same(await readdir(join(x.e.layout.run, "netns")).then((l) => l.includes(lost.id)), false, "its namespace pin is gone");
});
