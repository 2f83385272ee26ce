/**
 * The engine's repairs at start, one per kind of leftover: the engine dies as kill -9 would at a
 * named point (INFRA_TEST_FAULT=point@subject, host/fault-point.ts), or its leftovers are made by
 * hand, then the next engine must leave the host matching its records (engine-leftovers.ts), say
 * what it repaired in its log, and take the same request again. One engine for the file (its
 * restarts are the subject), with its own roots, prefix, table and pool; every fault is armed from
 * the start and leaves the list once it has fired. Real runc, nftables and links. Root only.
 */
import t from "tap";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { spawnedEngine } from "./spawned-engine.js";
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

const prefix = `rp${randomBytes(3).toString("hex")}`;
const table = `infra_${prefix}`;
const sleeper = ["sleep", "300"];
const faults: string[] = [
  "network-create:recorded@half1", "network-create:bridge@half2", "volume-create:dir@data",
  "network-setup:links@web-links", "container-start:prepared@web-prepared", "container-start:monitor@web-monitor",
  "container-remove:cleaned@gone",
];

process.env.INFRA_NET_PREFIX = prefix;
process.env.INFRA_NET_POOL = `10.${200 + (randomBytes(1)[0]! % 40)}.${(randomBytes(1)[0]! % 16) * 16}.0/20`;
process.env.INFRA_TEST_FAULT = faults.join(",");
const e = await spawnedEngine(t, "infra-repair-");
let c: EngineClient = await e.ensure();
t.teardown(async () => {
  for (const l of await hostLinks()) if (l.ifname.startsWith(prefix)) await runCommand("ip", ["link", "del", l.ifname]);
  await runCommand("nft", ["delete", "table", "inet", table]);
});

/** The running engine's pid (its pid file is written just after its socket answers). */
async function enginePid(): Promise<number> {
  let pid = 0;
  await waitFor(async () => (pid = Number(await readFile(e.layout.enginePidFile, "utf8").catch(() => "0"))) > 0, 5000);
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

/** The engine dies at `point@subject` during `action` (the request fails); the next one starts, and repairs. */
async function killAt(point: FaultPoint, subject: string, action: (c: EngineClient) => Promise<unknown>): Promise<void> {
  const pid = await enginePid();
  const err = await action(c).then(() => { throw new Error(`the engine did not die at ${point}`); }, (x: unknown) => x as Error);
  if (!(await waitFor(() => !alive(pid), 5000))) throw new Error(`engine ${pid} still runs after ${point} (the request failed with: ${err.message})`);
  faults.splice(faults.indexOf(`${point}@${subject}`), 1);
  process.env.INFRA_TEST_FAULT = faults.join(",");
}

async function restart(): Promise<void> {
  c = await e.ensure();
  await enginePid();
}

/** The engine's log since the last call. */
let seen = 0;
async function newLog(): Promise<string> {
  const text = await readFile(join(e.layout.run, "engine.log"), "utf8").catch(() => "");
  const out = text.slice(seen);
  seen = text.length;
  return out;
}

/** Containers the network state holds addresses, ports and DNS names for (the DNS views are computed from it). */
async function netContainers(): Promise<string[]> {
  const text = await readFile(join(e.layout.root, "networks", "containers.json"), "utf8");
  return (JSON.parse(text) as { containers: Array<{ containerId: string }> }).containers.map((x) => x.containerId);
}

const networks = () => c.call<Array<NetworkRecord & { device: string }>>("GET", "/networks");
const ownVeths = async () => (await hostLinks()).filter((l) => l.linkinfo?.info_kind === "veth" && l.master?.startsWith(prefix) === true);

t.test("a network create killed after its record: the record goes, the name is free", async (t) => {
  await killAt("network-create:recorded", "half1", (x) => x.call("POST", "/networks", { name: "half1", driver: "bridge" }));
  const state = JSON.parse(await readFile(join(e.layout.root, "networks", "state.json"), "utf8")) as { networks: Array<{ name: string; creating?: boolean }> };
  t.same(state.networks.filter((n) => n.name === "half1").map((n) => n.creating), [true], "the record on disk says creating");
  await restart();
  t.notOk((await networks()).some((n) => n.name === "half1"), "no record after the repair");
  t.same(await leftovers(e.layout, c, prefix), []);
  t.match(await newLog(), /repair network: undid the create of network "half1"/);
  const again = await c.call<NetworkRecord & { device: string }>("POST", "/networks", { name: "half1", driver: "bridge" });
  t.ok((await hostLinks()).some((l) => l.ifname === again.device), "the same name is created again");
});

t.test("a network create killed with its bridge made: bridge and record go", async (t) => {
  const before = new Set((await hostLinks()).map((l) => l.ifname));
  await killAt("network-create:bridge", "half2", (x) => x.call("POST", "/networks", { name: "half2", driver: "bridge" }));
  const made = (await hostLinks()).filter((l) => l.ifname.startsWith(`${prefix}-`) && !before.has(l.ifname));
  t.equal(made.length, 1, "the kill left a bridge");
  const bridge = made[0]!.ifname;
  await restart();
  t.notOk((await hostLinks()).some((l) => l.ifname === bridge), "the bridge is gone");
  t.same(await leftovers(e.layout, c, prefix), []);
  t.notMatch(await nftTable(table), bridge, "no rule names it");
  t.match(await newLog(), new RegExp(`undid the create of network "half2" .*${bridge}`));
  await c.call("POST", "/networks", { name: "half2", driver: "bridge" });
});

t.test("a volume create killed before its metadata: the directory goes, the name is free", async (t) => {
  await killAt("volume-create:dir", "data", (x) => x.call("POST", "/volumes", { name: "data" }));
  t.ok(existsSync(join(e.layout.volumesDir, "data", "_data")), "the kill left the directory");
  // One a user filled behind the engine's back stays.
  await mkdir(join(e.layout.volumesDir, "kept", "_data"), { recursive: true });
  await runCommand("sh", ["-c", `echo x > ${join(e.layout.volumesDir, "kept", "_data", "f")}`]);
  await restart();
  t.notOk(existsSync(join(e.layout.volumesDir, "data")), "removed");
  t.ok(existsSync(join(e.layout.volumesDir, "kept", "_data", "f")), "data is never removed");
  const log = await newLog();
  t.match(log, /repair volume: removed .*data: a create that a kill interrupted/);
  t.match(log, /repair volume: left .*kept alone/);
  t.equal((await c.call<{ name: string }>("POST", "/volumes", { name: "data" })).name, "data");
  await rm(join(e.layout.volumesDir, "kept"), { recursive: true });
});

for (const [point, name] of [["network-setup:links", "web-links"], ["container-start:prepared", "web-prepared"], ["container-start:monitor", "web-monitor"]] as const) {
  t.test(`a start killed at ${point} is undone; the next start works`, async (t) => {
    await c.call("POST", "/networks", { name: `net-${name}`, driver: "bridge" });
    const rec = await c.call<ContainerRecord>("POST", "/containers", {
      name, image: "busybox", command: sleeper, stopTimeout: 1, networks: [{ network: `net-${name}` }], ports: [{ containerPort: 80, protocol: "tcp" }],
    });
    await killAt(point, name, (x) => x.call("POST", `/containers/${name}/start`));
    const onDisk = JSON.parse(await readFile(join(e.layout.containersDir, rec.id, "container.json"), "utf8")) as ContainerRecord;
    t.equal(onDisk.transition, "starting", "the record on disk says starting");
    t.ok((await ownVeths()).length > 0, "the kill left a veth on the bridge");
    if (point === "container-start:monitor") t.ok((await findMonitors(e.layout)).some((m) => m.id === rec.id), "and a monitor running the container");
    await restart();
    const now = await c.call<ContainerRecord>("GET", `/containers/${name}`);
    t.same([now.state, now.transition], ["created", undefined], "back to created");
    t.same(await leftovers(e.layout, c, prefix), []);
    t.same(await ownVeths(), [], "no veth on the engine's bridges");
    t.notMatch(await nftTable(table), /10\.\d+\.\d+\.\d+ \. 80/, "no port element for it");
    t.notOk((await netContainers()).includes(rec.id), "no address, port or DNS name kept for it");
    const log = await newLog();
    t.match(log, new RegExp(`repair container: container ${name} \\(\\w+\\): undid a start that a kill interrupted`));
    // Before its network state was saved, only the bridge it hangs on says whose the veth is.
    if (point === "network-setup:links") t.match(log, new RegExp(`repair network: removed veth ve\\w+ on ${prefix}-\\w+: no endpoint records it`));
    const started = await c.call<ContainerRecord>("POST", `/containers/${name}/start`);
    t.equal(started.state, "running", "it starts after the repair");
    const port = started.network?.ports[0];
    t.ok(port !== undefined && (await nftTable(table)).includes(`${port.containerIp} . 80`), "its port is in the table again");
    await c.call("DELETE", `/containers/${name}?force=1`);
    await c.call("DELETE", `/networks/net-${name}`);
  });
}

t.test("a removal killed after its clean-up is finished at start", async (t) => {
  await c.call("POST", "/containers", { name: "gone", image: "busybox", command: sleeper, stopTimeout: 1 });
  const rec = await c.call<ContainerRecord>("POST", "/containers/gone/start");
  await killAt("container-remove:cleaned", "gone", (x) => x.call("DELETE", "/containers/gone?force=1"));
  t.ok(existsSync(join(e.layout.containersDir, rec.id, "container.json")), "the kill left the record");
  await restart();
  await t.rejects(c.call("GET", "/containers/gone"), { category: "NotFound" }, "the removal was finished");
  t.same(await leftovers(e.layout, c, prefix), []);
  t.match(await newLog(), /container gone \(\w+\): finished a removal that a kill interrupted/);
  await c.call("POST", "/containers", { name: "gone", image: "busybox", command: sleeper });
  await c.call("DELETE", "/containers/gone");
});

t.test("bridges of the prefix without a record go; other links stay", async (t) => {
  await e.stop();
  const stray = `${prefix}-${"ab12".padEnd(15 - prefix.length - 1, "0")}`;
  const other = `${prefix}x`;
  for (const name of [stray, other]) await runCommand("ip", ["link", "add", name, "type", "bridge"]);
  await restart();
  const names = (await hostLinks()).map((l) => l.ifname);
  t.notOk(names.includes(stray), "a bridge named like the engine's, without a record, is removed");
  t.ok(names.includes(other), "a link not named like the engine's bridges is left alone");
  await runCommand("ip", ["link", "del", other]);
  t.same(await leftovers(e.layout, c, prefix), []);
  t.match(await newLog(), new RegExp(`removed bridge ${stray}: no network record owns it`));
});

t.test("a container whose record is lost: monitor, runc state, mount, addresses and namespace go; running ones stay", async (t) => {
  await c.call("POST", "/networks", { name: "app", driver: "bridge" });
  const spec = (name: string) => ({ name, image: "busybox", command: sleeper, stopTimeout: 1, networks: [{ network: "app" }], ports: [{ containerPort: 80, protocol: "tcp" }] });
  await c.call("POST", "/containers", spec("lost"));
  const lost = await c.call<ContainerRecord>("POST", "/containers/lost/start");
  await c.call("POST", "/containers", spec("kept"));
  const kept = await c.call<ContainerRecord>("POST", "/containers/kept/start");
  const pid = await enginePid();
  process.kill(pid, "SIGKILL");
  await waitFor(() => !alive(pid), 5000);
  // A record lost with its engine (or never written): only the host knows the container.
  await rm(join(e.layout.containersDir, lost.id, "container.json"));
  t.ok((await findMonitors(e.layout)).some((m) => m.id === lost.id), "its monitor runs");
  await restart();
  t.same(await leftovers(e.layout, c, prefix), []);
  t.notOk(existsSync(join(e.layout.containersDir, lost.id)), "its directory is gone");
  t.notOk(alive(lost.pid!), "its process is gone");
  t.notMatch(await nftTable(table), `${lost.network!.endpoints[0]!.ipv4Address} . 80`, "its port is gone");
  t.same(await netContainers(), [kept.id], "addresses, ports and DNS names are kept for the running container only");
  const k = await c.call<ContainerRecord>("GET", "/containers/kept");
  t.same([k.state, k.pid], ["running", kept.pid], "the running container was re-adopted");
  t.ok(alive(kept.pid!));
  t.match(await nftTable(table), `${kept.network!.endpoints[0]!.ipv4Address} . 80`, "its port stays");
  const log = await newLog();
  for (const what of [`deleted runc state of container ${lost.id.slice(0, 12)}`, "stopped the monitor", "unmounted", "released the addresses, ports and names", "removed the pinned namespace", "removed the directory of container"])
    t.match(log, what, `logged: ${what}`);
  t.notOk((await readdir(join(e.layout.run, "netns"))).includes(lost.id), "its namespace pin is gone");
});

t.test("a container known only to the kernel: its processes (through its cgroup), mount, namespace and veth go", async (t) => {
  await c.call("POST", "/containers", { name: "ghost", image: "busybox", command: sleeper, stopTimeout: 1, networks: [{ network: "app" }], ports: [{ containerPort: 80, protocol: "tcp" }] });
  const ghost = await c.call<ContainerRecord>("POST", "/containers/ghost/start");
  const pid = await enginePid();
  process.kill(pid, "SIGKILL");
  await waitFor(() => !alive(pid), 5000);
  // Record, runc state and network state all lost: what is left has only its place to say whose it is.
  await rm(join(e.layout.containersDir, ghost.id, "container.json"));
  await rm(join(e.layout.runcRoot, ghost.id), { recursive: true });
  const netFile = join(e.layout.root, "networks", "containers.json");
  const net = JSON.parse(await readFile(netFile, "utf8")) as { containers: Array<{ containerId: string }> };
  net.containers = net.containers.filter((x) => x.containerId !== ghost.id);
  await writeFile(netFile, JSON.stringify(net));
  const veth = ghost.network!.endpoints[0]!.hostIfname!;
  t.ok((await hostLinks()).some((l) => l.ifname === veth), "its veth is there");
  await restart();
  t.same(await leftovers(e.layout, c, prefix), []);
  t.notOk(alive(ghost.pid!), "its process was killed through its cgroup");
  t.notOk((await hostLinks()).some((l) => l.ifname === veth), "its veth is gone");
  t.notMatch(await nftTable(table), `${ghost.network!.endpoints[0]!.ipv4Address} . 80`, "its port is gone");
  const log = await newLog();
  // The veth went with the namespace (its last process killed, its pin removed).
  for (const what of ["stopped the monitor", "unmounted", "removed cgroup", "removed the pinned namespace"])
    t.match(log, what, `logged: ${what}`);
  t.equal((await c.call<ContainerRecord>("GET", "/containers/kept")).state, "running", "the running container is untouched");
});
