import t from "tap";
import dnsPacket from "dns-packet";
import { ZoneIndex, answerLocally, ptrToIp } from "../../../src/providers/local-runtime/network/dns-zone.js";
import { parseResolvConf } from "../../../src/providers/local-runtime/network/dns-server.js";

const here = {
  subnet: "10.89.1.0/24",
  entries: [
    { ip: "10.89.1.2", names: ["web", "frontend", "3f2a9c1d0b7e"] },
    { ip: "10.89.1.3", names: ["db"] },
  ],
};
const other = { subnet: "10.89.2.0/24", entries: [{ ip: "10.89.2.5", names: ["other"] }] };
const zone = new ZoneIndex(here);
const all = new ZoneIndex([here, other]);
const ask = (name: string, type: "A" | "AAAA" | "PTR" | "MX" = "A", view = zone) =>
  answerLocally(view, all, dnsPacket.decode(dnsPacket.encode({ type: "query", id: 7, flags: 1 << 8, questions: [{ type, name }] })));
const rcode = (p: ReturnType<typeof ask>) => (p?.flags ?? 0) & 0xf;
const data = (p: ReturnType<typeof ask>) => p?.answers?.map((x) => (x as { data: string }).data);

t.test("A records for names and aliases, case-insensitive, trailing dot", async (t) => {
  const a = ask("Frontend.");
  t.equal(a?.id, 7);
  t.same(data(a), ["10.89.1.2"]);
  t.equal(rcode(a), 0);
  t.ok(((a?.flags ?? 0) & (1 << 10)) !== 0, "authoritative");
  // round-trips through the wire format
  t.same(dnsPacket.decode(dnsPacket.encode(a!)).answers?.[0], { name: "Frontend", type: "A", ttl: 60, class: "IN", flush: false, data: "10.89.1.2" });
});

t.test("AAAA of a known name: no data, no error (clients do not wait)", async (t) => {
  const a = ask("db", "AAAA");
  t.equal(rcode(a), 0);
  t.same(a?.answers, []);
});

t.test("PTR inside the subnet, NXDOMAIN for unknown addresses in it, forward outside", async (t) => {
  t.equal(ptrToIp("2.1.89.10.in-addr.arpa."), "10.89.1.2");
  t.equal(ptrToIp("example.com"), undefined);
  t.same(data(ask("3.1.89.10.in-addr.arpa", "PTR")), ["db"]);
  t.equal(rcode(ask("99.1.89.10.in-addr.arpa", "PTR")), 3);
  t.equal(ask("8.8.8.8.in-addr.arpa", "PTR"), undefined, "forwarded");
});

t.test("another network's addresses: NXDOMAIN, neither answered nor forwarded", async (t) => {
  t.equal(rcode(ask("5.2.89.10.in-addr.arpa", "PTR")), 3);
  t.same(data(ask("5.2.89.10.in-addr.arpa", "PTR", all)), ["other"], "answered where the view has it");
});

t.test("other networks' names and single labels: NXDOMAIN; the rest: forward", async (t) => {
  t.equal(rcode(ask("other")), 3);
  t.equal(rcode(ask("nosuchcontainer")), 3);
  t.equal(ask("example.com"), undefined);
});

t.test("a union index: the first zone that has a name wins, all its addresses kept", async (t) => {
  const a = { subnet: "10.0.1.0/24", entries: [{ ip: "10.0.1.2", names: ["x", "both"] }, { ip: "10.0.1.3", names: ["y", "both"] }] };
  const b = { subnet: "10.0.2.0/24", entries: [{ ip: "10.0.2.2", names: ["z", "both", "x"] }] };
  const ab = new ZoneIndex([a, b]);
  t.same(ab.byName.get("both"), ["10.0.1.2", "10.0.1.3"]);
  t.same(ab.byName.get("z"), ["10.0.2.2"]);
  t.same(new ZoneIndex([b, a]).byName.get("both"), ["10.0.2.2"]);
  t.same(new ZoneIndex([b, a]).byName.get("x"), ["10.0.2.2"]);
  t.equal(ab.byIp.get("10.0.2.2"), "z");
  t.ok(ab.covers(0x0a000205) && ab.covers(0x0a000105) && !ab.covers(0x0a000305));
});

t.test("resolv.conf parsing", async (t) => {
  t.same(parseResolvConf("# c\nnameserver 10.0.0.1\nsearch x\nnameserver  127.0.0.53\nnameserver\n"), ["10.0.0.1", "127.0.0.53"]);
});
