// The graph a compose project becomes: addresses, engine names, aliases, references and dependencies.
import t from "tap";
import { join } from "node:path";
import type { ResourceNode, StackGraph } from "../../src/graph/resource.js";
import { loadComposeStack } from "../../src/compose/load-compose-stack.js";
import { EXAMPLES, FIXTURES } from "./fixture-cases.js";

const nodeOf = (g: StackGraph, address: string): ResourceNode => {
  const n = g.resources.find((r) => r.address === address);
  if (!n) throw new Error(`no ${address} in ${g.resources.map((r) => r.address).join(", ")}`);
  return n;
};
const nameRef = (address: string) => ({ $ref: { address, attr: "name" } });

t.test("examples/compose-classic", async (t) => {
  const dir = join(EXAMPLES, "compose-classic");
  const { graph, project, diagnostics } = await loadComposeStack({ files: ["docker-compose.yml"], cwd: dir, env: {}, projectName: "shop" });
  t.same(diagnostics, []);
  t.equal(project.name, "shop");
  t.equal(graph.stack, "shop");
  t.same(graph.resources.map((r) => r.address), ["network.default", "volume.dbdata", "container.database-1", "container.web-1"]);
  t.equal(nodeOf(graph, "network.default").props.name, "shop_default");
  t.equal(nodeOf(graph, "volume.dbdata").props.name, "shop_dbdata");
  const web = nodeOf(graph, "container.web-1");
  const db = nodeOf(graph, "container.database-1");
  t.equal(web.props.name, "shop-web-1");
  t.equal(db.props.name, "shop-database-1");
  t.same(web.props.networks, [{ network: nameRef("network.default"), aliases: ["web"] }], "the service name is an alias");
  t.same(db.props.networks, [{ network: nameRef("network.default"), aliases: ["database"] }]);
  t.same(web.props.links, [{ container: nameRef("container.database-1"), alias: "db" }], "linked to the database as db");
  t.same(web.props.ports, [{ containerPort: 80, hostPort: 8080, protocol: "tcp" }]);
  t.same(web.props.mounts, [
    { type: "bind", source: join(dir, "webapp"), target: "/www", readOnly: true, createHostPath: true },
    { type: "bind", source: join(dir, "logs"), target: "/var/log/web", createHostPath: true },
  ]);
  t.same(web.props.env, { APP_MODE: "production", DB_HOST: "db" }, "from the env_file");
  t.same(web.props.command, ["httpd", "-f", "-p", "80", "-h", "/www"]);
  t.same(web.props.waitFor, [{ container: nameRef("container.database-1"), condition: "started" }], "depends_on is a wait, by reference");
  t.equal(web.options.dependsOn, undefined, "no explicit dependsOn: the references are the edges");
  t.same(web.dependencies, ["container.database-1", "network.default"]);
  t.same(db.props.mounts, [{ type: "volume", source: nameRef("volume.dbdata"), target: "/var/lib/db" }]);
  t.same(db.props.env, { DB_NAME: "app" });
  t.match(web.source, { file: join(dir, "docker-compose.yml"), line: 5 }, "points at the service in the compose file");
});

t.test("examples/compose-two-networks", async (t) => {
  const dir = join(EXAMPLES, "compose-two-networks");
  const { graph, diagnostics } = await loadComposeStack({ files: ["compose.yaml"], cwd: dir, env: {} });
  t.same(diagnostics, []);
  t.same(graph.resources.map((r) => r.address), ["network.front", "network.back", "container.c1-1", "container.c2-1", "container.c3-1", "container.c4-1"]);
  t.equal(nodeOf(graph, "network.front").props.name, "compose-two-networks_front");
  t.equal(nodeOf(graph, "network.back").props.name, "compose-two-networks_back");
  t.same(nodeOf(graph, "container.c1-1").props.networks, [{ network: nameRef("network.front"), aliases: ["c1"] }]);
  t.same(nodeOf(graph, "container.c2-1").props.networks, [
    { network: nameRef("network.back"), aliases: ["c2", "gateway"] },
    { network: nameRef("network.front"), aliases: ["c2"] },
  ]);
  t.same(nodeOf(graph, "container.c3-1").props.networks, [{ network: nameRef("network.back"), aliases: ["c3"] }]);
  const c4 = nodeOf(graph, "container.c4-1");
  t.equal(c4.props.name, "compose-two-networks-c4-1");
  t.same(c4.props.networkMode, { container: nameRef("container.c2-1") }, "network_mode service:c2 shares c2's namespace");
  t.notOk("networks" in c4.props);
  t.same(c4.dependencies, ["container.c2-1"]);
});

t.test("replicas, external networks, static addresses and network modes", async (t) => {
  const r = await loadComposeStack({ files: ["docker-compose.yml"], cwd: join(FIXTURES, "v3-deploy"), env: {} });
  t.same(r.graph.resources.filter((x) => x.type === "container").map((x) => x.props.name), [
    "v3-deploy-api-1", "v3-deploy-api-2", "v3-deploy-api-3", "v3-deploy-static-1", "v3-deploy-static-2",
  ]);
  for (const n of [1, 2, 3]) {
    const api = nodeOf(r.graph, `container.api-${n}`);
    t.same(api.props.networks, [{ network: nameRef("network.default"), aliases: ["api"] }], "every replica answers to the service name");
    t.same(api.props.resources, { cpus: 0.25, memory: 32 * 1024 * 1024 });
    t.same(api.props.restart, { policy: "on-failure", maxRetries: 2 });
  }
  t.same(nodeOf(r.graph, "container.static-2").props.healthcheck, { test: ["NONE"] });

  const n = await loadComposeStack({ files: ["compose.yaml"], cwd: join(FIXTURES, "networks"), env: {} });
  t.equal(nodeOf(n.graph, "network.front").props.name, "custom-front");
  t.equal(nodeOf(n.graph, "network.front").props.subnet, "10.210.0.0/24");
  t.notOk(n.graph.resources.some((x) => x.address === "network.outside"), "an external network is not created");
  t.same(nodeOf(n.graph, "container.a-1").props.networks, [
    { network: nameRef("network.front"), aliases: ["a"] },
    { network: "shared-net", aliases: ["a"] },
  ]);
  t.same(nodeOf(n.graph, "container.b-1").props.networks, [{ network: nameRef("network.front"), aliases: ["b", "bee"], ipv4Address: "10.210.0.20" }]);
  t.equal(nodeOf(n.graph, "container.c-1").props.networkMode, "host");
  t.same(nodeOf(n.graph, "container.d-1").props.networkMode, { container: nameRef("container.b-1") });
  t.same(nodeOf(n.graph, "container.e-1").props.networkMode, { container: "some-other-container" });
  t.equal(nodeOf(n.graph, "container.f-1").props.networkMode, "bridge");
});

t.test("every key of the all-keys fixture reaches the container spec", async (t) => {
  const dir = join(FIXTURES, "all-keys");
  const { graph, diagnostics } = await loadComposeStack({ files: ["compose.yaml"], cwd: dir, env: { FROM_SHELL: "shell" } });
  t.ok(diagnostics.some((d) => d.code === "INFRA_COMPOSE_UNSUPPORTED" && d.summary.startsWith("services.app.depends_on.db.restart:")), "depends_on restart: true is a warning, not silently dropped");
  const image = nodeOf(graph, "image.app");
  t.match(image.props, { name: "localhost/kitchen-app:1", pull: "never", build: { context: join(dir, "app"), dockerfile: "Dockerfile.app", args: { VERSION: "2.0" }, target: "runtime" } });
  const app = nodeOf(graph, "container.app-1");
  t.same(app.props.image, { $ref: { address: "image.app", attr: "id" } });
  t.same(app.props.waitFor, [
    { container: nameRef("container.db-1"), condition: "healthy" },
    { container: nameRef("container.worker-1"), condition: "started" },
    { container: nameRef("container.worker-2"), condition: "started" },
  ], "depends_on conditions become waitFor, on every replica");
  t.equal(app.options.dependsOn, undefined);
  t.same(app.props.labels, { "com.example.owner": "me", "com.example.tier": "api" }, "no depends_on label workaround");
  t.same(app.props.entrypoint, ["/bin/sh", "-c"]);
  t.same(app.props.ports, [
    { containerPort: 8080, hostPort: 8080, protocol: "tcp" },
    { containerPort: 9000, hostPort: 9000, count: 2, hostIp: "127.0.0.1", protocol: "udp" },
    { containerPort: 7000, hostPort: 7001, hostIp: "0.0.0.0", protocol: "tcp" },
    { containerPort: 3000, protocol: "tcp" },
  ]);
  t.same(app.props.mounts, [
    { type: "bind", source: join(dir, "data"), target: "/data", createHostPath: true },
    { type: "volume", source: nameRef("volume.cache"), target: "/cache", readOnly: true, noCopy: true },
    { type: "volume", target: "/anonymous" },
    { type: "bind", source: join(dir, "conf"), target: "/etc/app", createHostPath: false, readOnly: true },
    { type: "tmpfs", target: "/scratch", tmpfsSize: 64 * 1024 * 1024, tmpfsMode: 0o1777 },
    { type: "bind", source: join(dir, "token.txt"), target: "/run/secrets/token", createHostPath: false, readOnly: true },
    { type: "bind", source: join(dir, "token.txt"), target: "/etc/token", createHostPath: false, readOnly: true },
    { type: "bind", source: join(dir, "app/app.conf"), target: "/appconf", createHostPath: false, readOnly: true },
    { type: "tmpfs", target: "/run" },
    { type: "tmpfs", target: "/tmp", tmpfsSize: 32 * 1024 * 1024, tmpfsMode: 0o1777 },
  ]);
  t.same(app.props.networks, [
    { network: nameRef("network.back"), aliases: ["app"] },
    { network: nameRef("network.front"), aliases: ["app", "api", "app.local"], ipv4Address: "172.28.5.10" },
  ]);
  t.same(app.props.links, [{ container: nameRef("container.db-1"), alias: "database" }]);
  t.match(app.props, {
    workingDir: "/srv", user: "1000:1000", hostname: "app-host", domainname: "example.test", tty: true, stdinOpen: true,
    capAdd: ["NET_ADMIN"], capDrop: ["ALL"], privileged: false, readOnlyRootfs: true, noNewPrivileges: true, init: true,
    stopSignal: "SIGINT", stopTimeout: 90, sysctls: { "net.core.somaxconn": "1024" }, dns: ["8.8.8.8"], dnsSearch: ["example.test"],
    dnsOptions: ["ndots:2"], restart: { policy: "on-failure", maxRetries: 5 },
    healthcheck: { test: ["CMD", "/bin/app", "health"], intervalMs: 30000, timeoutMs: 5000, startPeriodMs: 60000, retries: 3 },
    resources: { memory: 512 * 1024 ** 2, memorySwap: 1024 ** 3, cpus: 1.5, cpuShares: 512, cpusetCpus: "0", pidsLimit: 100, blkioWeight: 300, shmSize: 128 * 1024 ** 2 },
    ulimits: [{ name: "nproc", soft: 65535, hard: 65535 }, { name: "nofile", soft: 20000, hard: 20000 }],
    extraHosts: [{ host: "gateway.test", ip: "10.0.0.1" }, { host: "other", ip: "10.0.0.2" }],
    devices: [{ hostPath: "/dev/fuse", containerPath: "/dev/fuse", permissions: "rwm" }],
    logging: { maxSize: 10 * 1024 * 1024, maxFiles: 3 },
    env: { EMPTY: "", FROM_FILE: "file value", FROM_SHELL: "shell", MODE: "dev", QUOTED: 'a "quoted" value' },
  });
  t.same(nodeOf(graph, "container.db-1").props.volumesFrom, [{ container: nameRef("container.worker-1"), readOnly: true }]);
  t.equal(nodeOf(graph, "container.worker-2").props.networkMode, "none");
  t.match(nodeOf(graph, "network.front").props, { subnet: "172.28.0.0/16", gateway: "172.28.0.1", ipRange: "172.28.5.0/24", labels: { "com.example.net": "front" } });
  t.equal(nodeOf(graph, "network.back").props.internal, true);
});

t.test("a compose file with errors throws one InfraError carrying every problem", async (t) => {
  const dir = t.testdir({ "compose.yaml": "services:\n  a:\n    image: busybox\n    depends_on: [x]\n    links: [y]\n" });
  await t.rejects(loadComposeStack({ files: ["compose.yaml"], cwd: dir, env: {} }), {
    code: "INFRA_COMPOSE_INVALID",
    diagnostics: [{ code: "INFRA_COMPOSE_UNKNOWN_SERVICE" }, { code: "INFRA_COMPOSE_UNKNOWN_SERVICE" }],
  });
});
