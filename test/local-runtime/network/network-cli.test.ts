/** The `network` commands over a recording fake API (flags, output), then once over a real manager. */
import t from "tap";
import { PassThrough } from "node:stream";
import { mkdtempSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CommandIO } from "../../../src/cli/command.js";
import type { NetworkSpec } from "../../../src/graph/specs.js";
import type { NetworkApi } from "../../../src/cli/commands/network-api.js";
import { managerNetworkApi } from "../../../src/cli/commands/network-api.js";
import { makeNetworkCreateCommand } from "../../../src/cli/commands/network-create.js";
import { makeNetworkLsCommand } from "../../../src/cli/commands/network-ls.js";
import { makeNetworkInspectCommand } from "../../../src/cli/commands/network-inspect.js";
import { makeNetworkRmCommand } from "../../../src/cli/commands/network-rm.js";
import { makeNetworkConnectCommand } from "../../../src/cli/commands/network-connect.js";
import { makeNetworkDisconnectCommand } from "../../../src/cli/commands/network-disconnect.js";
import { makeNetworkPruneCommand } from "../../../src/cli/commands/network-prune.js";
import { createNetworkManager } from "../../../src/providers/local-runtime/network/network-manager.js";
import type { NetworkRecord } from "../../../src/providers/local-runtime/network/network-types.js";

function io(): CommandIO & { out: () => string } {
  const stdout = new PassThrough();
  let text = "";
  stdout.on("data", (d: Buffer) => (text += d.toString()));
  return { stdout, stderr: new PassThrough(), stdin: new PassThrough(), env: {}, cwd: "/", color: false, out: () => text };
}

const rec = (name: string, over: Partial<NetworkRecord> = {}): NetworkRecord => ({
  id: "ab".repeat(32), name, driver: "bridge", subnet: "10.89.0.0/24", gateway: "10.89.0.1", internal: false,
  labels: {}, options: {}, device: "infra-abab", createdAt: "2026-01-01T00:00:00Z", ...over,
});

function fake() {
  const calls: unknown[][] = [];
  const api: NetworkApi = {
    list: async () => [rec("zeta"), rec("alpha", { internal: true, id: "cd".repeat(32) })],
    create: async (spec: NetworkSpec) => (calls.push(["create", spec]), rec(spec.name)),
    inspect: async (n) => rec(n),
    remove: async (n) => void calls.push(["remove", n]),
    connect: async (n, c, o) => (calls.push(["connect", n, c, o]), { network: n, ifname: "eth1", ipv4Address: "10.89.0.9", prefixLength: 24, gateway: "10.89.0.1", macAddress: "02:42:0a:59:00:09", aliases: o.aliases }),
    disconnect: async (n, c) => void calls.push(["disconnect", n, c]),
    prune: async () => ["old1", "old2"],
  };
  return { api: async () => api, calls };
}

t.test("create maps Docker's flags to a NetworkSpec", async (t) => {
  const f = fake();
  const o = io();
  t.equal(await makeNetworkCreateCommand(f.api).run(["--subnet", "10.50.0.0/16", "--gateway=10.50.0.254", "--ip-range", "10.50.1.0/24", "--internal", "--label", "team=a", "-o", "com.docker.network.driver.mtu=1400", "mynet"], o), 0);
  t.same(f.calls[0], ["create", { name: "mynet", driver: "bridge", internal: true, labels: { team: "a" }, options: { "com.docker.network.driver.mtu": "1400" }, subnet: "10.50.0.0/16", gateway: "10.50.0.254", ipRange: "10.50.1.0/24" }]);
  t.equal(o.out(), "ab".repeat(32) + "\n");
  await makeNetworkCreateCommand(f.api).run(["-d", "macvlan", "--subnet", "192.168.7.0/24", "-o", "parent=eth0.100", "lan"], io());
  t.match(f.calls[1], ["create", { driver: "macvlan", parent: "eth0", vlan: 100, subnet: "192.168.7.0/24" }]);
  await t.rejects(makeNetworkCreateCommand(f.api).run(["-d", "macvlan", "lan"], io()), { code: "INFRA_CLI_FLAG_VALUE_MISSING" });
  await t.rejects(makeNetworkCreateCommand(f.api).run(["-d", "overlay", "x"], io()), { code: "INFRA_CLI_FLAG_VALUE_INVALID" });
  await t.rejects(makeNetworkCreateCommand(f.api).run([], io()), { code: "INFRA_CLI_ARGUMENT_MISSING" });
  await t.rejects(makeNetworkCreateCommand(f.api).run(["--bogus", "x"], io()), { code: "INFRA_CLI_UNKNOWN_FLAG" });
});

t.test("ls, inspect, rm, connect, disconnect, prune", async (t) => {
  const f = fake();
  let o = io();
  await makeNetworkLsCommand(f.api).run([], o);
  t.equal(o.out(), "NETWORK ID     NAME    DRIVER   SUBNET         INTERNAL\ncdcdcdcdcdcd   alpha   bridge   10.89.0.0/24   yes\nababababab" + "ab   zeta    bridge   10.89.0.0/24\n");
  o = io();
  await makeNetworkLsCommand(f.api).run(["-q"], o);
  t.equal(o.out(), "cdcdcdcdcdcd\nabababababab\n");
  o = io();
  await makeNetworkInspectCommand(f.api).run(["a", "b"], o);
  t.same((JSON.parse(o.out()) as NetworkRecord[]).map((r) => r.name), ["a", "b"]);
  await makeNetworkRmCommand(f.api).run(["a", "b"], io());
  o = io();
  await makeNetworkConnectCommand(f.api).run(["--ip", "10.89.0.9", "--alias", "x", "--alias", "y", "net", "ctr"], o);
  t.equal(o.out(), "eth1 10.89.0.9/24\n");
  await makeNetworkDisconnectCommand(f.api).run(["-f", "net", "ctr"], io());
  t.same(f.calls, [["remove", "a"], ["remove", "b"], ["connect", "net", "ctr", { aliases: ["x", "y"], ipv4Address: "10.89.0.9" }], ["disconnect", "net", "ctr"]]);
  o = io();
  await makeNetworkPruneCommand(f.api).run([], o);
  t.equal(o.out(), "Deleted Networks:\nold1\nold2\n");
});

t.test("over a real manager: create, ls, inspect, prune", { skip: process.getuid?.() !== 0 ? "needs root" : false }, async (t) => {
  const id = randomBytes(3).toString("hex");
  const dir = mkdtempSync(join(tmpdir(), `infra-netcli-${id}-`));
  const mgr = await createNetworkManager({ root: join(dir, "root"), run: join(dir, "run"), tablePrefix: `infra_c${id}`, bridgePrefix: `c${id}`, pool: ["10.231.0.0/16"], defaultBridge: false });
  t.teardown(async () => {
    await mgr.uninstall();
    rmSync(dir, { recursive: true, force: true });
  });
  await mgr.init();
  const api = async () => managerNetworkApi(mgr);
  await makeNetworkCreateCommand(api).run(["--label", "x=1", `c${id}-one`], io());
  const o = io();
  await makeNetworkInspectCommand(api).run([`c${id}-one`], o);
  const [r] = JSON.parse(o.out()) as NetworkRecord[];
  t.equal(r?.labels.x, "1");
  t.match(r?.subnet, /^10\.231\.\d+\.0\/24$/);
  await t.rejects(makeNetworkInspectCommand(api).run(["nope"], io()), { code: "INFRA_NET_NOT_FOUND" });
  const p = io();
  await makeNetworkPruneCommand(api).run([], p);
  t.equal(p.out(), `Deleted Networks:\nc${id}-one\n`);
});
