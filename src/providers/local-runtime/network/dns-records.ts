/** What a container learns about names: DNS zones per network, /etc/hosts lines for links, its nameservers. */
import { readFileSync } from "node:fs";
import { ProviderError } from "../../contract.js";
import { parseResolvConf } from "./dns-server.js";
import type { NetworkZone } from "./dns-zone.js";
import { type DnsViews, buildDnsViews } from "./dns-view.js";
import type { ContainerNetState, NetworkState, StoredNetwork } from "./network-store.js";

/** A network's zone: each attached container by name, aliases and short id. Pure. */
export function zoneOf(state: NetworkState, n: StoredNetwork): NetworkZone {
  return {
    subnet: n.subnet,
    entries: state.containers.flatMap((c) =>
      c.endpoints
        .filter((e) => e.networkId === n.id)
        .map((e) => ({ ip: e.ipv4Address, names: [c.containerName, ...e.aliases, c.containerId.slice(0, 12)] })),
    ),
  };
}

/** Every asker's view over the DNS networks (user bridges), from the recorded state. Pure. */
export function dnsViewsOf(state: NetworkState, dnsNetworks: readonly StoredNetwork[]): DnsViews {
  return buildDnsViews(
    dnsNetworks.map((n) => ({ id: n.id, zone: zoneOf(state, n) })),
    state.containers.map((c) => ({ containerId: c.containerId, endpoints: c.endpoints.map((e) => ({ networkId: e.networkId, ip: e.ipv4Address })) })),
  );
}

/** `--link name:alias`: an /etc/hosts line for the linked container. Pure. */
export function linkHostsEntry(
  containers: readonly ContainerNetState[],
  l: { container: string; alias: string },
): { ip: string; names: string[] } {
  const target = containers.find((c) => c.containerName === l.container || c.containerId === l.container);
  const ep = target?.endpoints[0];
  if (target === undefined || ep === undefined) {
    throw new ProviderError("NotFound", "INFRA_NET_LINK_NOT_FOUND", `linked container "${l.container}" is not running on a network`, {
      hint: "start the linked container first",
    });
  }
  return { ip: ep.ipv4Address, names: [...new Set([l.alias, target.containerName, target.containerId.slice(0, 12)])] };
}

/**
 * The embedded DNS (gateway of the first user network) when the container is on one: that
 * listener answers for all of the container's networks. Else, as
 * Docker does on the default bridge, the host's resolvers with loopback ones left out.
 */
export function nameserversFor(c: ContainerNetState, dnsNetworks: readonly StoredNetwork[], resolvConf = "/etc/resolv.conf"): string[] {
  const dnsNet = dnsNetworks.find((n) => c.endpoints.some((e) => e.networkId === n.id));
  if (dnsNet !== undefined) return [dnsNet.gateway];
  const host = parseResolvConf(readSmallFile(resolvConf)).filter((s) => !s.startsWith("127.") && s !== "::1");
  return host.length > 0 ? host : ["8.8.8.8", "8.8.4.4"];
}

/** A small file in /etc, read synchronously: less than a wait for the busy engine's thread pool. "" when unreadable. */
function readSmallFile(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}
