/**
 * A new network's record from its spec, pure: driver checks, subnet from the pool or checked
 * against networks and host routes, the bridge name. Plus the small record conversions the
 * manager hands out.
 */
import type { NetworkSpec } from "../../../graph/specs.js";
import { ProviderError } from "../../contract.js";
import { chooseSubnet, planSubnet } from "./ipam.js";
import { bridgeName, newNetworkId } from "./network-naming.js";
import type { StoredNetwork } from "./network-store.js";
import type { Endpoint, NetworkRecord, PublishedPort } from "./network-types.js";
import type { NatPort } from "./nft-ruleset.js";

export interface NetworkPlanContext {
  taken: ReadonlyArray<{ name: string; subnet: string }>;
  /** Host routes and addresses (bridge driver only: a macvlan subnet is the parent's LAN on purpose). */
  hostRanges: readonly string[];
  pool: readonly string[];
  bridgePrefix: string;
  linkExists(name: string): boolean;
}

export function planNetwork(spec: NetworkSpec, ctx: NetworkPlanContext): StoredNetwork {
  const id = newNetworkId();
  const base = {
    id, name: spec.name, internal: spec.internal ?? false, labels: spec.labels ?? {}, options: spec.options ?? {},
    createdAt: new Date().toISOString(),
  };
  const gw = (plan: { subnet: string }) =>
    planSubnet({ subnet: plan.subnet, ...opt("gateway", spec.gateway), ...opt("ipRange", spec.ipRange) }, ctx.taken, ctx.hostRanges);
  if (spec.driver === "bridge") {
    const subnet = spec.subnet ?? chooseSubnet(ctx.pool, ctx.taken.map((t) => t.subnet), ctx.hostRanges);
    const device = spec.options?.["com.docker.network.bridge.name"] ?? bridgeName(ctx.bridgePrefix, id);
    if (ctx.linkExists(device)) {
      throw new ProviderError("Conflict", "INFRA_NET_DEVICE_EXISTS", `interface ${device} already exists on the host`, {
        hint: "pick another com.docker.network.bridge.name, or remove that interface",
      });
    }
    return { ...base, driver: "bridge", ...gw({ subnet }), device };
  }
  if (spec.driver === "macvlan") {
    if (spec.parent === undefined || !ctx.linkExists(spec.parent)) {
      throw new ProviderError(
        spec.parent === undefined ? "Invalid" : "NotFound",
        "INFRA_NET_MACVLAN_PARENT",
        spec.parent === undefined ? "a macvlan network needs a parent interface" : `parent interface "${spec.parent}" does not exist`,
        { hint: "give -o parent=IFACE with an interface of this host (see `ip -br link`)" },
      );
    }
    if (spec.subnet === undefined) {
      throw new ProviderError("Invalid", "INFRA_NET_MACVLAN_SUBNET", "a macvlan network needs --subnet (the parent's LAN)", {
        hint: "give --subnet and --gateway of the network the parent interface is on",
      });
    }
    if (spec.vlan !== undefined && (!Number.isInteger(spec.vlan) || spec.vlan < 1 || spec.vlan > 4094)) {
      throw new ProviderError("Invalid", "INFRA_NET_VLAN", `VLAN id ${spec.vlan} is out of range`, { hint: "VLAN ids are 1-4094" });
    }
    return { ...base, driver: "macvlan", ...gw({ subnet: spec.subnet }), device: spec.parent };
  }
  throw new ProviderError("Invalid", "INFRA_NET_DRIVER", `driver "${String(spec.driver)}" is not supported`, { hint: "use bridge or macvlan" });
}

function opt<K extends string>(key: K, v: string | undefined): Partial<Record<K, string>> {
  return v === undefined ? {} : ({ [key]: v } as Record<K, string>);
}

export function mtuOf(n: NetworkRecord): number | undefined {
  const v = n.options["com.docker.network.driver.mtu"] ?? n.options["mtu"];
  return v === undefined ? undefined : Number(v);
}

export function publicRecord(n: StoredNetwork): NetworkRecord {
  const { vlanDevice: _v, creating: _c, ...rec } = n;
  return structuredClone(rec);
}

export function publicEndpoint(e: Endpoint & { networkId?: string; hasDefaultRoute?: boolean }): Endpoint {
  const { networkId: _n, hasDefaultRoute: _d, ...rest } = e;
  return { ...rest, aliases: [...rest.aliases] };
}

export function toNat(ports: readonly PublishedPort[]): NatPort[] {
  return ports.map((p) => ({ protocol: p.protocol, hostIp: p.hostIp, hostPort: p.hostPort, containerIp: p.containerIp, containerPort: p.containerPort }));
}

/** By name, full id, or an unambiguous id prefix of at least 6 characters. */
export function findNetwork(networks: readonly StoredNetwork[], nameOrId: string): StoredNetwork | undefined {
  const exact = networks.find((n) => n.name === nameOrId || n.id === nameOrId);
  if (exact !== undefined || nameOrId.length < 6) return exact;
  const byPrefix = networks.filter((n) => n.id.startsWith(nameOrId));
  return byPrefix.length === 1 ? byPrefix[0] : undefined;
}

/** A network a container endpoint may attach to, with what the request asks of it. */
export function attachableNetwork(n: StoredNetwork, e: { aliases: string[] }): StoredNetwork {
  if (n.driver === "host" || n.driver === "null") {
    throw new ProviderError("Invalid", "INFRA_NET_NOT_ATTACHABLE", `network "${n.name}" cannot be attached as an endpoint`, {
      hint: "host and none are network modes of a container, not networks to connect to",
    });
  }
  if (n.name === "bridge" && e.aliases.length > 0) {
    throw new ProviderError("Invalid", "INFRA_NET_ALIAS_DEFAULT_BRIDGE", "aliases work only on user-defined networks", {
      hint: "create a network with `infra network create` and attach the container there",
    });
  }
  return n;
}
