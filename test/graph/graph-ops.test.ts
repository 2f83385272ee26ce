import t from "tap";
import { dependenciesOf, dependents, findCycles, formatCycle, toDot, topoOrder } from "../../src/graph/graph-ops.js";
import type { ResourceNode, StackGraph } from "../../src/graph/resource.js";

function node(address: string, dependencies: string[] = []): ResourceNode {
  const [type, name] = address.split(".") as [ResourceNode["type"], string];
  return { address, type, name, provider: "memory", props: {}, options: {}, dependencies };
}

function graph(resources: ResourceNode[]): StackGraph {
  return { stack: "s", resources, outputs: [] };
}

t.test("topoOrder puts dependencies first and breaks ties by address", async (t) => {
  const rs = [
    node("container.web", ["network.net", "container.db"]),
    node("container.db", ["network.net", "volume.data"]),
    node("volume.data"),
    node("network.net"),
    node("container.aaa"),
  ];
  const order = topoOrder(rs);
  t.same(order, ["container.aaa", "network.net", "volume.data", "container.db", "container.web"]);
  t.same(topoOrder([...rs].reverse()), order, "same order whatever the input order");
});

t.test("topoOrder ignores dependencies on addresses not in the list", async (t) => {
  t.same(topoOrder([node("container.a", ["network.gone"])]), ["container.a"]);
});

t.test("topoOrder throws INFRA_GRAPH_CYCLE naming the cycle", async (t) => {
  t.throws(() => topoOrder([node("container.a", ["container.b"]), node("container.b", ["container.a"]), node("volume.v")]), {
    code: "INFRA_GRAPH_CYCLE",
    summary: "dependency cycle: container.a -> container.b -> container.a",
  });
});

t.test("findCycles reports one closed path per cycle, starting at its smallest address", async (t) => {
  const rs = [
    node("container.c", ["container.a"]),
    node("container.a", ["container.b"]),
    node("container.b", ["container.c"]),
    node("container.self", ["container.self"]),
    node("container.free", ["container.a"]),
  ];
  const cycles = findCycles(rs);
  t.same(cycles, [
    ["container.a", "container.b", "container.c", "container.a"],
    ["container.self", "container.self"],
  ]);
  t.equal(formatCycle(cycles[0] ?? []), "container.a -> container.b -> container.c -> container.a");
  t.same(findCycles([node("a.x", ["a.y"]), node("a.y")]), [], "no cycle, nothing reported");
});

t.test("findCycles handles a long chain without recursion limits", async (t) => {
  const rs: ResourceNode[] = [];
  for (let i = 0; i < 20000; i++) rs.push(node(`container.n${i}`, i > 0 ? [`container.n${i - 1}`] : ["container.n19999"]));
  const cycles = findCycles(rs);
  t.equal(cycles.length, 1);
  t.equal(cycles[0]?.length, 20001);
});

t.test("dependents and dependenciesOf, direct and transitive", async (t) => {
  const g = graph([
    node("network.net"),
    node("container.db", ["network.net"]),
    node("container.web", ["container.db", "network.net"]),
    node("container.proxy", ["container.web"]),
    node("volume.other"),
  ]);
  t.same(dependents(g, "network.net"), ["container.db", "container.proxy", "container.web"]);
  t.same(dependents(g, "container.db", { transitive: false }), ["container.web"]);
  t.same(dependents(g, "volume.other"), []);
  t.same(dependenciesOf(g, "container.proxy"), ["container.db", "container.web", "network.net"]);
  t.same(dependenciesOf(g, "container.proxy", { transitive: false }), ["container.web"]);
});

t.test("toDot lists nodes and edges sorted, quoted and escaped", async (t) => {
  const dot = toDot(graph([node("container.web", ["network.net"]), node("network.net"), node('volume.we"ird')]));
  t.equal(dot, [
    'digraph "s" {',
    '  rankdir = "RL";',
    '  node [fontname = "sans-serif"];',
    '  "container.web" [label = "container.web", shape = box];',
    '  "network.net" [label = "network.net", shape = ellipse];',
    '  "volume.we\\"ird" [label = "volume.we\\"ird", shape = cylinder];',
    '  "container.web" -> "network.net";',
    "}",
    "",
  ].join("\n"));
});
