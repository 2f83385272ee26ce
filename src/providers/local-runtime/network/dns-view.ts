/**
 * Who sees which names, pure. In Docker a container resolves the names of every container it
 * shares any network with, and only those. The views are computed when endpoints change, so a
 * query costs two map lookups: its source address names the asking container, the listener it
 * reached names the preferred network.
 */
import { type NetworkZone, ZoneIndex } from "./dns-zone.js";

export interface DnsNetwork {
  id: string;
  zone: NetworkZone;
}

/** A container that may ask: its addresses on every network (DNS-enabled or not). */
export interface DnsAsker {
  containerId: string;
  endpoints: ReadonlyArray<{ networkId: string; ip: string }>;
}

export interface AskerViews {
  /** By the network the query arrived on: the union of the asker's zones, that network first. */
  byArrival: ReadonlyMap<string, ZoneIndex>;
  /** For a listener of a network the asker is not on: its view from this address's network. */
  fallback: ZoneIndex;
}

export interface DnsViews {
  /** Every DNS network's zone: names known here but outside a view are NXDOMAIN, not forwarded. */
  all: ZoneIndex;
  /** Each network alone: the answer to a source the engine does not know. */
  byNetwork: ReadonlyMap<string, ZoneIndex>;
  /** A container's address → its views. */
  bySource: ReadonlyMap<string, AskerViews>;
}

const EMPTY = new ZoneIndex([]);

export const NO_VIEWS: DnsViews = { all: EMPTY, byNetwork: new Map(), bySource: new Map() };

/**
 * The views of every asker. Views are shared between containers on the same networks, so the
 * memory grows with the combinations of networks in use, not with the containers.
 */
export function buildDnsViews(networks: readonly DnsNetwork[], askers: readonly DnsAsker[]): DnsViews {
  const zones = new Map(networks.map((n) => [n.id, n.zone]));
  const byNetwork = new Map(networks.map((n) => [n.id, new ZoneIndex(n.zone)]));
  const shared = new Map<string, ZoneIndex>();
  const unionOf = (preferred: string, nets: readonly string[]): ZoneIndex => {
    if (nets.length === 1) return byNetwork.get(preferred) ?? EMPTY;
    const order = [preferred, ...nets.filter((id) => id !== preferred)];
    const key = order.join(",");
    let view = shared.get(key);
    if (view === undefined) {
      view = new ZoneIndex(order.map((id) => zones.get(id)).filter((z): z is NetworkZone => z !== undefined));
      shared.set(key, view);
    }
    return view;
  };
  const bySource = new Map<string, AskerViews>();
  for (const a of askers) {
    const nets = [...new Set(a.endpoints.map((e) => e.networkId))].filter((id) => zones.has(id));
    const byArrival = new Map(nets.map((id) => [id, unionOf(id, nets)]));
    const first = nets[0] === undefined ? EMPTY : (byArrival.get(nets[0]) ?? EMPTY);
    // A container on no DNS network is still known: it sees nothing rather than a listener's zone.
    for (const e of a.endpoints) bySource.set(e.ip, { byArrival, fallback: byArrival.get(e.networkId) ?? first });
  }
  return { all: new ZoneIndex(networks.map((n) => n.zone)), byNetwork, bySource };
}

/** The names a query from `sourceIp` that reached the listener of `arrivalNetworkId` may see. */
export function viewFor(views: DnsViews, arrivalNetworkId: string, sourceIp: string): ZoneIndex {
  const asker = views.bySource.get(sourceIp);
  if (asker === undefined) return views.byNetwork.get(arrivalNetworkId) ?? EMPTY;
  return asker.byArrival.get(arrivalNetworkId) ?? asker.fallback;
}
