/**
 * A container's endpoints: planning them (addresses, MACs, interface names, checks) before
 * anything changes, then creating and removing the links. Used by the manager for setUp,
 * connect, disconnect and tearDown.
 */
import type { PortSpec } from "../../../graph/specs.js";
import { ProviderError } from "../../contract.js";
import type { HostNet } from "./host-net.js";
import { allocateAddress, macFromIp, normaliseMac, prefixLength } from "./ipam.js";
import { vethName } from "./network-naming.js";
import type { ContainerNetState, StoredEndpoint, StoredNetwork } from "./network-store.js";
import type { EndpointRequest, PublishedPort } from "./network-types.js";
import { checkPortConflicts, expandPortSpecs } from "./port-plan.js";
import { resolveHostPorts } from "./port-probe.js";

export interface EndpointPlan {
  net: StoredNetwork;
  endpoint: StoredEndpoint;
  /** Add the container's default route through this endpoint. */
  defaultRoute: boolean;
}

export class EndpointWiring {
  constructor(private readonly host: HostNet) {}

  /** Checks and allocates every requested endpoint; throws before anything is created. */
  plan(
    c: ContainerNetState,
    items: Array<{ req: EndpointRequest; net: StoredNetwork }>,
    containers: readonly ContainerNetState[],
  ): EndpointPlan[] {
    const out: EndpointPlan[] = [];
    const usedNames = new Set(c.endpoints.map((e) => e.ifname));
    let routed = c.endpoints.some((e) => e.hasDefaultRoute === true);
    for (const { req, net } of items) {
      if (c.endpoints.some((e) => e.networkId === net.id) || out.some((p) => p.net.id === net.id)) {
        throw new ProviderError("Conflict", "INFRA_NET_ALREADY_CONNECTED", `container "${c.containerName}" is already connected to network "${net.name}"`, {
          hint: "connect each network once; disconnect first to change the address",
        });
      }
      const onNet = [...containers.filter((x) => x.containerId !== c.containerId), c].flatMap((x) =>
        x.endpoints.filter((e) => e.networkId === net.id),
      );
      const used = new Set([...onNet.map((e) => e.ipv4Address), ...out.filter((p) => p.net.id === net.id).map((p) => p.endpoint.ipv4Address)]);
      const ip = allocateAddress(net, used, req.ipv4Address);
      const mac = req.macAddress !== undefined ? normaliseMac(req.macAddress) : macFromIp(ip);
      if (onNet.some((e) => e.macAddress === mac)) {
        throw new ProviderError("Conflict", "INFRA_NET_MAC_IN_USE", `MAC address ${mac} is already in use on network "${net.name}"`, {
          hint: "pick another --mac-address, or leave it out",
        });
      }
      let i = 0;
      while (usedNames.has(`eth${i}`)) i++;
      const ifname = `eth${i}`;
      usedNames.add(ifname);
      const defaultRoute = !routed && !net.internal;
      if (defaultRoute) routed = true;
      out.push({
        net,
        defaultRoute,
        endpoint: {
          network: net.name,
          networkId: net.id,
          ifname,
          ...(net.driver === "bridge" ? { hostIfname: vethName(c.containerId, net.id) } : {}),
          ipv4Address: ip,
          prefixLength: prefixLength(net.subnet),
          gateway: net.gateway,
          macAddress: mac,
          aliases: [...new Set(req.aliases)],
          hasDefaultRoute: defaultRoute,
        },
      });
    }
    return out;
  }

  /** Expands, checks against published ports and the host's sockets, fills random ports. */
  async planPorts(specs: readonly PortSpec[], containerIp: string, taken: readonly PublishedPort[]): Promise<PublishedPort[]> {
    const wanted = expandPortSpecs(specs, containerIp);
    checkPortConflicts(wanted, taken);
    return resolveHostPorts(wanted, new Set(taken.map((p) => `${p.protocol}/${p.hostPort}`)));
  }

  /** Creates the links of `plans`, adding each to `c.endpoints`; on failure removes this batch's links. */
  async apply(c: ContainerNetState, plans: EndpointPlan[]): Promise<void> {
    const made: StoredEndpoint[] = [];
    try {
      for (const p of plans) {
        const spec = {
          ifname: p.endpoint.ifname,
          macAddress: p.endpoint.macAddress,
          ipv4Address: p.endpoint.ipv4Address,
          prefixLength: p.endpoint.prefixLength,
          ...(p.defaultRoute ? { defaultGateway: p.net.gateway } : {}),
        };
        if (p.net.driver === "bridge") {
          await this.host.addVeth(c.netnsPath, p.net.device, p.endpoint.hostIfname ?? "", spec);
        } else {
          await this.host.addMacvlan(c.netnsPath, p.net.device, p.net.options["macvlan_mode"] ?? "bridge", spec);
        }
        made.push(p.endpoint);
        c.endpoints.push(p.endpoint);
      }
    } catch (e) {
      await this.remove(c, made).catch(() => undefined);
      throw e;
    }
  }

  /** Whether a recorded container's links are all still there (a host reboot or a new namespace loses them). */
  async intact(c: ContainerNetState): Promise<boolean> {
    const inside = await this.host.linksInNetns(c.netnsPath).catch(() => undefined);
    if (inside === undefined) return false;
    return c.endpoints.every((e) => inside.includes(e.ifname) && (e.hostIfname === undefined || this.host.linkExists(e.hostIfname)));
  }

  /** Removes the links of `eps` (a namespace already gone took its links with it); veths finish going meanwhile. */
  async remove(c: ContainerNetState, eps: StoredEndpoint[]): Promise<void> {
    for (const ep of eps) {
      if (ep.hostIfname !== undefined) await this.host.releaseLink(ep.hostIfname);
      else await this.host.deleteInNetns(c.netnsPath, ep.ifname).catch(() => undefined);
      c.endpoints = c.endpoints.filter((e) => e !== ep);
    }
  }
}
