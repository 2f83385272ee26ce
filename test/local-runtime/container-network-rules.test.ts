/** The pure parts of container networking: attachments, network-mode conflicts, engine options, port text, network drift. */
import t from "tap";
import { checkNetworkMode } from "../../src/providers/local-runtime/container/container-network.js";
import { attachmentChanges, effectiveNetworks, withConnected, withDisconnected } from "../../src/providers/local-runtime/container/network-attachments.js";
import { networkOptionsFromEnv, networkingOff } from "../../src/providers/local-runtime/engine/engine-network.js";
import { networkProps } from "../../src/providers/local-runtime/local-runtime-provider.js";
import type { NetworkRecord, PublishedPort } from "../../src/providers/local-runtime/network/network-types.js";
import { portLines, portsColumn } from "../../src/cli/commands/port.js";
import type { ContainerSpec } from "../../src/graph/specs.js";

t.test("a container without networks is on the default bridge", async (t) => {
  t.same(effectiveNetworks({}), [{ network: "bridge" }]);
  t.same(effectiveNetworks({ networks: [] }), [{ network: "bridge" }]);
  t.same(effectiveNetworks({ networks: [{ network: "a" }] }), [{ network: "a" }]);
});

t.test("attachment changes touch only what changed", async (t) => {
  const a = { network: "a", aliases: ["x"] };
  const b = { network: "b" };
  t.same(attachmentChanges([a], [a, b]), { remove: [], add: [b] }, "a new network is connected, the old one left alone");
  t.same(attachmentChanges([a, b], [b]), { remove: [a], add: [] });
  t.same(attachmentChanges([a], [{ network: "a", aliases: ["y"] }]), { remove: [a], add: [{ network: "a", aliases: ["y"] }] }, "new aliases: reconnect");
  t.same(attachmentChanges([{ network: "a", aliases: ["x", "y"] }], [{ network: "a", aliases: ["y", "x", "x"] }]), { remove: [], add: [] }, "alias order and repeats do not matter");
  t.same(attachmentChanges([{ network: "a", macAddress: "02:AA:00:00:00:01" }], [{ network: "a", macAddress: "02:aa:00:00:00:01" }]), { remove: [], add: [] }, "MAC case does not matter");
  t.same(attachmentChanges([{ network: "a" }], [{ network: "a", ipv4Address: "10.1.0.9" }]).remove, [{ network: "a" }], "a new static address: reconnect");
});

t.test("connect and disconnect as spec edits", async (t) => {
  t.same(withConnected({}, { network: "n1", aliases: ["w"] }), [{ network: "bridge" }, { network: "n1", aliases: ["w"] }], "the implicit default bridge stays");
  t.same(withConnected({ networks: [{ network: "n1" }] }, { network: "n1", aliases: ["z"] }), [{ network: "n1", aliases: ["z"] }]);
  t.same(withDisconnected({ networks: [{ network: "bridge" }, { network: "n1" }] }, "n1"), [{ network: "bridge" }]);
});

t.test("network modes refuse Docker's conflicting options", async (t) => {
  const base: ContainerSpec = { name: "j", image: "busybox" };
  const joiner = { ...base, networkMode: { container: "donor" } } as ContainerSpec;
  t.doesNotThrow(() => checkNetworkMode({ ...joiner, hostname: "j" }), "a hostname (the DSL always sets one) is not refused");
  t.throws(() => checkNetworkMode({ ...joiner, ports: [{ containerPort: 80, protocol: "tcp" }] }), { code: "INFRA_RUNTIME_NETWORK_MODE_CONFLICT" });
  t.throws(() => checkNetworkMode({ ...joiner, networks: [{ network: "a" }] }), { code: "INFRA_RUNTIME_NETWORK_MODE_CONFLICT" });
  t.throws(() => checkNetworkMode({ ...joiner, links: [{ container: "x", alias: "y" }] }), { code: "INFRA_RUNTIME_NETWORK_MODE_CONFLICT" });
  t.throws(() => checkNetworkMode({ ...joiner, dns: ["1.1.1.1"] }), { code: "INFRA_RUNTIME_NETWORK_MODE_CONFLICT" });
  t.throws(() => checkNetworkMode({ ...base, name: "donor", networkMode: { container: "donor" } }), /joining itself/);
  t.throws(() => checkNetworkMode({ ...base, networkMode: "none", ports: [{ containerPort: 80, protocol: "tcp" }] }), { code: "INFRA_RUNTIME_NETWORK_MODE_CONFLICT" });
  t.throws(() => checkNetworkMode({ ...base, networkMode: "host", networks: [{ network: "a" }] }), { code: "INFRA_RUNTIME_NETWORK_MODE_CONFLICT" });
  t.throws(() => checkNetworkMode({ ...base, networkMode: "bogus" as unknown as "host" }), { code: "INFRA_RUNTIME_BAD_NETWORK_MODE" });
  t.doesNotThrow(() => checkNetworkMode({ ...base, ports: [{ containerPort: 80, protocol: "tcp" }], networks: [{ network: "a" }] }));
});

t.test("engine network options from the environment", async (t) => {
  t.same(networkOptionsFromEnv({}), {}, "defaults: infra0 and inet infra");
  t.same(networkOptionsFromEnv({ INFRA_NET_PREFIX: "t1", INFRA_NET_POOL: "10.9.0.0/16, 10.8.0.0/16:26" }), {
    bridgePrefix: "t1", tablePrefix: "infra_t1", pool: ["10.9.0.0/16", "10.8.0.0/16:26"],
  });
  t.same(networkOptionsFromEnv({ INFRA_NET_PREFIX: "t1", INFRA_NET_TABLE: "mine" }).tablePrefix, "mine");
  t.equal(networkingOff(undefined, { INFRA_ENGINE_NETWORK: "off" }), true);
  t.equal(networkingOff(false, {}), true);
  t.equal(networkingOff(undefined, {}), false);
});

t.test("port lines and the ps column", async (t) => {
  const p = (containerPort: number, hostPort: number, protocol: "tcp" | "udp" = "tcp", hostIp = "0.0.0.0"): PublishedPort => ({ protocol, hostIp, hostPort, containerPort, containerIp: "10.0.0.2" });
  const ports = [p(443, 8443), p(80, 8080), p(53, 32768, "udp", "127.0.0.1")];
  t.same(portLines(ports), ["53/udp -> 127.0.0.1:32768", "80/tcp -> 0.0.0.0:8080", "443/tcp -> 0.0.0.0:8443"]);
  t.same(portLines(ports, { port: 80, protocol: "tcp" }), ["80/tcp -> 0.0.0.0:8080"]);
  t.same(portLines(ports, { port: 80, protocol: "udp" }), []);
  t.equal(portsColumn(ports), "0.0.0.0:8080->80/tcp, 0.0.0.0:8443->443/tcp, 127.0.0.1:32768->53/udp");
  t.equal(portsColumn([p(20000, 10000), p(20001, 10001), p(20002, 10002), p(20004, 10004)]), "0.0.0.0:10000-10002->20000-20002/tcp, 0.0.0.0:10004->20004/tcp", "ranges fold");
  t.equal(portsColumn([]), "");
});

t.test("network drift: what the stack set is compared, what the engine chose is not", async (t) => {
  const rec: NetworkRecord = {
    id: "f".repeat(64), name: "s_front", driver: "bridge", subnet: "10.89.3.0/24", gateway: "10.89.3.1", internal: false,
    labels: { "infra.stack": "s", "infra.address": "network.front", tier: "a" }, options: {}, device: "infra-fff", createdAt: "",
  };
  t.same(networkProps(rec, { name: "s_front", driver: "bridge", labels: { tier: "a" } }), { name: "s_front", driver: "bridge", labels: { tier: "a" } }, "pool subnet and gateway are not a change");
  t.same(networkProps(rec, { name: "s_front", driver: "bridge", subnet: "10.89.9.0/24" }).subnet, "10.89.3.0/24", "a subnet the stack set is reported live");
  t.same(networkProps({ ...rec, internal: true }, { name: "s_front", driver: "bridge" }).internal, true, "made internal outside infra shows");
  t.same(networkProps({ ...rec, labels: { tier: "b" } }, { name: "s_front", driver: "bridge", labels: { tier: "a" } }).labels, { tier: "b" }, "labels changed outside infra show");
});
