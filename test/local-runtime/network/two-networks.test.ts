/**
 * Real bridges, namespaces and nftables: c1,c2 on net1; c2,c3 on net2; an internal network; an
 * "external host" namespace; published ports (loopback, host address, external, hairpin, udp,
 * a 1,000-port range); DNS; restore after a restart; full cleanup. Root only.
 */
import t from "tap";
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, chmodSync, existsSync } from "node:fs";
import dgram from "node:dgram";
import http from "node:http";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import dnsPacket from "dns-packet";
import { createNetworkManager, type LocalNetworkManager } from "../../../src/providers/local-runtime/network/network-manager.js";
import { HostNet } from "../../../src/providers/local-runtime/network/host-net.js";
import { chooseSubnet } from "../../../src/providers/local-runtime/network/ipam.js";
import type { ContainerNetworkResult, NetworkRecord } from "../../../src/providers/local-runtime/network/network-types.js";

if (process.getuid?.() !== 0) {
  t.plan(0, "needs root");
  process.exit(0);
}

const id = randomBytes(3).toString("hex");
const P = `e${id}`; // bridge prefix, e.g. e3f2a1c
const TABLE = `infra_t${id}`;
const POOL = ["10.211.0.0/16", "10.212.0.0/16"];
const dir = mkdtempSync(join(tmpdir(), `infra-net-${id}-`));
const root = join(dir, "root");
const run = join(dir, "run");
const www = join(dir, "www");
mkdirSync(join(www, "cgi-bin"), { recursive: true });
writeFileSync(join(www, "index.html"), "hello from a container\n");
// The CGI prints the client address the server sees: source preservation is checked with it.
writeFileSync(join(www, "cgi-bin", "ip"), '#!/bin/busybox sh\necho "Content-Type: text/plain"\necho\necho "$REMOTE_ADDR"\n');
chmodSync(join(www, "cgi-bin", "ip"), 0o755);

const procs: ChildProcess[] = [];
const UDP_ECHO =
  'const s=require("dgram").createSocket("udp4");s.on("message",(m,r)=>s.send("echo:"+m,r.port,r.address));s.bind(5000,()=>console.log("ready"))';
const extNs = join(dir, "ext-ns");
const extHost = `${P}x`; // host end of the "external host" veth
const host = new HostNet();
let mgr: LocalNetworkManager;

/** Async on purpose: the DNS server under test runs in this process and must keep answering. */
function sh(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(file, args, { encoding: "utf8", timeout: 20_000 }, (err, stdout, stderr) =>
      err ? reject(Object.assign(err, { stdout, stderr })) : resolve(stdout),
    ),
  );
}
function inNs(ns: string, args: string[]): Promise<string> {
  return sh("nsenter", [`--net=${ns}`, ...args]);
}
async function canPing(ns: string, ip: string): Promise<boolean> {
  return inNs(ns, ["busybox", "ping", "-c", "1", "-W", "1", ip]).then(() => true, () => false);
}
async function wgetIn(ns: string, url: string): Promise<string> {
  return (await inNs(ns, ["busybox", "wget", "-q", "-O", "-", url])).trim();
}
/** A fetch that must fail: dropped SYNs would otherwise wait for the kernel's connect timeout. */
async function reaches(ns: string, url: string): Promise<boolean> {
  return inNs(ns, ["busybox", "timeout", "2", "busybox", "wget", "-q", "-O", "-", url]).then(() => true, () => false);
}
function serve(ns: string, args: string[]): ChildProcess {
  const p = spawn("nsenter", [`--net=${ns}`, "busybox", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  procs.push(p);
  return p;
}
function httpGet(url: string, localAddress?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: 3000, ...(localAddress ? { localAddress } : {}) }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => resolve(body.trim()));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
  });
}
async function waitFor(fn: () => Promise<unknown> | unknown, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      await fn();
      return;
    } catch (e) {
      if (Date.now() > end) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
async function ourLinks(): Promise<string[]> {
  const links = JSON.parse(await sh("ip", ["-j", "link", "show"])) as Array<{ ifname: string }>;
  return links.map((l) => l.ifname).filter((n) => n.startsWith(P));
}
async function tableExists(): Promise<boolean> {
  return (await sh("nft", ["list", "tables"])).includes(`inet ${TABLE}\n`);
}

// A fake upstream resolver on loopback: answers every A query with 198.51.100.7.
const upstream = dgram.createSocket("udp4");
upstream.on("message", (msg, rinfo) => {
  const q = dnsPacket.decode(msg);
  const name = q.questions?.[0]?.name ?? "";
  upstream.send(
    dnsPacket.encode({ type: "response", id: q.id ?? 0, flags: 1 << 7, questions: q.questions ?? [], answers: [{ type: "A", name, ttl: 5, data: "198.51.100.7" }] }),
    rinfo.port,
    rinfo.address,
  );
});
await new Promise<void>((r) => upstream.bind(0, "127.0.0.1", () => r()));

t.teardown(async () => {
  for (const p of procs) if (p.pid !== undefined && p.exitCode === null) p.kill("SIGKILL");
  await mgr?.uninstall().catch(() => undefined);
  for (const c of ["c1", "c2", "c3", "c4", "c5"]) await mgr?.removeNetns(`${P}${c}`).catch(() => undefined);
  await host.deleteLink(extHost).catch(() => undefined);
  await host.removeNetns(extNs).catch(() => undefined);
  upstream.close();
  rmSync(dir, { recursive: true, force: true });
});

let opts: Parameters<typeof createNetworkManager>[0];
let net1: NetworkRecord, net2: NetworkRecord, netI: NetworkRecord;
let extHostIp = "", extIp = "";
let udpServer: ChildProcess;
const ns: Record<string, string> = {};
const res: Record<string, ContainerNetworkResult> = {};
const ip = (c: string, i = 0) => res[c]!.endpoints[i]!.ipv4Address;

t.before(async () => {
  opts = { root, run, tablePrefix: TABLE, bridgePrefix: P, pool: POOL, defaultBridge: false, dnsUpstreams: [`127.0.0.1:${upstream.address().port}`] };
  mgr = await createNetworkManager(opts);
  await mgr.init();
  if (await tableExists()) throw new Error("table exists before the first bridge network");

  net1 = await mgr.createNetwork({ name: `${P}-net1`, driver: "bridge" });
  net2 = await mgr.createNetwork({ name: `${P}-net2`, driver: "bridge", labels: { team: "a" } });
  netI = await mgr.createNetwork({ name: `${P}-int`, driver: "bridge", internal: true });
  if (!await tableExists()) throw new Error("no table after creating networks");

  // The "external host": its own namespace behind a veth routed by the host (not one of our bridges).
  const hostRanges = await host.hostRanges();
  const extSubnet = chooseSubnet(["10.213.0.0/16:30"], [], hostRanges);
  const extBase = extSubnet.split("/")[0]!.split(".").map(Number);
  extHostIp = `${extBase[0]}.${extBase[1]}.${extBase[2]}.${extBase[3]! + 1}`;
  extIp = `${extBase[0]}.${extBase[1]}.${extBase[2]}.${extBase[3]! + 2}`;
  await host.createNetns(extNs);
  await sh("ip", ["link", "add", extHost, "type", "veth", "peer", "name", "eth0", "netns", extNs]);
  await sh("ip", ["addr", "add", `${extHostIp}/30`, "dev", extHost]);
  await sh("ip", ["link", "set", extHost, "up"]);
  await inNs(extNs, ["ip", "addr", "add", `${extIp}/30`, "dev", "eth0"]);
  await inNs(extNs, ["ip", "link", "set", "eth0", "up"]);
  await inNs(extNs, ["ip", "route", "add", "default", "via", extHostIp]);

  for (const c of ["c1", "c2", "c3", "c5"]) ns[c] = await mgr.createNetns(`${P}${c}`);
  res.c1 = await mgr.setUpContainer({
    containerId: `${P}c1`, containerName: `${P}-c1`, netnsPath: ns.c1!, links: [],
    endpoints: [{ network: net1.name, aliases: ["web"] }],
    ports: [
      { containerPort: 80, hostPort: 18080, protocol: "tcp" },
      { containerPort: 80, hostPort: 18081, protocol: "tcp", hostIp: "127.0.0.1" },
      { containerPort: 5000, hostPort: 15000, protocol: "udp" },
      { containerPort: 80, protocol: "tcp" },
    ],
  });
  res.c2 = await mgr.setUpContainer({
    containerId: `${P}c2`, containerName: `${P}-c2`, netnsPath: ns.c2!, links: [], ports: [],
    endpoints: [{ network: net1.name, aliases: ["db"] }, { network: net2.name, aliases: [] }],
  });
  res.c3 = await mgr.setUpContainer({
    containerId: `${P}c3`, containerName: `${P}-c3`, netnsPath: ns.c3!, links: [], ports: [],
    endpoints: [{ network: net2.name, aliases: [] }],
  });
  res.c5 = await mgr.setUpContainer({
    containerId: `${P}c5`, containerName: `${P}-c5`, netnsPath: ns.c5!, links: [], ports: [],
    endpoints: [{ network: netI.name, aliases: [] }],
  });
  for (const c of ["c1", "c2", "c3"]) serve(ns[c]!, ["httpd", "-f", "-p", "80", "-h", www]);
  // busybox nc has no UDP: a tiny node echo server stands in for the container's UDP service.
  udpServer = spawn("nsenter", [`--net=${ns.c1!}`, process.execPath, "-e", UDP_ECHO], { stdio: ["ignore", "pipe", "pipe"] });
  procs.push(udpServer);
  await waitFor(() => wgetIn(ns.c1!, "http://127.0.0.1/"));
});

t.test("endpoints: addresses, MACs, names, default route", async (t) => {
  t.equal(res.c2!.endpoints.length, 2);
  t.same(res.c2!.endpoints.map((e) => e.ifname), ["eth0", "eth1"]);
  t.equal(res.c1!.nameservers[0], net1.gateway, "resolv.conf points at the gateway DNS");
  const links = await inNs(ns.c2!, ["ip", "-j", "addr", "show", "eth1"]);
  t.match(links, ip("c2", 1));
  t.match(links, res.c2!.endpoints[1]!.macAddress);
  t.match(await inNs(ns.c1!, ["ip", "route", "show", "default"]), `via ${net1.gateway}`);
  t.equal((await inNs(ns.c5!, ["ip", "route", "show", "default"])).trim(), "", "internal network: no default route");
  const random = res.c1!.ports.find((p) => p.containerPort === 80 && p.hostPort !== 18080 && p.hostPort !== 18081);
  t.ok(random && random.hostPort >= 40000, "random host port chosen");
});

t.test("isolation: c1<->c2 and c2<->c3 talk, c1<->c3 do not", async (t) => {
  t.equal(await wgetIn(ns.c1!, `http://${ip("c2")}/`), "hello from a container");
  t.equal(await wgetIn(ns.c3!, `http://${ip("c2", 1)}/`), "hello from a container");
  t.equal(await wgetIn(ns.c2!, `http://${ip("c1")}/`), "hello from a container");
  t.ok(await canPing(ns.c1!, ip("c2")));
  t.ok(await canPing(ns.c3!, ip("c2", 1)));
  t.notOk(await canPing(ns.c1!, ip("c3")), "c1 -> c3 dropped");
  t.notOk(await canPing(ns.c3!, ip("c1")), "c3 -> c1 dropped");
  t.notOk(await canPing(ns.c1!, ip("c2", 1)), "c1 -> c2's net2 address dropped");
});

t.test("internal network: no way out", async (t) => {
  t.ok(await canPing(ns.c1!, extIp), "a normal network reaches the external host");
  t.notOk(await canPing(ns.c5!, extIp), "the internal one does not");
});

t.test("DNS on the gateway: names, aliases, PTR, other networks, forwarding", async (t) => {
  const look = (c: string, name: string, server: string) =>
    inNs(ns[c]!, ["busybox", "nslookup", name, server]).catch((e: { stdout?: string }) => `${e.stdout ?? ""}FAILED`);
  t.match(await look("c1", `${P}-c2`, net1.gateway), `Address: ${ip("c2")}`);
  t.match(await look("c1", "db", net1.gateway), `Address: ${ip("c2")}`, "alias");
  t.match(await look("c1", "DB", net1.gateway), `Address: ${ip("c2")}`, "case-insensitive");
  t.match(await look("c1", `${P}c2`.slice(0, 12), net1.gateway), `Address: ${ip("c2")}`, "short id");
  t.match(await look("c1", `${P}-c3`, net1.gateway), /NXDOMAIN|can't find/, "c3 is on another network");
  t.match(await look("c3", `${P}-c2`, net2.gateway), `Address: ${ip("c2", 1)}`, "c2 by its net2 address from net2");
  t.match(await look("c3", "db", net2.gateway), /NXDOMAIN|can't find/, "alias is per network");
  t.match(await look("c1", ip("c2"), net1.gateway), `name = ${P}-c2`, "PTR");
  t.match(await look("c1", "example.test", net1.gateway), "Address: 198.51.100.7", "forwarded upstream");
});

t.test("published ports", async (t) => {
  const body = "hello from a container";
  t.equal(await httpGet("http://127.0.0.1:18080/"), body, "host loopback");
  t.equal(await httpGet("http://127.0.0.1:18081/"), body, "host loopback, 127.0.0.1 binding");
  const random = res.c1!.ports.find((p) => p.containerPort === 80 && p.hostIp === "0.0.0.0" && p.hostPort !== 18080)!;
  t.equal(await httpGet(`http://127.0.0.1:${random.hostPort}/`), body, "random port");
  t.equal(await httpGet(`http://${extHostIp}:18080/`), body, "a host address");
  // From the external host: the server sees the client's own address.
  // busybox httpd prints IPv4 clients as mapped IPv6 addresses: [::ffff:a.b.c.d].
  t.equal((await wgetIn(extNs, `http://${extHostIp}:18080/cgi-bin/ip`)).replace(/^\[::ffff:(.*)\]$/, "$1"), extIp, "external source preserved");
  t.notOk(await reaches(extNs, `http://${extHostIp}:18081/`), "127.0.0.1 binding not reachable from outside");
  t.notOk(await reaches(extNs, `http://${ip("c1")}/`), "unpublished direct access dropped");
  t.equal(await wgetIn(ns.c1!, `http://${extHostIp}:18080/`), body, "hairpin: the container reaches its own port");
  t.equal(await wgetIn(ns.c2!, `http://${net1.gateway}:18080/`), body, "a neighbour via the host port");
  t.equal(await wgetIn(ns.c3!, `http://${extHostIp}:18080/`), body, "another network via the host port");
  // udp, there and back through the NAT
  const s = dgram.createSocket("udp4");
  let got = "";
  s.on("message", (m) => (got = m.toString()));
  await new Promise<void>((r) => s.bind(0, "127.0.0.1", () => r()));
  await waitFor(async () => {
    s.send("ping-udp", 15000, "127.0.0.1");
    await new Promise((r) => setTimeout(r, 100));
    if (got === "") throw new Error("no udp answer yet");
  });
  s.close();
  t.equal(got, "echo:ping-udp", "udp reaches the container and the answer comes back");
});

t.test("bad input leaves nothing half-made", async (t) => {
  await t.rejects(mgr.createNetwork({ name: `${P}-bad`, driver: "bridge", subnet: "10.211.0.0/16" }), { code: "INFRA_NET_SUBNET_OVERLAP" });
  await t.rejects(mgr.createNetwork({ name: `${P}-bad`, driver: "bridge", subnet: "10.214.0.0/24", gateway: "10.214.1.1" }), { code: "INFRA_NET_GATEWAY_OUTSIDE" });
  await t.rejects(mgr.createNetwork({ name: net1.name, driver: "bridge" }), { code: "INFRA_NET_EXISTS" });
  t.equal((await mgr.listNetworks()).filter((n) => n.name === `${P}-bad`).length, 0);
  await t.rejects(mgr.connect(`${P}c1`, { network: net1.name, aliases: [] }), { code: "INFRA_NET_ALREADY_CONNECTED" });
  await t.rejects(mgr.connect(`${P}c3`, { network: net1.name, aliases: [], ipv4Address: ip("c2") }), { code: "INFRA_NET_IP_IN_USE" });
  await t.rejects(mgr.connect(`${P}c3`, { network: "nope", aliases: [] }), { code: "INFRA_NET_NOT_FOUND" });
  const ns4 = await mgr.createNetns(`${P}c4`);
  await t.rejects(
    mgr.setUpContainer({ containerId: `${P}c4`, containerName: `${P}-c4`, netnsPath: ns4, links: [], endpoints: [{ network: net2.name, aliases: [] }], ports: [{ containerPort: 1, hostPort: 18080, protocol: "tcp" }] }),
    { code: "INFRA_NET_PORT_IN_USE" },
  );
  t.same(await host.linksInNetns(ns4), ["lo"], "no link made for the refused container");
  await t.rejects(mgr.removeNetwork(net1.name), { code: "INFRA_NET_IN_USE" });
  await mgr.removeNetns(`${P}c4`);
});

t.test("connect and disconnect a running container", async (t) => {
  const ep = await mgr.connect(`${P}c3`, { network: net1.name, aliases: ["late"], ipv4Address: net1.subnet.replace(/0\/24$/, "200") });
  t.equal(ep.ifname, "eth1");
  t.equal(ep.ipv4Address, net1.subnet.replace(/0\/24$/, "200"), "static address");
  t.ok(await canPing(ns.c1!, ep.ipv4Address), "c1 reaches c3 once connected");
  t.match(await inNs(ns.c1!, ["busybox", "nslookup", "late", net1.gateway]), `Address: ${ep.ipv4Address}`);
  await mgr.disconnect(`${P}c3`, net1.name);
  t.notOk(await canPing(ns.c1!, ep.ipv4Address), "gone again");
  t.same(await host.linksInNetns(ns.c3!), ["lo", "eth0"]);
});

t.test("a 1,000-port range publishes within a second, as map elements", async (t) => {
  const ns4 = await mgr.createNetns(`${P}c4`);
  const start = performance.now();
  const r = await mgr.setUpContainer({
    containerId: `${P}c4`, containerName: `${P}-c4`, netnsPath: ns4, links: [], endpoints: [{ network: net2.name, aliases: [] }],
    ports: [{ containerPort: 31000, hostPort: 21000, count: 1000, protocol: "tcp" }],
  });
  const ms = performance.now() - start;
  t.ok(ms < 1000, `setUp with 1,000 ports took ${ms.toFixed(0)} ms`);
  t.equal(r.ports.length, 1000);
  serve(ns4, ["httpd", "-f", "-p", "31500", "-h", www]);
  await waitFor(() => httpGet("http://127.0.0.1:21500/"));
  t.equal(await httpGet("http://127.0.0.1:21500/"), "hello from a container");
  const listing = await sh("nft", ["list", "map", "inet", TABLE, "pub_any"]);
  t.match(listing, "tcp . 21999 : ");
  await mgr.tearDownContainer(`${P}c4`);
  t.notMatch(await sh("nft", ["list", "map", "inet", TABLE, "pub_any"]), "tcp . 21999", "elements removed with the container");
  await mgr.removeNetns(`${P}c4`);
});

t.test("restart: a new manager restores the table from its state", async (t) => {
  await mgr.close();
  await sh("nft", ["delete", "table", "inet", TABLE]);
  mgr = await createNetworkManager(opts);
  await mgr.init();
  t.ok(await tableExists());
  t.match(await sh("nft", ["list", "map", "inet", TABLE, "pub_any"]), "tcp . 18080 : ");
  t.equal(await httpGet("http://127.0.0.1:18080/"), "hello from a container");
  t.match(await inNs(ns.c1!, ["busybox", "nslookup", "db", net1.gateway]), `Address: ${ip("c2")}`, "DNS back");
});

t.test("teardown removes everything; the table goes with the last network", async (t) => {
  for (const p of procs) if (p.exitCode === null) p.kill("SIGKILL");
  for (const c of ["c1", "c2", "c3", "c5"]) {
    await mgr.tearDownContainer(`${P}${c}`);
    await mgr.removeNetns(`${P}${c}`);
    t.notOk(existsSync(ns[c]!), "namespace file removed");
  }
  await mgr.removeNetwork(net1.name);
  await mgr.removeNetwork(netI.name);
  t.ok(await tableExists(), "still one network");
  await mgr.removeNetwork(net2.id);
  t.notOk(await tableExists(), "table gone with the last network");
  t.same((await ourLinks()).filter((l) => l !== extHost), [], "no bridge or veth left");
  t.same((await mgr.listNetworks()).map((n) => n.name).sort(), ["host", "none"]);
  const veths = Object.values(res).flatMap((r) => r.endpoints.map((e) => e.hostIfname!));
  t.equal(veths.length, 5);
  t.same(veths.filter((v) => host.linkExists(v)), [], "no veth of ours left");
});
