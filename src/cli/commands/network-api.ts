/**
 * What the `network` commands need from the engine, and two ways to get it: over the engine's
 * HTTP API (the CLI's normal path) or straight from a NetworkManager (tests, embedded use).
 */
import type { NetworkSpec } from "../../graph/specs.js";
import { ProviderError } from "../../providers/contract.js";
import { ensureEngine } from "../../providers/local-runtime/engine/ensure-engine.js";
import type { EngineClient } from "../../providers/local-runtime/engine/engine-client.js";
import type { LocalNetworkManager } from "../../providers/local-runtime/network/network-manager.js";
import type { Endpoint, NetworkRecord } from "../../providers/local-runtime/network/network-types.js";

export interface NetworkApi {
  list(): Promise<NetworkRecord[]>;
  create(spec: NetworkSpec): Promise<NetworkRecord>;
  inspect(nameOrId: string): Promise<NetworkRecord>;
  remove(nameOrId: string): Promise<void>;
  connect(network: string, container: string, opts: { aliases: string[]; ipv4Address?: string }): Promise<Endpoint>;
  disconnect(network: string, container: string): Promise<void>;
  prune(): Promise<string[]>;
}

const enc = encodeURIComponent;

/**
 * Over the engine socket. GET/POST /networks, GET/DELETE /networks/:id exist in the engine;
 * POST /networks/:id/connect {container, aliases, ipv4Address}, POST /networks/:id/disconnect
 * {container} and POST /networks/prune → {removed} are the routes these commands expect.
 */
export function engineNetworkApi(client: EngineClient): NetworkApi {
  return {
    list: () => client.call("GET", "/networks"),
    create: (spec) => client.call("POST", "/networks", spec),
    inspect: (n) => client.call("GET", `/networks/${enc(n)}`),
    remove: async (n) => void (await client.call("DELETE", `/networks/${enc(n)}`)),
    connect: (n, container, o) => client.call("POST", `/networks/${enc(n)}/connect`, { container, ...o }),
    disconnect: async (n, container) => void (await client.call("POST", `/networks/${enc(n)}/disconnect`, { container })),
    prune: async () => (await client.call<{ removed: string[] }>("POST", "/networks/prune")).removed,
  };
}

/** Straight on a manager; `container` must be a container id the manager knows. */
export function managerNetworkApi(m: LocalNetworkManager): NetworkApi {
  return {
    list: () => m.listNetworks(),
    create: (spec) => m.createNetwork(spec),
    inspect: async (n) => {
      const rec = await m.inspectNetwork(n);
      if (rec === undefined) throw notFound(n);
      return rec;
    },
    remove: (n) => m.removeNetwork(n),
    connect: (n, container, o) => m.connect(container, { network: n, aliases: o.aliases, ...(o.ipv4Address ? { ipv4Address: o.ipv4Address } : {}) }),
    disconnect: (n, container) => m.disconnect(container, n),
    prune: () => m.pruneNetworks(),
  };
}

function notFound(n: string): ProviderError {
  return new ProviderError("NotFound", "INFRA_NET_NOT_FOUND", `network "${n}" does not exist`, { hint: "list networks with `infra network ls`" });
}

/** How commands get their API: the engine unless a test hands one in. */
export type NetworkApiFactory = (env: NodeJS.ProcessEnv) => Promise<NetworkApi>;

export const defaultNetworkApi: NetworkApiFactory = async () => engineNetworkApi(await ensureEngine());
