/**
 * ContainerNetworking.attach against a recording NetworkManager: the set-up is asked for right
 * behind the namespace when the manager says where it pins it, and every failure leaves nothing.
 */
import t from "tap";
import { ContainerNetworking } from "../../../src/providers/local-runtime/container/container-network.js";
import type { ContainerRecord } from "../../../src/providers/local-runtime/container/container-record.js";
import type { Layout } from "../../../src/providers/local-runtime/layout.js";
import type { ContainerNetworkRequest, ContainerNetworkResult, NetworkManager } from "../../../src/providers/local-runtime/network/network-types.js";
import { ProviderError } from "../../../src/providers/contract.js";

const result: ContainerNetworkResult = { endpoints: [], ports: [], nameservers: ["10.0.0.1"], hostsEntries: [] };
const rec = { id: "c1", name: "web", state: "created", spec: { name: "web", image: "busybox" } } as unknown as ContainerRecord;

/** Calls in the order they were made (not answered); failures chosen per test. */
function fakeManager(opts: { knowsPath: boolean; failNetns?: boolean; failSetUp?: boolean }) {
  const calls: string[] = [];
  const net: Partial<NetworkManager> = {
    createNetns: async (id) => {
      calls.push(`createNetns ${id}`);
      await new Promise((r) => setTimeout(r, 5));
      if (opts.failNetns) throw new ProviderError("Internal", "INFRA_NET_LINK_FAILED", "create network namespace: No space left on device");
      calls.push(`createNetns answered`);
      return `/run/x/netns/${id}`;
    },
    setUpContainer: async (req: ContainerNetworkRequest) => {
      calls.push(`setUpContainer ${req.netnsPath} ${req.endpoints.map((e) => e.network).join(",")}`);
      if (opts.failSetUp) throw new ProviderError("NotFound", "INFRA_NET_LINK_FAILED", "find bridge infra0: No such device");
      return result;
    },
    tearDownContainer: async (id) => void calls.push(`tearDownContainer ${id}`),
    removeNetns: async (id) => void calls.push(`removeNetns ${id}`),
  };
  if (opts.knowsPath) net.netnsPath = (id) => `/run/x/netns/${id}`;
  const cn = new ContainerNetworking({ layout: { run: "/run/x" } as Layout, network: net as NetworkManager, find: () => undefined, list: () => [] });
  return { cn, calls };
}

t.test("with the path known, the set-up is asked for before the namespace is answered for", async (t) => {
  const { cn, calls } = fakeManager({ knowsPath: true });
  t.same(await cn.attach(rec), { netnsPath: "/run/x/netns/c1", network: result });
  t.same(calls, ["createNetns c1", "setUpContainer /run/x/netns/c1 bridge", "createNetns answered"]);
});

t.test("without it, one after the other", async (t) => {
  const { cn, calls } = fakeManager({ knowsPath: false });
  t.same(await cn.attach(rec), { netnsPath: "/run/x/netns/c1", network: result });
  t.same(calls, ["createNetns c1", "createNetns answered", "setUpContainer /run/x/netns/c1 bridge"]);
});

t.test("a namespace that could not be made: its error, and what the set-up made goes again", async (t) => {
  const { cn, calls } = fakeManager({ knowsPath: true, failNetns: true });
  await t.rejects(cn.attach(rec), { message: /No space left on device/ });
  t.same(calls, ["createNetns c1", "setUpContainer /run/x/netns/c1 bridge", "tearDownContainer c1", "removeNetns c1"]);
});

t.test("a failed set-up: its error, and the namespace goes", async (t) => {
  for (const knowsPath of [true, false]) {
    const { cn, calls } = fakeManager({ knowsPath, failSetUp: true });
    await t.rejects(cn.attach(rec), { category: "NotFound", message: /find bridge infra0/ });
    const setUp = knowsPath ? ["setUpContainer /run/x/netns/c1 bridge", "createNetns answered"] : ["createNetns answered", "setUpContainer /run/x/netns/c1 bridge"];
    t.same(calls, ["createNetns c1", ...setUp, "removeNetns c1"], `path known: ${knowsPath}`);
  }
});
