/** A repeated set-up: when the record is the answer, and which addresses a rebuild keeps. */
import t from "tap";
import { keepAddresses, sameSetUp } from "../../../src/providers/local-runtime/network/endpoint-reuse.js";
import type { ContainerNetState, StoredEndpoint } from "../../../src/providers/local-runtime/network/network-store.js";
import type { ContainerNetworkRequest } from "../../../src/providers/local-runtime/network/network-types.js";

const ep = (networkId: string, ip: string, mac: string): StoredEndpoint => ({
  network: networkId, networkId, ifname: "eth0", ipv4Address: ip, prefixLength: 24, gateway: "10.0.0.1", macAddress: mac, aliases: [],
});
const prior: ContainerNetState = {
  containerId: "c", containerName: "web", netnsPath: "/run/infra/netns/c", links: [],
  endpoints: [ep("n1", "10.0.0.5", "02:42:0a:00:00:05"), ep("n2", "10.0.1.9", "02:42:0a:00:01:09")],
  ports: [], portSpecs: [{ containerPort: 80, protocol: "tcp" }],
};
const req: ContainerNetworkRequest = {
  containerId: "c", containerName: "web", netnsPath: "/run/infra/netns/c", links: [],
  endpoints: [{ network: "one", aliases: ["x"] }, { network: "two", aliases: [] }],
  ports: [{ containerPort: 80, protocol: "tcp" }],
};

t.test("sameSetUp", async (t) => {
  t.ok(sameSetUp(prior, req, ["n1", "n2"]), "same networks, ports and namespace; aliases may differ");
  t.ok(sameSetUp(prior, { ...req, endpoints: [{ network: "one", aliases: [], ipv4Address: "10.0.0.5", macAddress: "02:42:0A:00:00:05" }, req.endpoints[1]!] }, ["n1", "n2"]));
  t.notOk(sameSetUp(prior, req, ["n2", "n1"]), "another order");
  t.notOk(sameSetUp(prior, { ...req, endpoints: [req.endpoints[0]!] }, ["n1"]), "a network fewer");
  t.notOk(sameSetUp(prior, { ...req, endpoints: [{ network: "one", aliases: [], ipv4Address: "10.0.0.6" }, req.endpoints[1]!] }, ["n1", "n2"]), "another static address");
  t.notOk(sameSetUp(prior, { ...req, ports: [{ containerPort: 81, protocol: "tcp" }] }, ["n1", "n2"]), "other ports");
  t.notOk(sameSetUp(prior, { ...req, netnsPath: "/elsewhere" }, ["n1", "n2"]), "another namespace");
  t.notOk(sameSetUp(prior, { ...req, links: [{ container: "db", alias: "db" }] }, ["n1", "n2"]), "other links");
  const { portSpecs: _, ...old } = prior;
  t.notOk(sameSetUp(old, req, ["n1", "n2"]), "state without port specs is rebuilt");
});

t.test("keepAddresses", async (t) => {
  const out = keepAddresses(
    [{ network: "two", aliases: [] }, { network: "three", aliases: [] }, { network: "one", aliases: [], ipv4Address: "10.0.0.7" }],
    ["n2", "n3", "n1"],
    prior,
  );
  t.same(out, [
    { network: "two", aliases: [], ipv4Address: "10.0.1.9", macAddress: "02:42:0a:00:01:09" },
    { network: "three", aliases: [] },
    { network: "one", aliases: [], ipv4Address: "10.0.0.7" },
  ]);
  t.same(keepAddresses([{ network: "one", aliases: [] }], ["n1"], undefined), [{ network: "one", aliases: [] }]);
});
