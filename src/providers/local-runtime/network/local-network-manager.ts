/** The local manager's options and what it offers beyond the NetworkManager seam (engine, CLI). */
import type { Diagnostic } from "../../../diag/diagnostic.js";
import type { HostHelper } from "../host/host-helper.js";
import type { ContainerNetState } from "./network-store.js";
import type { Endpoint, NetworkManager } from "./network-types.js";

export interface NetworkManagerOptions {
  /** State root (`/var/lib/infra`): state goes to `<root>/networks/state.json`. */
  root: string;
  /** Runtime root (`/run/infra`): pinned namespaces go to `<run>/netns/<containerId>`. */
  run: string;
  /** Name of infra's nftables table (family inet). Default "infra". */
  tablePrefix?: string;
  /** Start of bridge names (≤ 10 chars). Default "infra": `infra0`, `infra-<id>`. */
  bridgePrefix?: string;
  /** Subnet pool: "CIDR" or "CIDR:N" entries. Default 10.89.0.0/16, 10.90.0.0/16, 172.30.0.0/16 in /24s. */
  pool?: string[];
  /** Create the predefined `bridge` network in init (default true). */
  defaultBridge?: boolean;
  /** DNS upstreams ("ip" or "ip:port"); default: /etc/resolv.conf. */
  dnsUpstreams?: string[];
  /** DNS listen port (53; tests may change it). */
  dnsPort?: number;
  /**
   * The engine's infra-host, shared with the container manager (the engine closes it); null: run
   * `ip` (no helper built or INFRA_HOST_HELPER=off). Default: a helper of its own, if built.
   */
  hostHelper?: HostHelper | null;
}

/** The manager with what the engine and CLI need beyond the seam. */
export interface LocalNetworkManager extends NetworkManager {
  readonly table: string;
  netnsPath(containerId: string): string;
  /** The container's recorded endpoints and ports, if it is set up. */
  containerState(containerId: string): ContainerNetState | undefined;
  /** Containers attached to a network. */
  endpointsOf(nameOrId: string): Array<{ containerId: string; containerName: string; endpoint: Endpoint }>;
  /** Removes user networks without endpoints; returns their names. */
  pruneNetworks(): Promise<string[]>;
  /** Removes everything: containers' links, all networks (the default one too), the table, DNS. */
  uninstall(): Promise<void>;
  /** Other tables' forward drops that still block infra's bridges (infra could not add its accept rules there). */
  hostWarnings(): Promise<Diagnostic[]>;
  /**
   * Releases what containers unknown to the engine still hold (addresses, veths, ports, names,
   * pinned namespaces under `<run>/netns`); returns their ids. The engine calls it at start.
   */
  reconcile(knownContainerIds: Iterable<string>): Promise<string[]>;
}
