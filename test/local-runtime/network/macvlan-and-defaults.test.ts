/**
 * Real links again: a macvlan network on a veth parent (this kernel has no dummy links), the
 * default `bridge` network with --link hosts entries and no DNS, and `container:NAME`
 * sharing through the pinned namespace file. Root only; everything made here is removed.
 */
import t from "tap";
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createNetworkManager, type LocalNetworkManager } from "../../../src/providers/local-runtime/network/network-manager.js";
import { HostNet } from "../../../src/providers/local-runtime/network/host-net.js";
import { chooseSubnet } from "../../../src/providers/local-runtime/network/ipam.js";

if (process.getuid?.() !== 0) {
  t.plan(0, "needs root");
  process.exit(0);
}

const id = randomBytes(3).toString("hex");
const P = `m${id}`;
const TABLE = `infra_m${id}`;
const dir = mkdtempSync(join(tmpdir(), `infra-net-${id}-`));
writeFileSync(join(dir, "index.html"), "shared\n");
const host = new HostNet();
const procs: ChildProcess[] = [];
const lanNs = join(dir, "lan-ns");
const parent = `${P}p`;
let mgr: LocalNetworkManager;

function sh(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(file, args, { encoding: "utf8", timeout: 20_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout))),
  );
}
const inNs = (ns: string, args: string[]) => sh("nsenter", [`--net=${ns}`, ...args]);
const canPing = (ns: string, ip: string) => inNs(ns, ["busybox", "ping", "-c", "1", "-W", "1", ip]).then(() => true, () => false);
const fetchIn = (ns: string, url: string) =>
  inNs(ns, ["busybox", "timeout", "3", "busybox", "wget", "-q", "-O", "-", url]).then((s) => s.trim(), () => "FAILED");
function serve(ns: string, port: number): ChildProcess {
  const p = spawn("nsenter", [`--net=${ns}`, "busybox", "httpd", "-f", "-p", String(port), "-h", dir], { stdio: "ignore" });
  procs.push(p);
  return p;
}
async function tableExists(): Promise<boolean> {
  return (await sh("nft", ["list", "tables"])).includes(`inet ${TABLE}\n`);
}

t.teardown(async () => {
  for (const p of procs) if (p.exitCode === null) p.kill("SIGKILL");
  await mgr?.uninstall().catch(() => undefined);
  for (const c of ["v1", "v2", "b1", "b2"]) await mgr?.removeNetns(`${P}${c}`).catch(() => undefined);
  await host.deleteLink(parent).catch(() => undefined);
  await host.removeNetns(lanNs).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

t.before(async () => {
  mgr = await createNetworkManager({ root: join(dir, "root"), run: join(dir, "run"), tablePrefix: TABLE, bridgePrefix: P, pool: ["10.221.0.0/16"] });
  await mgr.init();
});

t.test("macvlan on a parent link: static IP and MAC, neighbours on the LAN", async (t) => {
  // The "LAN": a namespace at the other end of a veth whose host end is the macvlan parent.
  const lan = chooseSubnet(["10.222.0.0/16"], [], await host.hostRanges());
  const base = lan.replace(/\.0\/24$/, "");
  await host.createNetns(lanNs);
  await sh("ip", ["link", "add", parent, "type", "veth", "peer", "name", "eth0", "netns", lanNs]);
  await sh("ip", ["link", "set", parent, "up"]);
  await inNs(lanNs, ["ip", "addr", "add", `${base}.1/24`, "dev", "eth0"]);
  await inNs(lanNs, ["ip", "link", "set", "eth0", "up"]);

  await t.rejects(mgr.createNetwork({ name: `${P}-mv`, driver: "macvlan", parent: `${P}nope`, subnet: lan }), { code: "INFRA_NET_MACVLAN_PARENT" });
  await t.rejects(mgr.createNetwork({ name: `${P}-mv`, driver: "macvlan", parent }), { code: "INFRA_NET_MACVLAN_SUBNET" });
  const mv = await mgr.createNetwork({ name: `${P}-mv`, driver: "macvlan", parent, subnet: lan, gateway: `${base}.1`, ipRange: `${base}.128/25` });
  t.equal(mv.driver, "macvlan");
  t.equal(mv.device, parent);

  const v1 = await mgr.createNetns(`${P}v1`);
  const v2 = await mgr.createNetns(`${P}v2`);
  const r1 = await mgr.setUpContainer({
    containerId: `${P}v1`, containerName: `${P}-v1`, netnsPath: v1, links: [], ports: [],
    endpoints: [{ network: mv.name, aliases: [], ipv4Address: `${base}.10`, macAddress: "02:AA:BB:CC:DD:10" }],
  });
  const r2 = await mgr.setUpContainer({
    containerId: `${P}v2`, containerName: `${P}-v2`, netnsPath: v2, links: [], ports: [],
    endpoints: [{ network: mv.name, aliases: [] }],
  });
  t.equal(r1.endpoints[0]!.ipv4Address, `${base}.10`);
  t.equal(r2.endpoints[0]!.ipv4Address, `${base}.128`, "dynamic address from the ip-range");
  t.match(await inNs(v1, ["ip", "link", "show", "eth0"]), "link/ether 02:aa:bb:cc:dd:10");
  t.match(await inNs(v1, ["ip", "-d", "link", "show", "eth0"]), "macvlan mode bridge");
  t.ok(await canPing(v1, `${base}.1`), "container reaches the LAN host");
  t.ok(await canPing(lanNs, `${base}.10`), "the LAN host reaches the container");
  t.ok(await canPing(v1, `${base}.128`), "two macvlan containers reach each other");
  t.match(await inNs(v1, ["ip", "route", "show", "default"]), `via ${base}.1`);
  await t.rejects(mgr.connect(`${P}v2`, { network: mv.name, aliases: [], ipv4Address: `${base}.10` }), { code: "INFRA_NET_ALREADY_CONNECTED" });

  await mgr.tearDownContainer(`${P}v1`);
  await mgr.tearDownContainer(`${P}v2`);
  t.same(await host.linksInNetns(v1), ["lo"], "macvlan link removed from the namespace");
  await mgr.removeNetns(`${P}v1`);
  await mgr.removeNetns(`${P}v2`);
  await mgr.removeNetwork(mv.name);
  t.ok(host.linkExists(parent), "the parent is not ours: it stays");
});

t.test("default bridge: links as hosts entries, no name DNS, predefined networks", async (t) => {
  const nets = await mgr.listNetworks();
  t.same(nets.map((n) => n.name).sort(), ["bridge", "host", "none"]);
  const br = nets.find((n) => n.name === "bridge")!;
  t.equal(br.device, `${P}0`);
  t.ok(await tableExists());
  await t.rejects(mgr.removeNetwork("bridge"), { code: "INFRA_NET_PREDEFINED" });
  await t.rejects(mgr.removeNetwork("host"), { code: "INFRA_NET_PREDEFINED" });

  const b1 = await mgr.createNetns(`${P}b1`);
  const b2 = await mgr.createNetns(`${P}b2`);
  await t.rejects(
    mgr.setUpContainer({ containerId: `${P}b1`, containerName: `${P}-b1`, netnsPath: b1, links: [], ports: [], endpoints: [{ network: "bridge", aliases: ["x"] }] }),
    { code: "INFRA_NET_ALIAS_DEFAULT_BRIDGE" },
  );
  const r1 = await mgr.setUpContainer({ containerId: `${P}b1`, containerName: `${P}-b1`, netnsPath: b1, links: [], ports: [], endpoints: [{ network: "bridge", aliases: [] }] });
  await t.rejects(
    mgr.setUpContainer({ containerId: `${P}b2`, containerName: `${P}-b2`, netnsPath: b2, links: [{ container: "ghost", alias: "g" }], ports: [], endpoints: [{ network: "bridge", aliases: [] }] }),
    { code: "INFRA_NET_LINK_NOT_FOUND" },
  );
  const r2 = await mgr.setUpContainer({
    containerId: `${P}b2`, containerName: `${P}-b2`, netnsPath: b2, ports: [], endpoints: [{ network: "bridge", aliases: [] }],
    links: [{ container: `${P}-b1`, alias: "db" }],
  });
  const ip1 = r1.endpoints[0]!.ipv4Address;
  t.same(r2.hostsEntries, [{ ip: ip1, names: ["db", `${P}-b1`, `${P}b1`.slice(0, 12)] }]);
  t.not(r2.nameservers[0], br.gateway, "no embedded DNS on the default bridge");
  t.notOk(r2.nameservers.some((s) => s.startsWith("127.")), "no loopback resolver handed to a container");

  // container:NAME — a joiner enters the donor's pinned namespace file.
  const donor = serve(b1, 80);
  serve(b1, 8080); // the "joiner", started with the donor's netns path
  await new Promise((r) => setTimeout(r, 300));
  t.equal(await fetchIn(b1, "http://127.0.0.1:80/"), "shared", "loopback between donor and joiner");
  t.equal(await fetchIn(b2, `http://${ip1}:8080/`), "shared", "the joiner has the donor's address");
  donor.kill("SIGKILL"); // the donor stops; the namespace is pinned by its file, not by the process
  await new Promise((r) => setTimeout(r, 200));
  t.equal(await fetchIn(b2, `http://${ip1}:8080/`), "shared", "the joiner keeps its network after the donor exits");
  t.equal(await fetchIn(b2, `http://${ip1}:80/`), "FAILED", "the donor's own server is gone");
  // The donor restarts: the engine asks for its namespace again and gets the pinned one back.
  t.equal(await mgr.createNetns(`${P}b1`), b1);
  serve(b1, 80);
  await new Promise((r) => setTimeout(r, 300));
  t.equal(await fetchIn(b2, `http://${ip1}:80/`), "shared", "the restarted donor is back on its address");
  t.equal(await fetchIn(b2, `http://${ip1}:8080/`), "shared", "and the joiner never lost its network");
});

// Other tables' forward drops are tested in coexistence.test.ts, inside a namespace of their own:
// a policy drop in the real host's namespace would drop other tests' bridged traffic meanwhile.

t.test("uninstall removes the default bridge and the table", async (t) => {
  for (const p of procs) if (p.exitCode === null) p.kill("SIGKILL");
  await mgr.uninstall();
  for (const c of ["b1", "b2"]) await mgr.removeNetns(`${P}${c}`);
  t.notOk(await tableExists());
  t.notOk(host.linkExists(`${P}0`));
  const links = JSON.parse(await sh("ip", ["-j", "link", "show"])) as Array<{ ifname: string }>;
  t.same(links.map((l) => l.ifname).filter((n) => n.startsWith(P) && n !== parent), []);
});
