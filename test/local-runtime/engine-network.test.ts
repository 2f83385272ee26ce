/**
 * The engine with real networking, over its socket: the default bridge with a random published
 * port, links, the embedded DNS on a user network, connect/disconnect of a running container,
 * prune, container:NAME, host and none. Its own bridge prefix, table and pool; everything it
 * makes is removed at the end. Root only.
 */
import t from "tap";
import http from "node:http";
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEngine, type RunningEngine } from "../../src/providers/local-runtime/engine/engine-server.js";
import { EngineClient } from "../../src/providers/local-runtime/engine/engine-client.js";
import type { ContainerRecord } from "../../src/providers/local-runtime/container/container-record.js";
import type { LocalNetworkManager } from "../../src/providers/local-runtime/network/network-manager.js";
import type { Endpoint, NetworkRecord } from "../../src/providers/local-runtime/network/network-types.js";
import { removeCgroupParent } from "../../src/providers/local-runtime/container/cgroups.js";
import { runCommand } from "../../src/providers/local-runtime/host/run-command.js";

if (process.getuid?.() !== 0) {
  t.plan(0, "needs root");
  process.exit(0);
}

const id = randomBytes(3).toString("hex");
const prefix = `en${id}`;
const table = `infra_${prefix}`;
const N = (s: string) => `${prefix}-${s}`;
const dir = await mkdtemp(join(tmpdir(), "infra-engnet-"));
let engine: RunningEngine | undefined;

t.teardown(async () => {
  if (engine) {
    const c = new EngineClient(engine.layout.engineSocket);
    for (const r of await c.call<ContainerRecord[]>("GET", "/containers?all=1").catch(() => [] as ContainerRecord[]))
      await c.call("DELETE", `/containers/${r.id}?force=1`).catch(() => undefined);
    const nm = engine.ctx.network as LocalNetworkManager | undefined;
    await engine.close();
    // The default bridge and the table live as long as the engine's networking: this test made them.
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

t.test("engine networking end to end", async (t) => {
  const pool = [`10.216.${(randomBytes(1)[0]! % 16) * 16}.0/20`];
  engine = await startEngine({ root: join(dir, "root"), run: join(dir, "run"), networkOptions: { bridgePrefix: prefix, tablePrefix: table, pool } });
  const c = new EngineClient(engine.layout.engineSocket);
  t.equal((await c.call<{ networking: string }>("GET", "/ping")).networking, "on");
  const run = async (spec: Record<string, unknown>) => {
    const r = await c.call<ContainerRecord>("POST", "/containers", { image: "busybox", stopTimeout: 1, ...spec });
    return c.call<ContainerRecord>("POST", `/containers/${r.id}/start`);
  };
  const sh = async (name: string, script: string) => c.call<{ exitCode: number; stdout: string; stderr: string }>("POST", `/containers/${name}/exec`, { cmd: ["sh", "-c", script] });
  const serve = ["httpd", "-f", "-p", "80", "-h", "/etc"];

  // Default bridge, a random host port, reachable from the host's loopback.
  const a = await run({ name: N("a"), command: serve, ports: [{ containerPort: 80, protocol: "tcp" }] });
  const aIp = a.network?.endpoints[0]?.ipv4Address ?? "";
  t.equal(a.network?.endpoints[0]?.network, "bridge");
  const hostPort = a.network?.ports[0]?.hostPort ?? 0;
  t.ok(hostPort > 0, `a random host port was chosen (${hostPort})`);
  let page = "";
  for (let i = 0; i < 30 && page === ""; i++) page = await get(`http://127.0.0.1:${hostPort}/hostname`).catch(async () => { await new Promise((r) => setTimeout(r, 100)); return ""; });
  t.equal(page, N("a"), "the published port answers");
  t.notMatch((await sh(N("a"), "cat /etc/resolv.conf")).stdout, new RegExp(`nameserver ${a.network?.endpoints[0]?.gateway}`), "no embedded DNS on the default bridge (as in Docker)");

  // A link on the default bridge: an /etc/hosts entry.
  await run({ name: N("b"), command: ["sleep", "300"], links: [{ container: N("a"), alias: "web" }] });
  t.match((await sh(N("b"), "cat /etc/hosts")).stdout, new RegExp(`${aIp.replace(/\./g, "\\.")}\\s+web ${N("a")}`));
  t.equal((await sh(N("b"), "wget -q -O - http://web/hostname")).stdout.trim(), N("a"), "b reaches a through the link");

  // A user network, the embedded DNS, and connect in place.
  const n1 = await c.call<NetworkRecord>("POST", "/networks", { name: N("n1"), driver: "bridge" });
  const cc = await run({ name: N("c"), command: ["sleep", "300"], networks: [{ network: N("n1") }] });
  t.match((await sh(N("c"), "cat /etc/resolv.conf")).stdout, `nameserver ${n1.gateway}\n`, "resolv.conf points at the network's DNS");
  const ep = await c.call<Endpoint>("POST", `/networks/${N("n1")}/connect`, { container: N("a"), aliases: ["www"] });
  t.equal(ep.ifname, "eth1");
  t.match((await sh(N("a"), "ip -4 -o addr show eth1")).stdout, ep.ipv4Address, "the running container got the interface");
  const a2 = await c.call<ContainerRecord>("GET", `/containers/${N("a")}`);
  t.equal(a2.pid, a.pid, "no restart");
  t.same(a2.spec.networks, [{ network: "bridge" }, { network: N("n1"), aliases: ["www"] }], "the spec records the attachment");
  t.equal((await sh(N("c"), "wget -q -O - http://www/hostname")).stdout.trim(), N("a"), "c resolves a's alias on n1");
  await t.rejects(c.call("POST", `/networks/${N("n1")}/connect`, { container: N("a") }), { category: "Conflict" }, "connecting twice is refused");
  await c.call("POST", `/networks/${N("n1")}/disconnect`, { container: N("a") });
  t.equal((await sh(N("a"), "ip -o link show eth1")).exitCode !== 0, true, "disconnect removed the interface");
  t.not((await sh(N("c"), "nslookup www")).exitCode, 0, "and the name");
  t.same((await c.call<ContainerRecord>("GET", `/containers/${N("a")}`)).spec.networks, [{ network: "bridge" }]);

  // Prune keeps networks any container refers to, running or not.
  await c.call("POST", "/networks", { name: N("n2"), driver: "bridge" });
  await c.call("POST", "/networks", { name: N("n3"), driver: "bridge" });
  await c.call("POST", "/containers", { name: N("d"), image: "busybox", command: ["true"], networks: [{ network: N("n3") }] });
  const pruned = await c.call<{ removed: string[] }>("POST", "/networks/prune");
  t.same(pruned.removed, [N("n2")]);

  // An engine restart: containers keep running, rules and DNS come back, strays are reconciled.
  const opts = { root: engine.layout.root, run: engine.layout.run, networkOptions: { bridgePrefix: prefix, tablePrefix: table, pool } };
  await writeFile(join(engine.layout.run, "netns", "stray"), "");
  await engine.close();
  engine = await startEngine(opts);
  t.equal((await c.call<ContainerRecord>("GET", `/containers/${N("a")}`)).pid, a.pid, "a still runs after the restart");
  t.equal(await get(`http://127.0.0.1:${hostPort}/hostname`), N("a"), "its published port still answers");
  t.equal((await sh(N("c"), "nslookup " + N("c") + " >/dev/null && echo ok")).stdout.trim(), "ok", "the DNS on n1 answers again");
  t.notOk((await readdir(join(engine.layout.run, "netns"))).includes("stray"), "a namespace file no container owns was removed");

  // container:NAME shares a's namespace and hostname; host and none.
  await run({ name: N("j"), command: ["sleep", "300"], networkMode: { container: N("a") } });
  t.equal((await sh(N("j"), "ip -4 -o addr show eth0 | awk '{print $4}'")).stdout, (await sh(N("a"), "ip -4 -o addr show eth0 | awk '{print $4}'")).stdout, "same address");
  t.equal((await sh(N("j"), "hostname")).stdout.trim(), N("a"), "the donor's hostname");
  t.equal((await sh(N("j"), "wget -q -O - http://127.0.0.1/hostname")).stdout.trim(), N("a"), "loopback shared");
  await run({ name: N("h"), command: ["sleep", "300"], networkMode: "host" });
  t.match((await sh(N("h"), "ip -o link show")).stdout, `${prefix}0`, "host mode sees the host's bridge");
  await run({ name: N("z"), command: ["sleep", "300"], networkMode: "none" });
  t.equal((await sh(N("z"), "ip -o link show | grep -c .")).stdout.trim(), "1", "none: loopback only");

  // Removal: no namespace file, no veth, no published port left.
  for (const n of ["j", "h", "z", "b", "a", "c", "d"]) await c.call("DELETE", `/containers/${N(n)}?force=1`);
  t.same(await readdir(join(engine.layout.run, "netns")), [], "no pinned namespace left");
  const nft = (await runCommand("nft", ["list", "table", "inet", table])).stdout;
  t.notMatch(nft, new RegExp(`${hostPort}`), "the published port's rule is gone");
  const onBridge = JSON.parse((await runCommand("ip", ["-j", "link", "show", "master", `${prefix}0`])).stdout || "[]") as unknown[];
  t.same(onBridge, [], "no veth on the default bridge");
  t.ok(cc.id, "c had an id");
});

t.test("run --rm back to back: the same name and host port again at once; DNS has only the new address", async (t) => {
  const c = new EngineClient(engine!.layout.engineSocket);
  // `run` does not wait for the clean-up of the last `--rm` container (other requests do): the
  // network manager's queue releases its port and name before it wires the next one.
  await c.call<NetworkRecord>("POST", "/networks", { name: N("rr"), driver: "bridge" });
  const hostPort = 20000 + (randomBytes(2).readUInt16BE(0) % 20000);
  const name = N("rr1");
  const script = `ip -4 -o addr show eth0 | awk '{print $4}' | cut -d/ -f1; nslookup ${name} | sed -n '/^Name:/,$p' | awk '/^Address/ {print $NF}'`;
  for (let i = 0; i < 4; i++) {
    const events: Array<Record<string, any>> = [];
    await c.stream("/run", (e) => events.push(e as Record<string, any>), { method: "POST", errorsAsItems: true, body: {
      rm: true,
      spec: { name, image: "busybox", networks: [{ network: N("rr") }], ports: [{ containerPort: 80, hostPort, protocol: "tcp" }], command: ["sh", "-c", script] },
    } });
    const exited = events.find((e) => e.exited)?.exited as ContainerRecord | undefined;
    t.equal(exited?.exitCode, 0, `run ${i}: exit 0 (${JSON.stringify(events.find((e) => e.error) ?? "")})`);
    const [own, ...answers] = events.filter((e) => e.log).map((e) => e.log.text as string);
    t.match(own, /^\d+\.\d+\.\d+\.\d+$/, `run ${i}: its address`);
    t.same(answers, [own], `run ${i}: its name resolves to its own address only`);
  }
  t.same(await c.call("GET", "/containers?all=1").then((l) => (l as ContainerRecord[]).filter((r) => r.name === name)), [], "none left");
  t.notMatch((await runCommand("nft", ["list", "table", "inet", table])).stdout, new RegExp(`${hostPort}`), "its port rule is gone");
  await c.call("DELETE", `/networks/${N("rr")}`);
});
