import t from "tap";
import { fileURLToPath } from "node:url";
import { Container, Group, Image, Network, Stack, Volume, secret, synth } from "../../src/dsl/index.js";
import type { ResourceNode } from "../../src/graph/resource.js";

function find(resources: ResourceNode[], address: string): ResourceNode {
  const r = resources.find((x) => x.address === address);
  if (r === undefined) throw new Error(`no ${address}`);
  return r;
}

t.test("network, volume and image defaults follow compose naming", async (t) => {
  const s = new Stack("shop", { dir: "/srv/shop" });
  new Network(s, "backend", { subnet: "10.40.0.0/24", gateway: "10.40.0.1", internal: true, labels: { a: "b" } });
  new Volume(s, "data", { labels: { keep: "yes" } });
  new Volume(s, "named", { name: "explicit", driverOpts: { type: "tmpfs" } });
  new Image(s, "app", { build: { context: "./app", args: { V: "1" } } });
  new Image(s, "busybox", { pull: "never" });
  const { graph, diagnostics } = synth(s);
  t.same(diagnostics, []);
  t.same(find(graph.resources, "network.backend").props, {
    name: "shop_backend", driver: "bridge", subnet: "10.40.0.0/24", gateway: "10.40.0.1", internal: true, labels: { a: "b" },
  });
  t.same(find(graph.resources, "volume.data").props, { name: "shop_data", driver: "local", labels: { keep: "yes" } });
  t.same(find(graph.resources, "volume.named").props, { name: "explicit", driver: "local", driverOpts: { type: "tmpfs" } });
  t.same(find(graph.resources, "image.app").props, {
    name: "localhost/shop-app:latest", build: { context: "/srv/shop/app", dockerfile: "Dockerfile", args: { V: "1" } },
  });
  t.same(find(graph.resources, "image.busybox").props, { name: "busybox", pull: "never" });
  for (const r of graph.resources) t.equal(r.provider, "local-runtime", `${r.address} goes to local-runtime`);
});

t.test("a container's friendly props normalise into ContainerSpec", async (t) => {
  const s = new Stack("app", { dir: "/srv/app" });
  const net = new Network(s, "net");
  const data = new Volume(s, "data");
  const other = new Container(s, "other", { image: "busybox" });
  new Container(s, "web", {
    image: "busybox",
    command: "sh -c 'httpd -f -p 80'",
    entrypoint: ["/bin/sh"],
    env: ["A=1", "B=x=y"],
    user: 1000,
    workingDir: "/www",
    tty: true,
    stdinOpen: true,
    ports: [80, "8080:81", "127.0.0.1:8000:82/udp", "10000-10002:20000-20002", { containerPort: 90, hostPort: 9090 }],
    networks: [net, { network: "external-net", aliases: ["www"], ipv4Address: "10.1.0.5", macAddress: "02:42:ac:11:00:02" }],
    volumes: ["data:/data:ro", "legacy:/legacy", "./conf:/etc/conf", "/abs:/abs:ro", "/anon", { volume: data, target: "/d2", noCopy: true },
      { bind: "rel", target: "/rel", createHostPath: false }, { tmpfs: "/scratch", size: "64m", mode: 0o1777 }],
    tmpfs: ["/run:size=1m"],
    links: [other, "ext:alias", { container: other, alias: "o2" }],
    volumesFrom: [other, "ext:ro"],
    restart: "on-failure:3",
    healthcheck: { test: ["wget", "-q", "localhost"], interval: "30s", timeout: "5s", startPeriod: "1m", retries: 3 },
    resources: { memory: "256m", memorySwap: -1, cpus: "1.5", cpuShares: 512, cpusetCpus: "0-1", pidsLimit: 100, blkioWeight: 300, shmSize: "64m" },
    capAdd: ["NET_ADMIN"],
    capDrop: ["ALL"],
    privileged: false,
    readOnlyRootfs: true,
    noNewPrivileges: true,
    init: true,
    stopSignal: "SIGINT",
    stopTimeout: "1m",
    ulimits: { nofile: { soft: 1024, hard: 2048 }, nproc: 64 },
    sysctls: { "net.core.somaxconn": 1024 },
    extraHosts: { "db.local": "10.0.0.5" },
    dns: ["10.0.0.2"],
    dnsSearch: ["example.com"],
    dnsOptions: ["ndots:2"],
    devices: ["/dev/fuse", { hostPath: "/dev/sda", containerPath: "/dev/xvda", permissions: "r" }],
    logging: { maxSize: "10m", maxFiles: 3 },
    labels: { tier: "web" },
  });
  const { graph, diagnostics } = synth(s);
  t.same(diagnostics, []);
  const web = find(graph.resources, "container.web");
  const ref = (address: string, attr: string) => ({ $ref: { address, attr } });
  t.same(web.props, {
    name: "app-web",
    image: "busybox",
    command: ["sh", "-c", "httpd -f -p 80"],
    entrypoint: ["/bin/sh"],
    env: { A: "1", B: "x=y" },
    workingDir: "/www",
    hostname: "app-web",
    tty: true,
    stdinOpen: true,
    labels: { tier: "web" },
    capAdd: ["NET_ADMIN"],
    capDrop: ["ALL"],
    privileged: false,
    readOnlyRootfs: true,
    noNewPrivileges: true,
    init: true,
    stopSignal: "SIGINT",
    dns: ["10.0.0.2"],
    dnsSearch: ["example.com"],
    dnsOptions: ["ndots:2"],
    user: "1000",
    ports: [
      { containerPort: 80, protocol: "tcp" },
      { containerPort: 81, hostPort: 8080, protocol: "tcp" },
      { containerPort: 82, hostPort: 8000, hostIp: "127.0.0.1", protocol: "udp" },
      { containerPort: 20000, hostPort: 10000, count: 3, protocol: "tcp" },
      { containerPort: 90, hostPort: 9090, protocol: "tcp" },
    ],
    networks: [
      { network: ref("network.net", "name") },
      { network: "external-net", aliases: ["www"], ipv4Address: "10.1.0.5", macAddress: "02:42:ac:11:00:02" },
    ],
    links: [
      { container: ref("container.other", "name"), alias: "other" },
      { container: "ext", alias: "alias" },
      { container: ref("container.other", "name"), alias: "o2" },
    ],
    mounts: [
      { type: "volume", source: ref("volume.data", "name"), target: "/data", readOnly: true },
      { type: "volume", source: "legacy", target: "/legacy" },
      { type: "bind", source: "/srv/app/conf", target: "/etc/conf", createHostPath: true },
      { type: "bind", source: "/abs", target: "/abs", createHostPath: true, readOnly: true },
      { type: "volume", target: "/anon" },
      { type: "volume", source: ref("volume.data", "name"), target: "/d2", noCopy: true },
      { type: "bind", source: "/srv/app/rel", target: "/rel", createHostPath: false },
      { type: "tmpfs", target: "/scratch", tmpfsSize: 64 * 1024 ** 2, tmpfsMode: 0o1777 },
      { type: "tmpfs", target: "/run", tmpfsSize: 1024 ** 2 },
    ],
    volumesFrom: [{ container: ref("container.other", "name") }, { container: "ext", readOnly: true }],
    restart: { policy: "on-failure", maxRetries: 3 },
    healthcheck: { test: ["CMD", "wget", "-q", "localhost"], intervalMs: 30000, timeoutMs: 5000, startPeriodMs: 60000, retries: 3 },
    resources: { memory: 256 * 1024 ** 2, memorySwap: -1, shmSize: 64 * 1024 ** 2, cpus: 1.5, cpuShares: 512, cpusetCpus: "0-1", pidsLimit: 100, blkioWeight: 300 },
    stopTimeout: 60,
    ulimits: [{ name: "nofile", soft: 1024, hard: 2048 }, { name: "nproc", soft: 64, hard: 64 }],
    sysctls: { "net.core.somaxconn": "1024" },
    extraHosts: [{ host: "db.local", ip: "10.0.0.5" }],
    devices: [{ hostPath: "/dev/fuse", containerPath: "/dev/fuse", permissions: "rwm" }, { hostPath: "/dev/sda", containerPath: "/dev/xvda", permissions: "r" }],
    logging: { maxSize: 10 * 1024 ** 2, maxFiles: 3 },
  });
  t.same(web.dependencies, ["container.other", "network.net", "volume.data"]);
});

t.test("network modes, an Image object and healthcheck forms", async (t) => {
  const s = new Stack("m");
  const img = new Image(s, "base", { name: "busybox" });
  const donor = new Container(s, "donor", { image: img, healthcheck: "none", restart: "always" });
  new Container(s, "a", { image: "busybox", networkMode: { container: donor }, healthcheck: { test: "true" } });
  new Container(s, "b", { image: "busybox", networkMode: "host" });
  new Container(s, "c", { image: "busybox", networkMode: "container:m-donor" });
  const { graph, diagnostics } = synth(s);
  t.same(diagnostics, []);
  t.same(find(graph.resources, "container.donor").props.image, { $ref: { address: "image.base", attr: "id" } });
  t.same(find(graph.resources, "container.donor").props.healthcheck, { test: ["NONE"] });
  t.same(find(graph.resources, "container.donor").props.restart, { policy: "always" });
  t.same(find(graph.resources, "container.a").props.networkMode, { container: { $ref: { address: "container.donor", attr: "name" } } });
  t.same(find(graph.resources, "container.a").props.healthcheck, { test: ["CMD-SHELL", "true"] });
  t.same(find(graph.resources, "container.a").dependencies, ["container.donor"]);
  t.equal(find(graph.resources, "container.b").props.networkMode, "host");
  t.same(find(graph.resources, "container.c").props.networkMode, { container: "m-donor" });
});

t.test("references inside template strings become $template and dependencies", async (t) => {
  const s = new Stack("app");
  const db = new Container(s, "db", { image: "busybox" });
  const net = new Network(s, "net");
  const web = new Container(s, "web", {
    image: "busybox",
    env: { DB: `postgres://${db.ipAddress}:5432/x?net=${net.subnet}`, ID: db.id, PORT: `${db.hostPort(5432)}` },
    command: ["echo", `${db.name}`],
  });
  s.output("url", `http://127.0.0.1:${web.hostPort(80)}/`);
  s.output("dbId", db.id);
  const { graph, diagnostics } = synth(s);
  t.same(diagnostics, []);
  const w = find(graph.resources, "container.web");
  t.same(w.props.env, {
    DB: { $template: ["postgres://", { $ref: { address: "container.db", attr: "ipAddress" } }, ":5432/x?net=", { $ref: { address: "network.net", attr: "subnet" } }] },
    ID: { $ref: { address: "container.db", attr: "id" } },
    PORT: { $template: [{ $ref: { address: "container.db", attr: "hostPorts.5432/tcp" } }] },
  });
  t.same(w.props.command, ["echo", { $template: [{ $ref: { address: "container.db", attr: "name" } }] }]);
  t.same(w.dependencies, ["container.db", "network.net"]);
  t.same(graph.outputs, [
    { name: "url", value: { $template: ["http://127.0.0.1:", { $ref: { address: "container.web", attr: "hostPorts.80/tcp" } }, "/"] } },
    { name: "dbId", value: { $ref: { address: "container.db", attr: "id" } } },
  ]);
});

t.test("secrets are wrapped, also around references, and refuse to be pasted into strings", async (t) => {
  const s = new Stack("app");
  const db = new Container(s, "db", { image: "busybox" });
  const pw = secret("hunter2");
  new Container(s, "web", { image: "busybox", env: { PW: pw, ADDR: secret(db.ipAddress) } });
  s.output("pw", secret("x"));
  const { graph, diagnostics } = synth(s);
  t.same(diagnostics, []);
  t.same(find(graph.resources, "container.web").props.env, {
    PW: { $secret: "hunter2" },
    ADDR: { $secret: { $ref: { address: "container.db", attr: "ipAddress" } } },
  });
  t.same(find(graph.resources, "container.web").dependencies, ["container.db"]);
  t.same(graph.outputs[0], { name: "pw", value: { $secret: "x" } });
  t.throws(() => `user:${pw}`, { code: "INFRA_DSL_SECRET_IN_STRING" });
});

t.test("two stacks in one process stay apart", async (t) => {
  const a = new Stack("a");
  const b = new Stack("b");
  const dbA = new Container(a, "db", { image: "busybox" });
  new Container(b, "db", { image: "busybox" });
  new Container(a, "web", { image: "busybox", env: { DB: `${dbA.ipAddress}` } });
  new Container(b, "web", { image: "busybox", env: { DB: `${dbA.ipAddress}`, ID: dbA.id } }, { dependsOn: [dbA] });
  const ra = synth(a);
  const rb = synth(b);
  t.same(ra.diagnostics, []);
  t.same(ra.graph.resources.map((r) => r.props.name), ["a-db", "a-web"]);
  t.same(rb.graph.resources.map((r) => r.props.name), ["b-db", "b-web"]);
  t.same(rb.diagnostics.map((d) => [d.code, d.attribute]), [
    ["INFRA_VALIDATE_FOREIGN_REF", "env.DB"],
    ["INFRA_VALIDATE_FOREIGN_REF", "env.ID"],
    ["INFRA_VALIDATE_FOREIGN_REF", "dependsOn[0]"],
  ]);
  t.ok(rb.diagnostics.every((d) => d.address === "container.web"));
  // Synthesising again gives the same graph: synth reads the tree, never changes it.
  t.same(synth(a).graph, ra.graph);
});

t.test("resource options, providers, nested scopes and source locations", async (t) => {
  const s = new Stack("app", { provider: "coreos-cluster" });
  const vol = new Volume(s, "data", {}, { protect: true, retainOnDelete: true });
  const g = new Group(s, "front");
  const line = new Error().stack?.split("\n")[1]?.match(/:(\d+):\d+\)?$/)?.[1];
  new Container(g, "web", { image: "busybox" }, {
    dependsOn: vol, ignoreChanges: ["env"], replaceOnChanges: ["*"], deleteBeforeReplace: true, provider: "memory",
  });
  const { graph, diagnostics } = synth(s);
  t.same(diagnostics, []);
  const web = find(graph.resources, "container.front/web");
  t.equal(web.name, "front/web");
  t.equal(web.props.name, "app-front-web");
  t.equal(web.provider, "memory");
  t.equal(find(graph.resources, "volume.data").provider, "coreos-cluster");
  t.same(web.options, { dependsOn: ["volume.data"], deleteBeforeReplace: true, ignoreChanges: ["env"], replaceOnChanges: ["*"] });
  t.same(find(graph.resources, "volume.data").options, { protect: true, retainOnDelete: true });
  t.same(web.dependencies, ["volume.data"]);
  t.equal(web.source?.file, fileURLToPath(import.meta.url));
  t.equal(web.source?.line, Number(line) + 1, "the line of the constructor call");
});

t.test("bad values become diagnostics with address, attribute, value and hint", async (t) => {
  const s = new Stack("app");
  new Container(s, "web", {
    image: "busybox",
    ports: ["80:80/sctp", "http"],
    volumes: ["a:b:c:d"],
    resources: { memory: "lots" },
    stopTimeout: "soon",
    restart: "sometimes" as "always",
    imagePullPolicy: "always",
  } as never);
  const { diagnostics } = synth(s);
  const codes = diagnostics.map((d) => [d.code, d.attribute]);
  t.same(codes, [
    ["INFRA_VALIDATE_UNKNOWN_KEY", "imagePullPolicy"],
    ["INFRA_VALIDATE_INVALID_PORT", "ports[0]"],
    ["INFRA_VALIDATE_INVALID_PORT", "ports[1]"],
    ["INFRA_VALIDATE_INVALID_VOLUME", "volumes[0]"],
    ["INFRA_VALIDATE_INVALID_VALUE", "restart"],
    ["INFRA_VALIDATE_INVALID_SIZE", "resources.memory"],
    ["INFRA_VALIDATE_INVALID_DURATION", "stopTimeout"],
  ]);
  for (const d of diagnostics) {
    t.equal(d.address, "container.web");
    t.ok(d.hint, `${d.code} has a hint`);
    t.not(d.value, undefined, `${d.code} has the bad value`);
  }
  const typo = synth(Object.assign(new Stack("x"), {}));
  t.same(typo.diagnostics, []);
  const s2 = new Stack("app");
  new Container(s2, "web", { image: "busybox", prots: ["80"] } as never);
  t.match(synth(s2).diagnostics[0], { code: "INFRA_VALIDATE_UNKNOWN_KEY", hint: 'did you mean "ports"?' });
});

t.test("a reference in a value that must be known at synth is refused", async (t) => {
  const s = new Stack("app");
  const db = new Container(s, "db", { image: "busybox" });
  new Container(s, "web", { image: "busybox", ports: [`${db.hostPort(80)}:80`], volumes: [`${db.name}:/x`] });
  t.same(synth(s).diagnostics.map((d) => [d.code, d.attribute]), [
    ["INFRA_VALIDATE_NOT_LITERAL", "ports[0]"],
    ["INFRA_VALIDATE_NOT_LITERAL", "volumes[0]"],
  ]);
});

t.test("unknown keys inside nested props are reported with their path", async (t) => {
  const s = new Stack("app");
  const net = new Network(s, "net");
  new Container(s, "web", {
    image: "busybox",
    healthcheck: { test: "true", intervall: "5s" },
    resources: { memroy: "1g" },
    logging: { maxSize: "1m", maxFile: 2 },
    networks: [{ network: net, alias: ["x"] }],
  } as never);
  t.same(synth(s).diagnostics.map((d) => [d.code, d.attribute, d.hint]), [
    ["INFRA_VALIDATE_UNKNOWN_KEY", "networks[0].alias", 'did you mean "aliases"?'],
    ["INFRA_VALIDATE_UNKNOWN_KEY", "healthcheck.intervall", 'did you mean "interval"?'],
    ["INFRA_VALIDATE_UNKNOWN_KEY", "resources.memroy", 'did you mean "memory"?'],
    ["INFRA_VALIDATE_UNKNOWN_KEY", "logging.maxFile", 'did you mean "maxFiles"?'],
  ]);
});

t.test("a container without an image, and a stack name that makes invalid engine names", async (t) => {
  const s = new Stack("my app");
  new Container(s, "web", {} as never);
  const d = synth(s).diagnostics;
  t.same(d.map((x) => [x.code, x.attribute]), [
    ["INFRA_VALIDATE_INVALID_NAME", "name"],
    ["INFRA_VALIDATE_INVALID_VALUE", "image"],
  ]);
  t.match(d[0]?.hint, "-p NAME");
});
