/**
 * Issue 11, part 8: the embedded DNS server under hostile traffic, on real UDP sockets on
 * loopback (the server listens on 127.0.0.1 instead of a bridge's gateway; a fake upstream on
 * loopback answers what it forwards). Responses are dropped, never answered nor forwarded; a
 * burst of 2,000 malformed, truncated, oversized and random packets with queries interleaved
 * costs no query its answer; a seeded fuzz of mutated queries never stops it answering.
 * INFRA_DNS_FUZZ=N runs N mutations (default 3,000).
 */
import t from "tap";
import dgram from "node:dgram";
import net from "node:net";
import dnsPacket, { type Packet } from "dns-packet";
import { DnsServer } from "../../../src/providers/local-runtime/network/dns-server.js";
import { buildDnsViews } from "../../../src/providers/local-runtime/network/dns-view.js";

const FUZZ = Number(process.env.INFRA_DNS_FUZZ ?? 3000);
const WEB_IP = "10.99.0.2";
const UPSTREAM_IP = "198.51.100.7";

/** A small seeded generator (mulberry32): the same packets on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 2 ** 32;
  };
}

function query(id: number, name: string, type: "A" | "AAAA" | "PTR" = "A"): Buffer {
  return dnsPacket.encode({ type: "query", id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }] });
}

// The fake upstream: answers every query it can read with UPSTREAM_IP, and counts what it got.
const upstream = dgram.createSocket("udp4");
let upstreamGot = 0;
upstream.on("message", (msg, r) => {
  upstreamGot++;
  let q: Packet;
  try {
    q = dnsPacket.decode(msg);
  } catch {
    return;
  }
  const name = q.questions?.[0]?.name ?? "";
  const answers = q.questions?.[0]?.type === "A" ? [{ type: "A" as const, name, ttl: 5, data: UPSTREAM_IP }] : [];
  try {
    upstream.send(dnsPacket.encode({ type: "response", id: q.id ?? 0, flags: 1 << 7, questions: q.questions ?? [], answers }), r.port, r.address);
  } catch {
    // a question the encoder refuses: the server answers SERVFAIL after its timeout
  }
});
await new Promise<void>((r) => upstream.bind(0, "127.0.0.1", () => r()));

/** A port free for UDP and TCP on loopback; the server takes it (retried on a race). */
async function startServer(): Promise<{ server: DnsServer; port: number }> {
  for (let i = 0; ; i++) {
    const probe = dgram.createSocket("udp4");
    await new Promise<void>((r) => probe.bind(0, "127.0.0.1", () => r()));
    const port = probe.address().port;
    await new Promise<void>((r) => probe.close(() => r()));
    const server = new DnsServer({ port, upstreams: [`127.0.0.1:${upstream.address().port}`], forwardTimeoutMs: 1000 });
    await server.loadUpstreams();
    try {
      await server.listen("n1", "127.0.0.1");
    } catch (e) {
      if (i < 5) continue;
      throw e;
    }
    server.setViews(buildDnsViews([{ id: "n1", zone: { subnet: "10.99.0.0/24", entries: [{ ip: WEB_IP, names: ["web"] }] } }], []));
    return { server, port };
  }
}

const { server, port } = await startServer();
const client = dgram.createSocket("udp4");
await new Promise<void>((r) => client.bind(0, "127.0.0.1", () => r()));
client.setRecvBufferSize(4 << 20);
const replies: Buffer[] = [];
const waiting = new Map<number, (m: Buffer) => void>();
client.on("message", (m) => {
  replies.push(m);
  if (m.length >= 2) waiting.get(m.readUInt16BE(0))?.(m);
});
/** The question's name in a reply (a fuzzed query may share an id with one we wait for). */
const nameIn = (m: Buffer): string | undefined => { try { return dnsPacket.decode(m).questions?.[0]?.name; } catch { return undefined; } };
t.teardown(async () => {
  client.close();
  upstream.close();
  await server.close();
});

const send = (b: Buffer) => client.send(b, port, "127.0.0.1");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Resolves with the reply to `id` asking `name`, or undefined after `ms`. */
function replyTo(id: number, name: string, ms = 3000): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => { waiting.delete(id); resolve(undefined); }, ms);
    waiting.set(id, (m) => {
      if (nameIn(m) !== name) return;
      clearTimeout(timer);
      waiting.delete(id);
      resolve(m);
    });
  });
}
let lookups = 0;
async function lookup(id: number, name: string): Promise<string | undefined> {
  lookups++;
  const got = replyTo(id, name);
  send(query(id, name));
  const m = await got;
  if (m === undefined) return undefined;
  const p = dnsPacket.decode(m);
  const a = p.answers?.find((x) => x.type === "A");
  return a && typeof a.data === "string" ? a.data : "no-address";
}
/** Waits until the server has taken in `n` more packets than `before` (or 10 s). */
async function drained(before: number, n: number): Promise<number> {
  const seen = () => server.stats.answered + server.stats.forwarded + server.stats.failed + server.stats.busy + Object.values(server.stats.dropped).reduce((a, b) => a + b, 0);
  const end = Date.now() + 10_000;
  while (seen() - before < n && Date.now() < end) await sleep(20);
  return seen() - before;
}

t.test("a valid query is answered, locally and forwarded", async (t) => {
  t.equal(await lookup(1, "web"), WEB_IP);
  t.equal(await lookup(2, "example.com"), UPSTREAM_IP);
});

t.test("responses (QR set) are dropped: not answered, not forwarded", async (t) => {
  const before = { replies: replies.length, upstream: upstreamGot, dropped: server.stats.dropped.response };
  const names = ["web", "example.com", "other.test", "4.3.2.1.in-addr.arpa"];
  for (let i = 0; i < 200; i++) {
    const name = names[i % names.length]!;
    const answers = i % 2 === 0 ? [{ type: "A" as const, name, ttl: 5, data: "192.0.2.1" }] : [];
    send(dnsPacket.encode({ type: "response", id: 1000 + i, flags: (1 << 7) | (i % 3 === 0 ? dnsPacket.RECURSION_DESIRED : 0), questions: [{ type: "A", name }], answers }));
  }
  await sleep(500);
  t.equal(server.stats.dropped.response - before.dropped, 200, "each was seen and dropped");
  t.equal(replies.length, before.replies, "none was answered");
  t.equal(upstreamGot, before.upstream, "none went upstream");
  t.equal(await lookup(3, "web"), WEB_IP, "queries are still answered");
});

t.test("a burst of 2,000 bad packets with queries interleaved costs no query its answer", async (t) => {
  const r = rng(11);
  const byte = () => Math.floor(r() * 256);
  const randomBytes = (n: number) => Buffer.from(Array.from({ length: n }, byte));
  const valid = query(0, "web");
  const bad: Array<() => Buffer> = [
    () => randomBytes(Math.floor(r() * 600)),                                  // random
    () => valid.subarray(0, Math.floor(r() * valid.length)),                   // truncated
    () => randomBytes(4097 + Math.floor(r() * 8000)),                          // oversized
    () => Buffer.concat([valid.subarray(0, 12), randomBytes(Math.floor(r() * 100))]), // a header and junk
    () => { const b = Buffer.from(valid); b[2] = b[2]! | 0x80; return b; },    // a response
    () => Buffer.alloc(0),                                                     // empty
  ];
  const pending: Array<Promise<Buffer | undefined>> = [];
  const interleaved: number[] = [];
  const before = server.stats.answered;
  for (let i = 0; i < 2000; i++) {
    // One turn of the event loop per 100 packets: the server reads as it would beside another
    // process flooding it; the queue still grows (libuv reads 32 datagrams a turn).
    if (i % 100 === 0) await sleep(0);
    send(bad[i % bad.length]!());
    if (i % 100 === 50) {
      const id = 20000 + i;
      const name = i % 200 === 50 ? "web" : "example.com";
      interleaved.push(id);
      pending.push(replyTo(id, name, 10_000));
      send(query(id, name));
    }
  }
  // Right behind the burst, before the server has read it: these met a full queue before the fix.
  const after: number[] = [];
  for (let i = 0; i < 20; i++) {
    const id = 30000 + i;
    after.push(id);
    pending.push(replyTo(id, "web", 10_000));
    send(query(id, "web"));
  }
  const got = await Promise.all(pending);
  const missing = [...interleaved, ...after].filter((_, i) => got[i] === undefined);
  t.same(missing, [], "every interleaved query and every query right after the burst was answered");
  t.ok(server.stats.answered > before, "answered locally");
  t.ok(server.stats.dropped.oversized > 0 && server.stats.dropped.short > 0 && server.stats.dropped.malformed > 0 && server.stats.dropped.response > 0, "each kind of junk was dropped by the screen");
  for (let i = 0; i < 50; i++) t.equal(await lookup(40000 + i, i % 2 ? "web" : "example.com"), i % 2 ? WEB_IP : UPSTREAM_IP, `query ${i} after the burst`);
});

t.test(`a seeded fuzz of ${FUZZ} mutated queries: the server keeps answering`, async (t) => {
  const r = rng(29);
  const pick = (n: number) => Math.floor(r() * n);
  const names = ["web", "example.com", "a.b.c.d.e", "4.3.2.1.in-addr.arpa", "x".repeat(63) + ".test"];
  const mutate = (b: Buffer): Buffer => {
    const m = Buffer.from(b);
    switch (pick(7)) {
      case 0: m[pick(m.length)] ^= 1 << pick(8); break;                   // flip a bit
      case 1: for (let k = 0; k < 1 + pick(4); k++) m[pick(m.length)] = pick(256); break; // random bytes
      case 2: return m.subarray(0, pick(m.length));                          // truncate
      case 3: return Buffer.concat([m, Buffer.from(Array.from({ length: 1 + pick(64) }, () => pick(256)))]); // trailing junk
      case 4: m.writeUInt16BE(pick(65536), 4 + 2 * pick(4)); break;          // a count
      case 5: m[12 + pick(m.length - 12)] = pick(2) ? 0xc0 : 63; break;      // a label length or a pointer
      case 6: m[3] = pick(256); break;                                       // rcode, Z bits
    }
    return m;
  };
  let responsesSent = 0;
  const before = server.stats.dropped.response;
  const seen0 = await drained(0, 0);
  const lookups0 = lookups;
  let sent = 0;
  for (let batch = 0; sent < FUZZ; batch++) {
    for (let i = 0; i < 200 && sent < FUZZ; i++, sent++) {
      const m = mutate(query(pick(65536), names[pick(names.length)]!, (["A", "AAAA", "PTR"] as const)[pick(3)]));
      if (m.length >= 12 && m.length <= 4096 && (m[2]! & 0x80) !== 0) responsesSent++;
      send(m);
    }
    t.equal(await lookup(50000 + batch, "web"), WEB_IP, `answered after batch ${batch}`);
  }
  const total = sent + lookups - lookups0;
  t.equal(await drained(seen0, total), total, "the server took in every packet, none lost to a full queue");
  t.equal(server.stats.dropped.response - before, responsesSent, "every mutation that became a response was dropped");
  t.same(replies.filter((m) => m.length < 3 || (m[2]! & 0x80) === 0).length, 0, "it only ever sent responses");
});

t.test("TCP: a frame longer than any query closes the connection; queries on TCP are answered", async (t) => {
  const connect = () => new Promise<net.Socket>((resolve, reject) => {
    const c = net.connect(port, "127.0.0.1", () => resolve(c));
    c.once("error", reject);
  });
  const big = await connect();
  const closed = new Promise<boolean>((r) => { big.once("close", () => r(true)); setTimeout(() => r(false), 3000); });
  const header = Buffer.alloc(2);
  header.writeUInt16BE(5000);
  big.write(Buffer.concat([header, Buffer.alloc(100)]));
  t.ok(await closed, "the server closed it");
  big.destroy();
  const c = await connect();
  const q = query(60001, "web");
  const len = Buffer.alloc(2);
  len.writeUInt16BE(q.length);
  const answer = new Promise<Buffer>((r) => {
    let buf = Buffer.alloc(0);
    c.on("data", (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) r(buf.subarray(2, 2 + buf.readUInt16BE(0)));
    });
  });
  c.write(Buffer.concat([len, q]));
  const p = dnsPacket.decode(await answer);
  t.equal(p.answers?.[0]?.data, WEB_IP);
  c.destroy();
});
