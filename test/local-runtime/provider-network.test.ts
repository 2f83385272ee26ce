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
