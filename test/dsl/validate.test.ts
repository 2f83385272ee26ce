import t from "tap";
import { Container, Network, Stack, Volume, synth, validateGraph } from "../../src/dsl/index.js";
import type { ResourceNode, StackGraph } from "../../src/graph/resource.js";
import type { Props } from "../../src/graph/value.js";

function node(address: string, props: Props, extra: Partial<ResourceNode> = {}): ResourceNode {
  const [type, name] = address.split(".") as [ResourceNode["type"], string];
  return { address, type, name, provider: "memory", props, options: {}, dependencies: [], ...extra };
}

function codes(graph: StackGraph): string[] {
  return validateGraph(graph).map((d) => d.code);
}

const g = (...resources: ResourceNode[]): StackGraph => ({ stack: "s", resources, outputs: [] });

t.test("a clean graph has no diagnostics", async (t) => {
  const s = new Stack("ok");
  const net = new Network(s, "net", { subnet: "10.50.0.0/24", gateway: "10.50.0.1", ipRange: "10.50.0.128/25" });
  const vol = new Volume(s, "v");
  new Container(s, "a", { image: "busybox", ports: ["8080:80", "127.0.0.1:8081:80"], networks: [{ network: net, ipv4Address: "10.50.0.9" }], volumes: [{ volume: vol, target: "/v" }] });
  new Container(s, "b", { image: "busybox", ports: ["127.0.0.2:8081:80", "8080:80/udp"] });
  t.same(synth(s).diagnostics, []);
});

t.test("duplicate ids and duplicate engine names", async (t) => {
  const s = new Stack("dup");
  new Container(s, "web", { image: "busybox" });
  new Container(s, "web", { image: "busybox", name: "other" });
  new Container(s, "x", { image: "busybox", name: "same" });
  new Container(s, "y", { image: "busybox", name: "same" });
  new Network(s, "n1", { name: "shared" });
  new Network(s, "n2", { name: "shared" });
  new Volume(s, "v", { name: "shared" });
  const d = synth(s).diagnostics;
  t.same(d.map((x) => [x.code, x.address, x.value]), [
    ["INFRA_VALIDATE_DUPLICATE_ID", "container.web", "web"],
    ["INFRA_VALIDATE_DUPLICATE_NAME", "container.y", "same"],
    ["INFRA_VALIDATE_DUPLICATE_NAME", "network.n2", "shared"],
  ], "a volume may share a network's name: they are different kinds");
  t.ok(d[0]?.location, "the duplicate points at its declaration");
});

t.test("dangling references: missing resource, missing attribute, missing dependsOn, in outputs", async (t) => {
  const graph = g(
    node("container.web", { name: "s-web", image: "busybox", env: { A: { $template: ["x", { $ref: { address: "container.gone", attr: "ipAddress" } }] } } }, { dependencies: ["container.gone"] }),
    node("container.b", { name: "s-b", image: { $ref: { address: "container.web", attr: "colour" } } }),
    node("volume.v", { name: "s_v", driver: "local" }, { options: { dependsOn: ["network.nope"] } }),
  );
  graph.outputs.push({ name: "o", value: { $ref: { address: "image.none", attr: "id" } } });
  const d = validateGraph(graph);
  t.same(d.map((x) => [x.code, x.address, x.attribute, x.value]), [
    ["INFRA_VALIDATE_DANGLING_REF", "container.web", "env", "container.gone.ipAddress"],
    ["INFRA_VALIDATE_DANGLING_REF", "container.b", "image", "container.web.colour"],
    ["INFRA_VALIDATE_DANGLING_REF", "volume.v", "dependsOn", "network.nope"],
    ["INFRA_VALIDATE_DANGLING_REF", undefined, "output o", "image.none.id"],
  ]);
  t.match(d[1]?.hint, /ipAddress/);
});

t.test("dependency cycles are printed as a path", async (t) => {
  const s = new Stack("cyc");
  const a: Container = new Container(s, "a", { image: "busybox", env: { B: "" } });
  const b = new Container(s, "b", { image: "busybox", env: { A: `${a.ipAddress}` } });
  (a.rawProps.env as Record<string, string>).B = `${b.ipAddress}`;
  new Container(s, "c", { image: "busybox" }, { dependsOn: [] });
  const d = synth(s).diagnostics;
  t.equal(d.length, 1);
  t.match(d[0], { code: "INFRA_VALIDATE_CYCLE", address: "container.a", summary: "dependency cycle: container.a -> container.b -> container.a" });
});

t.test("conflicting host ports", async (t) => {
  const port = (hostPort: number, extra: Props = {}): Props => ({ containerPort: 80, hostPort, protocol: "tcp", ...extra });
  const graph = g(
    node("container.a", { name: "s-a", image: "x", ports: [port(8080), port(9000, { hostIp: "127.0.0.1" }), port(7000, { count: 5 })] }),
    node("container.b", { name: "s-b", image: "x", ports: [port(8080)] }),
    node("container.c", { name: "s-c", image: "x", ports: [port(9000, { hostIp: "127.0.0.2" }), port(8080, { protocol: "udp" })] }),
    node("container.d", { name: "s-d", image: "x", ports: [port(9000)] }),
    node("container.e", { name: "s-e", image: "x", ports: [port(7004)] }),
    node("container.f", { name: "s-f", image: "x", ports: [{ containerPort: 80, protocol: "tcp" }, port(7005)] }),
  );
  const d = validateGraph(graph).filter((x) => x.code === "INFRA_VALIDATE_PORT_CONFLICT");
  t.same(d.map((x) => [x.address, x.attribute, x.value]).sort(), [
    ["container.b", "ports[0].hostPort", 8080],
    ["container.d", "ports[0].hostPort", 9000],
    ["container.d", "ports[0].hostPort", 9000],
    ["container.e", "ports[0].hostPort", 7004],
  ].sort(), "same port; wildcard against specific addresses; ranges; not udp against tcp, nor two different addresses");
  t.match(d.find((x) => x.address === "container.b")?.summary, "host port 0.0.0.0:8080/tcp is published by both container.a and container.b");
});

t.test("subnets: invalid, host bits, overlapping, gateway outside, ip range outside", async (t) => {
  const graph = g(
    node("network.a", { name: "s_a", driver: "bridge", subnet: "10.0.0.0/16" }),
    node("network.b", { name: "s_b", driver: "bridge", subnet: "10.0.5.0/24", gateway: "10.0.6.1" }),
    node("network.c", { name: "s_c", driver: "bridge", subnet: "10.1.0.0/33" }),
    node("network.d", { name: "s_d", driver: "bridge", subnet: "10.2.0.1/24" }),
    node("network.e", { name: "s_e", driver: "bridge", subnet: "10.3.0.0/24", ipRange: "10.4.0.0/25", gateway: "gw" }),
    node("network.f", { name: "s_f", driver: "bridge", subnet: "fd00:1::/64" }),
  );
  const d = validateGraph(graph);
  t.same(d.map((x) => [x.code, x.address, x.attribute]), [
    ["INFRA_VALIDATE_GATEWAY_OUTSIDE_SUBNET", "network.b", "gateway"],
    ["INFRA_VALIDATE_INVALID_CIDR", "network.c", "subnet"],
    ["INFRA_VALIDATE_INVALID_CIDR", "network.d", "subnet"],
    ["INFRA_VALIDATE_INVALID_IP", "network.e", "gateway"],
    ["INFRA_VALIDATE_INVALID_CIDR", "network.e", "ipRange"],
    ["INFRA_VALIDATE_SUBNET_OVERLAP", "network.b", "subnet"],
  ]);
  t.match(d[2]?.hint, "10.2.0.0/24");
  t.match(d[5]?.summary, "subnet 10.0.5.0/24 of network.b overlaps 10.0.0.0/16 of network.a");
});

t.test("invalid ports, paths, names, addresses and combinations", async (t) => {
  const s = new Stack("v");
  const net = new Network(s, "n", { subnet: "10.9.0.0/24" });
  new Container(s, "bad", {
    image: "busybox",
    name: "-bad name",
    ports: [0, "70000:80", { containerPort: 65535, count: 2 }, { containerPort: 80, hostPort: 81, hostIp: "localhost" }],
    volumes: ["data:relative", "/ok:also-relative"],
    workingDir: "www",
    devices: ["dev/fuse"],
    networks: [{ network: net, ipv4Address: "10.8.0.5", macAddress: "zz" }, { network: "x", ipv4Address: "300.1.1.1" }],
    extraHosts: ["db:nope"],
    dns: ["dns.example"],
  });
  new Container(s, "host", { image: "busybox", networkMode: "host", network: net, ports: [80] });
  new Volume(s, "v", { name: "a" });
  const d = synth(s).diagnostics;
  t.same(d.map((x) => [x.code, x.address, x.attribute]), [
    ["INFRA_VALIDATE_INVALID_NAME", "container.bad", "name"],
    ["INFRA_VALIDATE_INVALID_NAME", "volume.v", "name"],
    ["INFRA_VALIDATE_INVALID_PORT", "container.bad", "ports[0].containerPort"],
    ["INFRA_VALIDATE_INVALID_PORT", "container.bad", "ports[1].hostPort"],
    ["INFRA_VALIDATE_INVALID_PORT", "container.bad", "ports[2].containerPort"],
    ["INFRA_VALIDATE_INVALID_IP", "container.bad", "ports[3].hostIp"],
    ["INFRA_VALIDATE_INVALID_PATH", "container.bad", "mounts[0].target"],
    ["INFRA_VALIDATE_INVALID_PATH", "container.bad", "mounts[1].target"],
    ["INFRA_VALIDATE_INVALID_PATH", "container.bad", "workingDir"],
    ["INFRA_VALIDATE_INVALID_PATH", "container.bad", "devices[0].hostPath"],
    ["INFRA_VALIDATE_INVALID_PATH", "container.bad", "devices[0].containerPath"],
    ["INFRA_VALIDATE_ADDRESS_OUTSIDE_SUBNET", "container.bad", "networks[0].ipv4Address"],
    ["INFRA_VALIDATE_INVALID_VALUE", "container.bad", "networks[0].macAddress"],
    ["INFRA_VALIDATE_INVALID_IP", "container.bad", "networks[1].ipv4Address"],
    ["INFRA_VALIDATE_INVALID_IP", "container.bad", "extraHosts[0].ip"],
    ["INFRA_VALIDATE_INVALID_IP", "container.bad", "dns[0]"],
    ["INFRA_VALIDATE_CONFLICT", "container.host", "networks"],
    ["INFRA_VALIDATE_CONFLICT", "container.host", "ports"],
  ]);
  for (const x of d) {
    t.ok(x.hint, `${x.code} ${x.attribute} has a hint`);
    t.not(x.value, undefined, `${x.code} ${x.attribute} has the value`);
  }
});

t.test("unknown attributes, invalid ids and unknown types in a graph", async (t) => {
  const graph = g(
    node("container.web", { name: "s-web", image: "busybox", prots: [] }),
    node("volume.bad id", { name: "s_ok" }),
    { ...node("volume.q", { name: "s_q" }), type: "vm" as never, address: "vm.q" },
  );
  const d = validateGraph(graph);
  t.same(d.map((x) => [x.code, x.address]), [
    ["INFRA_VALIDATE_INVALID_ID", "volume.bad id"],
    ["INFRA_VALIDATE_UNKNOWN_KEY", "container.web"],
    ["INFRA_VALIDATE_UNKNOWN_TYPE", "vm.q"],
  ]);
  t.equal(d[1]?.hint, 'did you mean "ports"?');
  t.same(codes(g()), []);
});
