/**
 * The network state on disk: networks in state.json (rewritten only when they change), the
 * containers' endpoints in containers.json; the older single-file layout still loads.
 */
import t from "tap";
import { readFileSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { NetworkStore, type ContainerNetState, type NetworkState, type StoredNetwork } from "../../../src/providers/local-runtime/network/network-store.js";

const net: StoredNetwork = {
  id: "n1", name: "web", driver: "bridge", subnet: "10.0.0.0/24", gateway: "10.0.0.1", internal: false, labels: {}, options: {}, device: "infra-n1", createdAt: "2026-11-30T00:00:00.000Z",
};
const ctr: ContainerNetState = {
  containerId: "c1", containerName: "a", netnsPath: "/run/infra/netns/c1", ports: [], links: [], portSpecs: [],
  endpoints: [{ network: "web", networkId: "n1", ifname: "eth0", hostIfname: "ve0", ipv4Address: "10.0.0.2", prefixLength: 24, gateway: "10.0.0.1", macAddress: "02:42:0a:00:00:02", aliases: [] }],
};
const read = (f: string) => JSON.parse(readFileSync(f, "utf8")) as Record<string, unknown>;

t.test("networks and containers go to their own files", async (t) => {
  const root = t.testdir();
  const store = new NetworkStore(root);
  t.same(await store.load(), { version: 1, networks: [], containers: [] }, "nothing yet");
  await store.save({ version: 1, networks: [net], containers: [ctr] });
  t.same(read(store.file), { version: 1, networks: [net], containers: [] });
  t.same(read(store.containersFile), { version: 1, containers: [ctr] });
  t.same(await new NetworkStore(root).load(), { version: 1, networks: [net], containers: [ctr] }, "read back together");
});

t.test("state.json is rewritten only when the networks change", async (t) => {
  const root = t.testdir();
  const store = new NetworkStore(root);
  await store.save({ version: 1, networks: [net], containers: [] });
  // A mark the store would wipe if it wrote the file again.
  writeFileSync(store.file, readFileSync(store.file, "utf8") + "\n");
  await store.save({ version: 1, networks: [net], containers: [ctr] });
  t.ok(readFileSync(store.file, "utf8").endsWith("\n\n"), "a container's start leaves state.json alone");
  t.same(read(store.containersFile), { version: 1, containers: [ctr] });
  await store.save({ version: 1, networks: [net, { ...net, id: "n2", name: "db" }], containers: [ctr] });
  t.notOk(readFileSync(store.file, "utf8").endsWith("\n\n"), "a new network is written");
  t.equal((read(store.file)["networks"] as unknown[]).length, 2);
});

t.test("the single-file layout of earlier versions loads, and splits on the next save", async (t) => {
  const root = t.testdir();
  mkdirSync(join(root, "networks"));
  const old: NetworkState = { version: 1, networks: [net], containers: [ctr] };
  writeFileSync(join(root, "networks", "state.json"), JSON.stringify(old));
  const store = new NetworkStore(root);
  t.same(await store.load(), old);
  t.notOk(existsSync(store.containersFile));
  await store.save(old);
  t.same(read(store.file)["containers"], [], "containers moved out of state.json");
  t.same(read(store.containersFile)["containers"], [ctr]);
});

t.test("an unreadable containers file (a host crash while writing) means no containers; a newer one is refused", async (t) => {
  const root = t.testdir();
  const store = new NetworkStore(root);
  await store.save({ version: 1, networks: [net], containers: [ctr] });
  writeFileSync(store.containersFile, "");
  t.same(await new NetworkStore(root).load(), { version: 1, networks: [net], containers: [] });
  writeFileSync(store.containersFile, JSON.stringify({ version: 2, containers: [] }));
  await t.rejects(new NetworkStore(root).load(), { code: "INFRA_NET_STATE_VERSION" });
  writeFileSync(store.file, JSON.stringify({ version: 3, networks: [] }));
  await t.rejects(new NetworkStore(root).load(), { code: "INFRA_NET_STATE_VERSION" });
});
