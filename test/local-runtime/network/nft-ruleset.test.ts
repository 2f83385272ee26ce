import t from "tap";
import { renderDeleteTable, renderPortElements, renderRuleset } from "../../../src/providers/local-runtime/network/nft-ruleset.js";
import { checkPortConflicts, expandPortSpecs } from "../../../src/providers/local-runtime/network/port-plan.js";

const model = {
  table: "infra",
  bridges: [
    { device: "infra0", subnet: "10.89.0.0/24", internal: false },
    { device: "infra-3f2a9c1d", subnet: "10.89.1.0/24", internal: false },
    { device: "infra-77aa00bb", subnet: "10.89.2.0/24", internal: true },
  ],
  ports: [
    { protocol: "tcp" as const, hostIp: "0.0.0.0", hostPort: 8080, containerIp: "10.89.1.2", containerPort: 80 },
    { protocol: "tcp" as const, hostIp: "127.0.0.1", hostPort: 8000, containerIp: "10.89.1.2", containerPort: 80 },
    { protocol: "udp" as const, hostIp: "0.0.0.0", hostPort: 5353, containerIp: "10.89.0.2", containerPort: 53 },
  ],
};

t.test("whole table: one transaction, sets and maps, only our table named", async (t) => {
  const s = renderRuleset(model);
  t.matchSnapshot(s, "ruleset");
  t.ok(s.startsWith("table inet infra {}\ndelete table inet infra\ntable inet infra {\n"));
  t.notMatch(s, /table (ip|ip6|inet) (?!infra\b)/, "no other table is named");
  t.match(s, /set nat_subnets \{\n\t\ttype ipv4_addr\n\t\tflags interval\n\t\telements = \{ 10\.89\.0\.0\/24,\n\t+ *10\.89\.1\.0\/24 \}/, "internal subnet is not masqueraded");
});

t.test("empty model still renders a loadable table", async (t) => {
  const s = renderRuleset({ table: "x", bridges: [], ports: [] });
  t.notMatch(s, /elements/);
  t.equal(renderDeleteTable("x"), "table inet x {}\ndelete table inet x\n");
});

t.test("port elements: add and delete touch only the maps", async (t) => {
  const add = renderPortElements("infra", model.ports, "add");
  t.matchSnapshot(add, "add elements");
  t.equal(
    renderPortElements("infra", model.ports, "delete"),
    "delete element inet infra pub_ip { 127.0.0.1 . tcp . 8000 }\ndelete element inet infra pub_any { tcp . 8080, udp . 5353 }\n",
  );
  const range = expandPortSpecs([{ containerPort: 20000, hostPort: 10000, count: 1000, protocol: "udp" }], "10.89.1.9");
  const lines = renderPortElements("infra", range, "add").trim().split("\n");
  t.equal(lines.length, 4, "1,000 ports in four batched commands");
  t.match(lines[0], /^add element inet infra pub_any \{ udp \. 10000 : 10\.89\.1\.9 \. 20000, udp \. 10001 : 10\.89\.1\.9 \. 20001,/);
});

t.test("port specs: ranges, validation and conflicts", async (t) => {
  const ports = expandPortSpecs([{ containerPort: 80, hostPort: 8000, count: 3, protocol: "tcp", hostIp: "127.0.0.1" }], "10.0.0.2");
  t.same(ports.map((p) => `${p.hostIp}:${p.hostPort}->${p.containerPort}`), ["127.0.0.1:8000->80", "127.0.0.1:8001->81", "127.0.0.1:8002->82"]);
  t.equal(expandPortSpecs([{ containerPort: 80, protocol: "tcp" }], "10.0.0.2")[0]?.hostPort, 0, "random port marked 0");
  t.throws(() => expandPortSpecs([{ containerPort: 65535, hostPort: 1, count: 2, protocol: "tcp" }], "x"), { code: "INFRA_NET_PORT_RANGE" });
  t.throws(() => expandPortSpecs([{ containerPort: 0, protocol: "tcp" }], "x"), { code: "INFRA_NET_PORT_RANGE" });
  t.throws(() => expandPortSpecs([{ containerPort: 80, protocol: "tcp", hostIp: "::1" }], "x"), { code: "INFRA_NET_HOST_IP" });
  const any = expandPortSpecs([{ containerPort: 80, hostPort: 8000, protocol: "tcp" }], "10.0.0.3");
  t.throws(() => checkPortConflicts(any, ports), { code: "INFRA_NET_PORT_IN_USE" }, "0.0.0.0 clashes with 127.0.0.1");
  const udp = expandPortSpecs([{ containerPort: 80, hostPort: 8000, protocol: "udp" }], "10.0.0.3");
  t.doesNotThrow(() => checkPortConflicts(udp, ports), "udp and tcp do not clash");
  const other = expandPortSpecs([{ containerPort: 80, hostPort: 8000, protocol: "tcp", hostIp: "192.0.2.2" }], "10.0.0.3");
  t.doesNotThrow(() => checkPortConflicts(other, ports), "two specific addresses do not clash");
  t.throws(() => checkPortConflicts([...udp, ...udp], []), { code: "INFRA_NET_PORT_IN_USE" }, "twice in one request");
});
