/** The pure side of coexistence: which drop chains, where our rules go, what to add and delete. */
import t from "tap";
import {
  type ChainChange,
  acceptTarget,
  parseRuleset,
  planForwardAccept,
  readAcceptRule,
  renderChainChange,
} from "../../../src/providers/local-runtime/network/forward-accept-plan.js";
import { forwardDropWarning } from "../../../src/providers/local-runtime/network/forward-drop-check.js";

const TAG = "infra:infra";
const chain = (family: string, table: string, name: string, extra: object = {}) => ({ chain: { family, table, name, handle: 1, ...extra } });
const rule = (family: string, table: string, chainName: string, handle: number, expr: unknown[], comment?: string) => ({
  rule: { family, table, chain: chainName, handle, expr, ...(comment !== undefined ? { comment } : {}) },
});
const ifMatch = (key: string, dev: string) => ({ match: { op: "==", left: { meta: { key } }, right: dev } });
const ours = (family: string, table: string, chainName: string, handle: number, key: string, dev: string, comment = TAG) =>
  rule(family, table, chainName, handle, [ifMatch(key, dev), { accept: null }], comment);
const drop = { type: "filter", hook: "forward", prio: 0, policy: "drop" };

/** Docker (iptables-nft) as it lists: FORWARD policy drop jumping to DOCKER-USER, plus ip6. */
function dockerListing(extra: object[] = []): string {
  return JSON.stringify({
    nftables: [
      { metainfo: { json_schema_version: 1 } },
      { table: { family: "ip", name: "filter", handle: 1 } },
      chain("ip", "filter", "FORWARD", drop),
      chain("ip", "filter", "DOCKER-USER"),
      chain("ip", "filter", "DOCKER-FORWARD"),
      rule("ip", "filter", "FORWARD", 5, [{ counter: { packets: 0, bytes: 0 } }, { jump: { target: "DOCKER-USER" } }]),
      rule("ip", "filter", "FORWARD", 6, [{ counter: { packets: 0, bytes: 0 } }, { jump: { target: "DOCKER-FORWARD" } }]),
      rule("ip", "filter", "DOCKER-USER", 7, [{ counter: { packets: 0, bytes: 0 } }, { return: null }]),
      rule("ip", "filter", "DOCKER-FORWARD", 8, [ifMatch("iifname", "docker0"), { accept: null }]),
      chain("ip6", "filter", "FORWARD", drop),
      chain("ip6", "filter", "DOCKER-USER"),
      rule("ip6", "filter", "FORWARD", 3, [{ jump: { target: "DOCKER-USER" } }]),
      chain("inet", "infra", "forward", { ...drop, policy: "accept" }),
      ...extra,
    ],
  });
}

const byTarget = (changes: ChainChange[]) => Object.fromEntries(changes.map((c) => [`${c.target.family} ${c.target.table} ${c.target.chain}`, c]));

t.test("Docker: rules go into DOCKER-USER of ip and ip6 filter, two per bridge", async (t) => {
  const plan = planForwardAccept(parseRuleset(dockerListing()), "infra", ["infra0", "infra-ab"]);
  t.same(plan.unsupported, []);
  const c = byTarget(plan.changes);
  t.same(Object.keys(c).sort(), ["ip filter DOCKER-USER", "ip6 filter DOCKER-USER"]);
  t.same(c["ip filter DOCKER-USER"]!.dropChains, [{ family: "ip", table: "filter", chain: "FORWARD" }]);
  t.same(c["ip filter DOCKER-USER"]!.deleteHandles, []);
  t.same(
    c["ip filter DOCKER-USER"]!.add.map((r) => `${r.direction} ${r.device}`).sort(),
    ["iifname infra-ab", "iifname infra0", "oifname infra-ab", "oifname infra0"],
  );
  t.equal(
    renderChainChange({ ...c["ip filter DOCKER-USER"]!, add: [{ direction: "oifname", device: "infra0" }], deleteHandles: [42] }, "infra"),
    'delete rule ip filter DOCKER-USER handle 42\ninsert rule ip filter DOCKER-USER oifname "infra0" accept comment "infra:infra"\n',
  );
});

t.test("idempotent: rules already there are kept, never duplicated", async (t) => {
  const present = [
    ours("ip", "filter", "DOCKER-USER", 20, "oifname", "infra0"),
    ours("ip", "filter", "DOCKER-USER", 21, "iifname", "infra0"),
    ours("ip", "filter", "DOCKER-USER", 22, "iifname", "infra0"), // a duplicate (two engines racing once)
    ours("ip6", "filter", "DOCKER-USER", 30, "oifname", "infra0"),
    ours("ip6", "filter", "DOCKER-USER", 31, "iifname", "infra0"),
  ];
  const c = byTarget(planForwardAccept(parseRuleset(dockerListing(present)), "infra", ["infra0"]).changes);
  t.same(c["ip filter DOCKER-USER"]!.add, []);
  t.same(c["ip filter DOCKER-USER"]!.deleteHandles, [22], "only the duplicate goes");
  t.same(c["ip6 filter DOCKER-USER"]!.add, []);
  t.equal(renderChainChange(c["ip6 filter DOCKER-USER"]!, "infra"), "", "nothing to do");
});

t.test("removal: rules of removed bridges, all when none is left; never others' rules", async (t) => {
  const present = [
    ours("ip", "filter", "DOCKER-USER", 20, "oifname", "infra0"),
    ours("ip", "filter", "DOCKER-USER", 21, "iifname", "infra0"),
    ours("ip", "filter", "DOCKER-USER", 22, "iifname", "infra-gone"),
    ours("ip", "filter", "DOCKER-USER", 23, "iifname", "infra0", "infra:other-table"), // another infra instance's
    ours("ip", "filter", "DOCKER-USER", 24, "iifname", "infra0", "mine"), // the user's own rule
    rule("ip", "filter", "DOCKER-USER", 25, [ifMatch("iifname", "infra0"), { drop: null }], TAG), // odd shape, our tag: ours, stale
    ours("inet", "old", "fwd", 26, "iifname", "infra0"), // left in a table whose drop went away
  ];
  const some = byTarget(planForwardAccept(parseRuleset(dockerListing(present)), "infra", ["infra0"]).changes);
  t.same(some["ip filter DOCKER-USER"]!.deleteHandles.sort(), [22, 25]);
  t.same(some["inet old fwd"]!.deleteHandles, [26]);
  t.same(some["inet old fwd"]!.dropChains, [], "not a drop chain any more");
  const none = byTarget(planForwardAccept(parseRuleset(dockerListing(present)), "infra", []).changes);
  t.same(none["ip filter DOCKER-USER"]!.deleteHandles.sort((a, b) => a - b), [20, 21, 22, 25]);
  t.same(none["ip filter DOCKER-USER"]!.add, []);
  t.notOk(none["ip6 filter DOCKER-USER"], "nothing of ours there, nothing to do");
});

t.test("another firewall: rules go at the top of its own drop chain; odd families are reported", async (t) => {
  const listing = JSON.stringify({
    nftables: [
      chain("inet", "fw", "fwd", drop),
      rule("inet", "fw", "fwd", 4, [ifMatch("iifname", "lan0"), { accept: null }]),
      chain("bridge", "brfw", "forward", drop),
      chain("ip", "filter", "FORWARD", drop), // ip filter without DOCKER-USER: not Docker's
      chain("ip", "weird", "DOCKER-USER", {}),
      chain("ip", "weird", "FORWARD", drop), // has a DOCKER-USER chain but never jumps to it
      chain("netdev", "ingress", "x", { hook: "ingress", policy: "drop" }),
    ],
  });
  const l = parseRuleset(listing);
  t.same(acceptTarget(l, { family: "inet", table: "fw", chain: "fwd" }), { family: "inet", table: "fw", chain: "fwd" });
  t.same(acceptTarget(l, { family: "ip", table: "weird", chain: "FORWARD" }), { family: "ip", table: "weird", chain: "FORWARD" });
  t.equal(acceptTarget(l, { family: "bridge", table: "brfw", chain: "forward" }), undefined);
  t.equal(acceptTarget(l, { family: "ip", table: 'a"b', chain: "FORWARD" }), undefined, "names that cannot be quoted safely");
  const plan = planForwardAccept(l, "infra", ["infra0"]);
  t.same(plan.unsupported, [{ family: "bridge", table: "brfw", chain: "forward" }]);
  t.same(Object.keys(byTarget(plan.changes)).sort(), ["inet fw fwd", "ip filter FORWARD", "ip weird FORWARD"]);
  t.same(planForwardAccept(l, "infra", []).changes, [], "no bridges: nothing to add");
});

t.test("our own table is never a target; device names that cannot be quoted are skipped", async (t) => {
  const l = parseRuleset(JSON.stringify({ nftables: [chain("inet", "infra", "forward", drop)] }));
  t.same(planForwardAccept(l, "infra", ["infra0"]), { changes: [], unsupported: [] });
  const c = planForwardAccept(parseRuleset(dockerListing()), "infra", ['bad"name']).changes;
  t.same(c.flatMap((x) => x.add), []);
});

t.test("readAcceptRule reads only our exact shape", async (t) => {
  t.same(readAcceptRule([ifMatch("oifname", "br"), { accept: null }]), { direction: "oifname", device: "br" });
  t.equal(readAcceptRule([ifMatch("oifname", "br"), { counter: {} }, { accept: null }]), undefined);
  t.equal(readAcceptRule([ifMatch("iifkind", "br"), { accept: null }]), undefined);
  t.equal(readAcceptRule([{ match: { op: "!=", left: { meta: { key: "iifname" } }, right: "br" } }, { accept: null }]), undefined);
});

t.test("the warning names the chain and the fix", async (t) => {
  const d = forwardDropWarning({ family: "ip", table: "filter", chain: "FORWARD", reason: "why" }, ["infra0"]);
  t.equal(d.code, "INFRA_NET_FORWARD_DROP");
  t.equal(d.severity, "warning");
  t.equal(d.value, "ip filter FORWARD");
  t.match(d.hint!, "iptables -I DOCKER-USER -i BRIDGE -j ACCEPT");
  t.match(d.hint!, "infra0");
  t.match(d.detail!, "why");
  t.match(forwardDropWarning({ family: "inet", table: "fw", chain: "fwd" }).hint!, "at the top of inet fw fwd");
});
