import t from "tap";
import dnsPacket from "dns-packet";
import { answerLocally } from "../../../src/providers/local-runtime/network/dns-zone.js";
import { type DnsViews, buildDnsViews, viewFor } from "../../../src/providers/local-runtime/network/dns-view.js";
import { dnsViewsOf } from "../../../src/providers/local-runtime/network/dns-records.js";
import type { ContainerNetState, NetworkState, StoredNetwork } from "../../../src/providers/local-runtime/network/network-store.js";

// A: c1, c2   B: c2, c3   D: c5   default bridge (no DNS): c4, and c2's third leg.
const net = (id: string, name: string, third: number): StoredNetwork => ({
  id, name, driver: "bridge", subnet: `10.77.${third}.0/24`, gateway: `10.77.${third}.1`, internal: false, labels: {}, options: {}, device: `br-${id}`, createdAt: "",
});
const A = net("na", "front", 1), B = net("nb", "back", 2), D = net("nd", "other", 4), BR = net("nbr", "bridge", 3);
const ep = (n: StoredNetwork, host: number, aliases: string[] = []) => ({
  network: n.name, networkId: n.id, ifname: "eth0", ipv4Address: n.subnet.replace(/0\/24$/, String(host)), prefixLength: 24, gateway: n.gateway,
  macAddress: "", aliases,
});
const ctr = (id: string, endpoints: ContainerNetState["endpoints"]): ContainerNetState => ({
  containerId: `${id}0123456789abcdef`, containerName: id, netnsPath: "", endpoints, ports: [], links: [],
});
const state: NetworkState = {
  version: 1,
  networks: [A, B, D, BR],
  containers: [
    ctr("c1", [ep(A, 11, ["web"])]),
    ctr("c2", [ep(A, 12, ["api"]), ep(B, 12, ["cache", "shared"]), ep(BR, 12)]),
    ctr("c3", [ep(B, 13, ["bee", "shared"])]),
    ctr("c4", [ep(BR, 14)]),
    ctr("c5", [ep(D, 15)]),
  ],
};
const views = dnsViewsOf(state, [A, B, D]);

/** What `name` resolves to for a query from `src` that reached `arrival`'s listener: addresses or "NXDOMAIN". */
function resolve(v: DnsViews, src: string, arrival: string, name: string, type: "A" | "PTR" = "A"): string[] | "NXDOMAIN" | "forward" {
  const q = dnsPacket.decode(dnsPacket.encode({ type: "query", id: 1, questions: [{ type, name }] }));
  const r = answerLocally(viewFor(v, arrival, src), v.all, q);
  if (r === undefined) return "forward";
  if ((r.flags ?? 0) & 0xf) return "NXDOMAIN";
  return (r.answers ?? []).map((a) => (a as { data: string }).data);
}
const ptr = (ip: string) => `${ip.split(".").reverse().join(".")}.in-addr.arpa`;

t.test("a container on two networks sees both; the others see only their own", async (t) => {
  t.same(resolve(views, "10.77.1.12", "na", "c1"), ["10.77.1.11"], "c2 -> c1 (front)");
  t.same(resolve(views, "10.77.1.12", "na", "c3"), ["10.77.2.13"], "c2 -> c3 (back) through front's listener");
  t.same(resolve(views, "10.77.2.12", "nb", "c1"), ["10.77.1.11"], "c2 -> c1 through back's listener");
  t.same(resolve(views, "10.77.1.11", "na", "c2"), ["10.77.1.12"], "c1 -> c2 at its front address");
  t.equal(resolve(views, "10.77.1.11", "na", "c3"), "NXDOMAIN", "c1 -> c3: not shared");
  t.same(resolve(views, "10.77.2.13", "nb", "c2"), ["10.77.2.12"], "c3 -> c2 at its back address");
  t.equal(resolve(views, "10.77.2.13", "nb", "c1"), "NXDOMAIN", "c3 -> c1: not shared");
  t.equal(resolve(views, "10.77.2.13", "nb", "c5"), "NXDOMAIN", "c3 -> c5 on D");
});

t.test("aliases are per network", async (t) => {
  t.same(resolve(views, "10.77.2.13", "nb", "cache"), ["10.77.2.12"], "c3 sees c2's back alias");
  t.equal(resolve(views, "10.77.1.11", "na", "cache"), "NXDOMAIN", "c1 does not");
  t.same(resolve(views, "10.77.1.11", "na", "api"), ["10.77.1.12"], "c1 sees c2's front alias");
  t.equal(resolve(views, "10.77.2.13", "nb", "api"), "NXDOMAIN", "c3 does not");
  t.same(resolve(views, "10.77.1.12", "na", "bee"), ["10.77.2.13"], "c2 sees c3's alias on back");
});

t.test("a name on two of the asker's networks: the network the query arrived on wins", async (t) => {
  t.same(resolve(views, "10.77.1.12", "na", "c2"), ["10.77.1.12"], "c2 -> itself via front");
  t.same(resolve(views, "10.77.2.12", "nb", "c2"), ["10.77.2.12"], "c2 -> itself via back");
  t.same(resolve(views, "10.77.1.12", "na", "shared"), ["10.77.2.12", "10.77.2.13"], "one network, every holder");
  // Arrived on a network the source address is not on (odd routing): the arrival still decides.
  t.same(resolve(views, "10.77.1.12", "nb", "c2"), ["10.77.2.12"]);
  // Arrived on a listener of a network the asker is not on: the view of the address's own network.
  t.same(resolve(views, "10.77.1.11", "nb", "c2"), ["10.77.1.12"], "c1 asking back's listener still sees only front");
  t.equal(resolve(views, "10.77.1.11", "nb", "c3"), "NXDOMAIN");
});

t.test("PTR: the asker's networks only", async (t) => {
  t.same(resolve(views, "10.77.1.12", "na", ptr("10.77.2.13"), "PTR"), ["c3"], "c2 -> c3's address");
  t.equal(resolve(views, "10.77.1.11", "na", ptr("10.77.2.13"), "PTR"), "NXDOMAIN", "c1 -> c3's address: not answered, not forwarded");
  t.same(resolve(views, "10.77.2.13", "nb", ptr("10.77.2.12"), "PTR"), ["c2"]);
  t.equal(resolve(views, "10.77.2.13", "nb", ptr("10.77.2.99"), "PTR"), "NXDOMAIN", "unused address of its subnet");
  t.equal(resolve(views, "10.77.2.13", "nb", ptr("192.0.2.1"), "PTR"), "forward", "outside every network");
});

t.test("unknown sources get the listener's network; known containers off DNS networks get nothing", async (t) => {
  t.same(resolve(views, "10.77.1.1", "na", "c1"), ["10.77.1.11"], "the host asking front's listener");
  t.equal(resolve(views, "10.77.1.1", "na", "c3"), "NXDOMAIN");
  t.same(resolve(views, "192.0.2.9", "nb", "c3"), ["10.77.2.13"]);
  t.equal(resolve(views, "10.77.3.14", "na", "c1"), "NXDOMAIN", "c4 is only on the default bridge");
  t.same(resolve(views, "10.77.3.12", "nb", "c1"), ["10.77.1.11"], "c2 from its default-bridge address is still c2");
  t.equal(resolve(views, "10.77.1.11", "na", "example.com"), "forward");
});

t.test("views are shared by containers on the same networks, and follow connect/disconnect", async (t) => {
  t.equal(viewFor(views, "na", "10.77.1.11"), viewFor(views, "na", "10.77.1.1"), "a one-network container uses the network's own index");
  const many = buildDnsViews(
    [{ id: "na", zone: { subnet: "10.77.1.0/24", entries: [] } }, { id: "nb", zone: { subnet: "10.77.2.0/24", entries: [] } }],
    [10, 11, 12].map((h) => ({ containerId: `x${h}`, endpoints: [{ networkId: "na", ip: `10.77.1.${h}` }, { networkId: "nb", ip: `10.77.2.${h}` }] })),
  );
  t.equal(viewFor(many, "na", "10.77.1.10"), viewFor(many, "na", "10.77.1.12"));
  t.not(viewFor(many, "na", "10.77.1.10"), viewFor(many, "nb", "10.77.2.10"), "one per preferred network");

  // c1 connects to back with an alias; c2 leaves back.
  const next: NetworkState = structuredClone(state);
  next.containers[0]!.endpoints.push({ ...ep(B, 21, ["late"]), ifname: "eth1" });
  next.containers[1]!.endpoints = next.containers[1]!.endpoints.filter((e) => e.networkId !== "nb");
  const after = dnsViewsOf(next, [A, B, D]);
  t.same(resolve(after, "10.77.1.11", "na", "c3"), ["10.77.2.13"], "c1 now sees c3");
  t.same(resolve(after, "10.77.2.13", "nb", "late"), ["10.77.2.21"], "c3 sees c1's new alias");
  t.equal(resolve(after, "10.77.1.12", "na", "c3"), "NXDOMAIN", "c2 no longer sees c3");
  // The released back address is a stranger now: it gets back's zone, as any unknown source would.
  t.same(resolve(after, "10.77.2.12", "nb", "c3"), ["10.77.2.13"]);
  t.equal(resolve(after, "10.77.2.12", "nb", "c2"), "NXDOMAIN", "c2 is gone from back");
});
