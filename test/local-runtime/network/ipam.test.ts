import t from "tap";
import { allocateAddress, chooseSubnet, macFromIp, normaliseMac, planSubnet } from "../../../src/providers/local-runtime/network/ipam.js";

const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
};

t.test("chooseSubnet skips existing networks and the host's routes", async (t) => {
  t.equal(chooseSubnet(["10.89.0.0/16"], [], []), "10.89.0.0/24");
  t.equal(chooseSubnet(["10.89.0.0/16"], ["10.89.0.0/24", "10.89.1.0/24"], []), "10.89.2.0/24");
  // A host route covering the whole first pool entry moves us to the next entry in one step.
  t.equal(chooseSubnet(["10.89.0.0/16", "10.90.0.0/16"], [], ["10.89.0.0/16", "0.0.0.0/0"]), "10.90.0.0/24");
  // A single host address inside a candidate /24 rules that /24 out.
  t.equal(chooseSubnet(["192.0.2.0/23"], [], ["192.0.2.2/32"]), "192.0.3.0/24");
  t.equal(chooseSubnet(["10.0.0.0/8:16"], ["10.0.0.0/16"], []), "10.1.0.0/16");
  t.equal(code(() => chooseSubnet(["10.89.0.0/23"], ["10.89.0.0/24"], ["10.89.1.0/24"])), "INFRA_NET_POOL_EXHAUSTED");
  t.equal(code(() => chooseSubnet(["10.89.0.0/16:8"], [], [])), "INFRA_NET_INVALID_POOL");
});

t.test("planSubnet validates subnet, gateway and ip-range", async (t) => {
  t.same(planSubnet({ subnet: "10.50.0.0/24" }, [], []), { subnet: "10.50.0.0/24", gateway: "10.50.0.1" });
  t.same(planSubnet({ subnet: "10.50.0.0/16", gateway: "10.50.9.9", ipRange: "10.50.3.0/24" }, [], []), {
    subnet: "10.50.0.0/16",
    gateway: "10.50.9.9",
    ipRange: "10.50.3.0/24",
  });
  t.equal(code(() => planSubnet({ subnet: "10.50.0.0/24", gateway: "10.51.0.1" }, [], [])), "INFRA_NET_GATEWAY_OUTSIDE");
  t.equal(code(() => planSubnet({ subnet: "10.50.0.0/24", gateway: "10.50.0.255" }, [], [])), "INFRA_NET_GATEWAY_OUTSIDE");
  t.equal(code(() => planSubnet({ subnet: "10.50.0.0/24", ipRange: "10.50.1.0/25" }, [], [])), "INFRA_NET_RANGE_OUTSIDE");
  t.equal(code(() => planSubnet({ subnet: "10.50.0.7/24" }, [], [])), "INFRA_NET_INVALID_SUBNET");
  t.equal(code(() => planSubnet({ subnet: "10.50.0.0/33" }, [], [])), "INFRA_NET_INVALID_SUBNET");
  t.equal(code(() => planSubnet({ subnet: "300.1.1.0/24" }, [], [])), "INFRA_NET_INVALID_SUBNET");
  t.equal(code(() => planSubnet({ subnet: "10.50.0.0/16" }, [{ name: "a", subnet: "10.50.3.0/24" }], [])), "INFRA_NET_SUBNET_OVERLAP");
  t.equal(code(() => planSubnet({ subnet: "192.0.2.0/25" }, [], ["192.0.2.0/24", "0.0.0.0/0"])), "INFRA_NET_SUBNET_HOST_OVERLAP");
});

t.test("allocateAddress: first free, static, duplicates, range", async (t) => {
  const net = { name: "n", subnet: "10.50.0.0/24", gateway: "10.50.0.1" };
  t.equal(allocateAddress(net, new Set()), "10.50.0.2");
  t.equal(allocateAddress(net, new Set(["10.50.0.2", "10.50.0.3"])), "10.50.0.4");
  t.equal(allocateAddress(net, new Set(), "10.50.0.77"), "10.50.0.77");
  t.equal(code(() => allocateAddress(net, new Set(["10.50.0.77"]), "10.50.0.77")), "INFRA_NET_IP_IN_USE");
  t.equal(code(() => allocateAddress(net, new Set(), "10.50.0.1")), "INFRA_NET_IP_IN_USE");
  t.equal(code(() => allocateAddress(net, new Set(), "10.50.1.5")), "INFRA_NET_IP_OUTSIDE");
  t.equal(code(() => allocateAddress(net, new Set(), "10.50.0.255")), "INFRA_NET_IP_OUTSIDE");
  t.equal(allocateAddress({ ...net, ipRange: "10.50.0.128/25" }, new Set()), "10.50.0.128");
  const tiny = { name: "t", subnet: "10.50.0.0/30", gateway: "10.50.0.1" };
  t.equal(allocateAddress(tiny, new Set()), "10.50.0.2");
  t.equal(code(() => allocateAddress(tiny, new Set(["10.50.0.2"]))), "INFRA_NET_NO_FREE_IP");
});

t.test("MAC addresses", async (t) => {
  t.equal(macFromIp("10.89.0.5"), "02:42:0a:59:00:05");
  t.equal(normaliseMac("02:AA:bb:cc:dd:ee"), "02:aa:bb:cc:dd:ee");
  t.equal(code(() => normaliseMac("01:00:5e:00:00:01")), "INFRA_NET_INVALID_MAC");
  t.equal(code(() => normaliseMac("02:42:zz:00:00:01")), "INFRA_NET_INVALID_MAC");
});
