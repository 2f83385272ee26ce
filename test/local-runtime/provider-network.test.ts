/**
 * The provider conformance suite for the network resource, on an engine with real networking:
 * its own bridge prefix, nftables table and address pool; everything it makes is removed at the
 * end. Root only.
 */
import t from "tap";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEngine, type RunningEngine } from "../../src/providers/local-runtime/engine/engine-server.js";
import { createLocalRuntimeProvider } from "../../src/providers/local-runtime/local-runtime-provider.js";
import type { LocalNetworkManager } from "../../src/providers/local-runtime/network/network-manager.js";
import { removeCgroupParent } from "../../src/providers/local-runtime/container/cgroups.js";
import { runCommand } from "../../src/providers/local-runtime/host/run-command.js";
import { providerConformance } from "../providers/conformance.js";

if (process.getuid?.() !== 0) {
  t.plan(0, "needs root");
  process.exit(0);
}

const prefix = `pn${randomBytes(3).toString("hex")}`;
const table = `infra_${prefix}`;
const dir = await mkdtemp(join(tmpdir(), "infra-provnet-"));
const pool = [`10.217.${(randomBytes(1)[0]! % 16) * 16}.0/20`];
const engine: RunningEngine = await startEngine({ root: join(dir, "root"), run: join(dir, "run"), networkOptions: { bridgePrefix: prefix, tablePrefix: table, pool } });
let n = 0;

t.teardown(async () => {
  const nm = engine.ctx.network as LocalNetworkManager | undefined;
  await engine.close();
  // The default bridge and the table live as long as the engine's networking: this test made them.
  await nm?.uninstall().catch(() => undefined);
  await removeCgroupParent(engine.layout.cgroupParent, await readFile("/proc/self/cgroup", "utf8")).catch(() => undefined);
  const links = JSON.parse((await runCommand("ip", ["-j", "link", "show"])).stdout || "[]") as Array<{ ifname: string }>;
  for (const l of links) if (l.ifname.startsWith(prefix)) await runCommand("ip", ["link", "del", l.ifname]);
  await runCommand("nft", ["delete", "table", "inet", table]);
  await rm(dir, { recursive: true, force: true });
});

await providerConformance(t, "local-runtime", async () => ({ provider: await createLocalRuntimeProvider({ root: engine.layout.root, run: engine.layout.run }), cleanup: async () => undefined }), {
  types: ["network"],
  sampleProps() {
    n++;
    return { name: `${prefix}-n${n}`, driver: "bridge", labels: { test: "conformance" } };
  },
});

t.test("nothing of the suite's networks is left on the host", async (t) => {
  const links = JSON.parse((await runCommand("ip", ["-j", "link", "show", "type", "bridge"])).stdout || "[]") as Array<{ ifname: string }>;
  const ours = links.map((l) => l.ifname).filter((x) => x.startsWith(prefix) && x !== `${prefix}0`);
  t.same(ours, [], "every bridge the suite's networks made is gone (only the default bridge remains until teardown)");
});

t.test("a network that a created or stopped container names is not deleted: Conflict naming the container; discover links them", async (t) => {
  const { EngineClient } = await import("../../src/providers/local-runtime/engine/engine-client.js");
  const p = await createLocalRuntimeProvider({ root: engine.layout.root, run: engine.layout.run });
  const client = new EngineClient(engine.layout.engineSocket);
  const stack = `s-${prefix}`;
  n++;
  const net = await p.create({ type: "network", address: "network.n", props: { name: `${prefix}-iu${n}`, driver: "bridge" }, owner: { stack, address: "network.n" } });
  // What an apply killed between the container's create and its start leaves: a created container on the network.
  const name = `${prefix}-c${n}`;
  const rec = await client.call<{ id: string }>("POST", "/containers", {
    name, image: "busybox", command: ["sleep", "300"], networks: [{ network: net.id }], labels: { "infra.stack": stack, "infra.address": "container.c" },
  });
  t.teardown(() => client.call("DELETE", `/containers/${rec.id}?force=1`).catch(() => undefined));
  const del = () => p.delete({ type: "network", address: "network.n", id: net.id, props: {}, outputs: {} }).then(() => undefined, (e: unknown) => e as { category?: string; code?: string; message?: string });
  const created = await del();
  t.equal(created?.category, "Conflict", "refused while a created container names it");
  t.equal(created?.code, "INFRA_NET_IN_USE");
  t.match(created?.message, `${name} (created)`, "the message names the container and its state");
  t.ok(await client.call("GET", `/networks/${encodeURIComponent(net.id)}`), "the network is still there");

  const found = await p.discover({ stack });
  t.same(found.map((o) => [o.type, o.address, o.dependencies]).sort(), [["container", "container.c", ["network.n"]], ["network", "network.n", []]], "discover: both, the container using the network");

  await client.call("POST", `/containers/${rec.id}/start`);
  await client.call("POST", `/containers/${rec.id}/stop?t=1`);
  t.match(await del(), { category: "Conflict", code: "INFRA_NET_IN_USE" }, "and while a stopped one does");
  await client.call("DELETE", `/containers/${rec.id}?force=1`);
  t.equal(await del(), undefined, "deleted once no container names it");
  t.same(await p.discover({ stack }), [], "nothing of the stack is left");
});
