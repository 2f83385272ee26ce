/**
 * The engine's networking: which NetworkManager it runs with (off, or the local one with names
 * and pool from the environment), and what happens when it cannot start. Tests give every
 * engine its own prefix so that none of them touches the host's `infra0` or `inet infra`.
 */
import type { Layout } from "../layout.js";
import { createNetworkManager, type LocalNetworkManager, type NetworkManagerOptions } from "../network/network-manager.js";
import type { NetworkManager } from "../network/network-types.js";

export type EngineNetworkOptions = Partial<Omit<NetworkManagerOptions, "root" | "run">>;

/**
 * `INFRA_NET_PREFIX=p` names the default bridge `p0`, other bridges `p-…` and the nftables table
 * `inet infra_p`; `INFRA_NET_TABLE` overrides the table; `INFRA_NET_POOL` is a comma-separated
 * subnet pool ("CIDR" or "CIDR:N"). Pure.
 */
export function networkOptionsFromEnv(env: NodeJS.ProcessEnv): EngineNetworkOptions {
  const out: EngineNetworkOptions = {};
  const prefix = env.INFRA_NET_PREFIX?.trim();
  if (prefix) {
    out.bridgePrefix = prefix;
    out.tablePrefix = `infra_${prefix}`;
  }
  const table = env.INFRA_NET_TABLE?.trim();
  if (table) out.tablePrefix = table;
  const pool = env.INFRA_NET_POOL?.split(",").map((s) => s.trim()).filter(Boolean);
  if (pool?.length) out.pool = pool;
  return out;
}

/** Networking off: `INFRA_ENGINE_NETWORK=off` or an explicit `network: false`. */
export function networkingOff(option: NetworkManager | false | undefined, env: NodeJS.ProcessEnv): boolean {
  return option === false || env.INFRA_ENGINE_NETWORK === "off";
}

export interface EngineNetwork {
  network?: NetworkManager;
  /** Why networking is missing although it is on: bridge containers fail with this reason. */
  error?: string;
}

/** Starts the local NetworkManager (restoring bridges, rules and DNS); a failure is kept, not thrown. */
export async function openEngineNetwork(layout: Layout, opts: EngineNetworkOptions): Promise<EngineNetwork> {
  let nm: LocalNetworkManager | undefined;
  try {
    nm = await createNetworkManager({ root: layout.root, run: layout.run, ...opts });
    await nm.init();
    return { network: nm };
  } catch (e) {
    await nm?.close().catch(() => undefined);
    return { error: (e as Error).message };
  }
}

/** The manager's reconcile, when it has one (the seam does not require it). */
export function reconcileOf(n: NetworkManager): ((ids: Iterable<string>) => Promise<string[]>) | undefined {
  const f = (n as Partial<LocalNetworkManager>).reconcile;
  return typeof f === "function" ? f.bind(n) : undefined;
}
