/**
 * Embedded DNS for a container on several networks, in real namespaces: c1 on A, c2 on A and
 * B, c3 on B. Each container resolves the containers it shares a network with, through the one
 * nameserver in its resolv.conf, and nothing else. Root only.
 */
import t from "tap";
import { execFile } from "node:child_process";
import dgram from "node:dgram";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import dnsPacket from "dns-packet";
import { createNetworkManager, type LocalNetworkManager } from "../../../src/providers/local-runtime/network/network-manager.js";
import { HostNet } from "../../../src/providers/local-runtime/network/host-net.js";
import type { ContainerNetworkResult, NetworkRecord } from "../../../src/providers/local-runtime/network/network-types.js";

if (process.getuid?.() !== 0) {
  t.plan(0, "needs root");
  process.exit(0);
}

const id = randomBytes(3).toString("hex");
const P = `d${id}`;
const TABLE = `infra_d${id}`;
const dir = mkdtempSync(join(tmpdir(), `infra-dns-${id}-`));
const host = new HostNet();
let mgr: LocalNetworkManager;

/** Async on purpose: the DNS server under test runs in this process and must keep answering. */
function sh(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(file, args, { encoding: "utf8", timeout: 20_000, cwd: process.cwd() }, (err, stdout, stderr) =>
      err ? reject(Object.assign(err, { stdout, stderr })) : resolve(stdout),
    ),
  );
}

// A fake upstream on loopback (answers everything with 198.51.100.7): nothing leaves the host.
const upstream = dgram.createSocket("udp4");
upstream.on("message", (msg, rinfo) => {
  const q = dnsPacket.decode(msg);
  const name = q.questions?.[0]?.name ?? "";
  const answers = q.questions?.[0]?.type === "A" ? [{ type: "A" as const, name, ttl: 5, data: "198.51.100.7" }] : [];
  upstream.send(dnsPacket.encode({ type: "response", id: q.id ?? 0, flags: 1 << 7, questions: q.questions ?? [], answers }), rinfo.port, rinfo.address);
});
await new Promise<void>((r) => upstream.bind(0, "127.0.0.1", () => r()));

t.teardown(async () => {
  await mgr?.uninstall().catch(() => undefined);
  for (const c of ["c1", "c2", "c3"]) await mgr?.removeNetns(`${P}${c}`).catch(() => undefined);
  upstream.close();
  rmSync(dir, { recursive: true, force: true });
});

let A: NetworkRecord, B: NetworkRecord;
const ns: Record<string, string> = {};
const res: Record<string, ContainerNetworkResult> = {};
const addr = (c: string, net: NetworkRecord) => res[c]!.endpoints.find((e) => e.network === net.name)!.ipv4Address;
const server = (c: string) => res[c]!.nameservers[0]!;
const name = (c: string) => `${P}-${c}`;

/** busybox nslookup from inside a container's namespace, against its own nameserver unless told. */
function look(c: string, what: string, via = server(c)): Promise<string> {
  return sh("nsenter", [`--net=${ns[c]!}`, "busybox", "nslookup", what, via]).catch((e: { stdout?: string }) => `${e.stdout ?? ""}FAILED`);
}
const NX = /NXDOMAIN|can't find/;

t.before(async () => {
  mgr = await createNetworkManager({
    root: join(dir, "root"), run: join(dir, "run"), tablePrefix: TABLE, bridgePrefix: P, pool: ["10.217.0.0/16"], defaultBridge: false,
    dnsUpstreams: [`127.0.0.1:${upstream.address().port}`],
  });
  await mgr.init();
  A = await mgr.createNetwork({ name: `${P}-a`, driver: "bridge" });
  B = await mgr.createNetwork({ name: `${P}-b`, driver: "bridge" });
  for (const c of ["c1", "c2", "c3"]) ns[c] = await mgr.createNetns(`${P}${c}`);
  const up = async (c: string, endpoints: Array<{ network: string; aliases: string[] }>) => {
    res[c] = await mgr.setUpContainer({ containerId: `${P}${c}`, containerName: name(c), netnsPath: ns[c]!, links: [], ports: [], endpoints });
  };
  await up("c1", [{ network: A.name, aliases: [] }]);
  await up("c2", [{ network: A.name, aliases: ["api"] }, { network: B.name, aliases: ["cache"] }]);
  await up("c3", [{ network: B.name, aliases: [] }]);
});

t.test("one nameserver per container: its first user network's gateway", async (t) => {
  t.same(res.c2!.nameservers, [A.gateway]);
  t.same(res.c3!.nameservers, [B.gateway]);
});

t.test("c2 on both networks resolves c1 and c3 through its one nameserver", async (t) => {
  t.match(await look("c2", name("c1")), `Address: ${addr("c1", A)}`);
  t.match(await look("c2", name("c3")), `Address: ${addr("c3", B)}`, "c3 is on B; the nameserver is A's");
  t.match(await look("c2", name("c1"), B.gateway), `Address: ${addr("c1", A)}`, "and through B's listener too");
});

t.test("c1 and c3 resolve c2 but not each other", async (t) => {
  t.match(await look("c1", name("c2")), `Address: ${addr("c2", A)}`);
  t.match(await look("c1", name("c3")), NX);
  t.match(await look("c3", name("c2")), `Address: ${addr("c2", B)}`);
  t.match(await look("c3", name("c1")), NX);
  t.match(await look("c1", name("c3"), B.gateway), NX, "not through the other network's listener either");
});

t.test("aliases are per network", async (t) => {
  t.match(await look("c3", "cache"), `Address: ${addr("c2", B)}`, "c2's alias on B, from c3");
  t.match(await look("c1", "cache"), NX, "not from c1");
  t.match(await look("c1", "api"), `Address: ${addr("c2", A)}`, "c2's alias on A, from c1");
  t.match(await look("c3", "api"), NX, "not from c3");
});

t.test("a name on two of the asker's networks: the network the query arrived on", async (t) => {
  const viaA = await look("c2", name("c2"), A.gateway);
  t.match(viaA, `Address: ${addr("c2", A)}`);
  t.notMatch(viaA, `Address: ${addr("c2", B)}`);
  const viaB = await look("c2", name("c2"), B.gateway);
  t.match(viaB, `Address: ${addr("c2", B)}`);
  t.notMatch(viaB, `Address: ${addr("c2", A)}`);
});

t.test("PTR and forwarding", async (t) => {
  t.match(await look("c2", addr("c3", B)), `name = ${name("c3")}`);
  t.match(await look("c1", addr("c3", B)), NX, "c3's address is not c1's to look up");
  t.match(await look("c3", "example.test"), "Address: 198.51.100.7", "other names go upstream");
});

t.test("over TCP the source address picks the view too", async (t) => {
  const CLIENT = `
const net = require("net"), pkt = require("dns-packet");
const [server, name] = process.argv.slice(1);
const q = pkt.encode({ type: "query", id: 9, flags: 256, questions: [{ type: "A", name }] });
const len = Buffer.alloc(2); len.writeUInt16BE(q.length);
const s = net.connect(53, server, () => s.write(Buffer.concat([len, q])));
let buf = Buffer.alloc(0);
s.on("data", (d) => { buf = Buffer.concat([buf, d]);
  if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) { const r = pkt.decode(buf.subarray(2));
    console.log(JSON.stringify({ rcode: r.rcode, answers: r.answers.map((a) => a.data) })); s.destroy(); } });`;
  const tcp = async (c: string, what: string) =>
    JSON.parse(await sh("nsenter", [`--net=${ns[c]!}`, process.execPath, "-e", CLIENT, server(c), what])) as { rcode: string; answers: string[] };
  t.same(await tcp("c2", name("c3")), { rcode: "NOERROR", answers: [addr("c3", B)] });
  t.same(await tcp("c1", name("c3")), { rcode: "NXDOMAIN", answers: [] });
});

t.test("a source the engine does not know gets the listener's network only", async (t) => {
  const ask = (q: string, via: string) =>
    new Promise<{ rcode: string; answers: string[] }>((resolve, reject) => {
      const s = dgram.createSocket("udp4");
      const timer = setTimeout(() => (s.close(), reject(new Error("no answer"))), 2000);
      s.on("message", (m) => {
        clearTimeout(timer);
        s.close();
        const r = dnsPacket.decode(m);
        resolve({ rcode: r.rcode ?? "", answers: (r.answers ?? []).map((a) => String(a.data)) });
      });
      s.send(dnsPacket.encode({ type: "query", id: 3, questions: [{ type: "A", name: q }] }), 53, via);
    });
  t.same(await ask(name("c1"), A.gateway), { rcode: "NOERROR", answers: [addr("c1", A)] }, "the host asking A's listener");
  t.same(await ask(name("c3"), A.gateway), { rcode: "NXDOMAIN", answers: [] });
  t.same(await ask(name("c3"), B.gateway), { rcode: "NOERROR", answers: [addr("c3", B)] });
});

t.test("connect and disconnect change who sees whom", async (t) => {
  const bridgeMac = async () => (JSON.parse(await sh("ip", ["-j", "link", "show", "dev", B.device])) as Array<{ address: string }>)[0]?.address;
  const macBefore = await bridgeMac();
  await mgr.disconnect(`${P}c2`, B.name);
  // Else the gateway's MAC could follow the departed veth and c3's ARP entry go stale for seconds.
  t.equal(await bridgeMac(), macBefore, "the bridge keeps its MAC when a port leaves");
  t.match(await look("c2", name("c3")), NX, "c2 left B: c3 is gone for it");
  t.match(await look("c3", name("c2")), NX, "and it for c3");
  t.match(await look("c3", "cache"), NX, "with its B alias");
  const late = await mgr.connect(`${P}c1`, { network: B.name, aliases: ["late"] });
  t.match(await look("c1", name("c3")), `Address: ${addr("c3", B)}`, "c1 joined B: sees c3");
  t.match(await look("c3", "late"), `Address: ${late.ipv4Address}`, "c3 sees c1's alias on B");
  t.match(await look("c3", name("c1")), `Address: ${late.ipv4Address}`, "by c1's B address");
  t.match(await look("c2", name("c1")), `Address: ${addr("c1", A)}`, "c2 still sees c1 on A");
  t.match(await look("c2", "late"), NX, "but not c1's B alias");
});

t.test("teardown leaves nothing of ours", async (t) => {
  for (const c of ["c1", "c2", "c3"]) {
    await mgr.tearDownContainer(`${P}${c}`);
    await mgr.removeNetns(`${P}${c}`);
  }
  await mgr.removeNetwork(A.name);
  await mgr.removeNetwork(B.name);
  const links = JSON.parse(await sh("ip", ["-j", "link", "show"])) as Array<{ ifname: string }>;
  t.same(links.map((l) => l.ifname).filter((n) => n.startsWith(P)), [], "no bridge or veth left");
  t.notMatch(await sh("nft", ["list", "tables"]), `inet ${TABLE}\n`, "table gone");
});
