/**
 * A container set up again (engine restart, a retried start): when nothing changed its
 * recorded set-up is the answer; otherwise it is rebuilt on the addresses it had. Pure.
 */
import type { PortSpec } from "../../../graph/specs.js";
import type { ContainerNetState } from "./network-store.js";
import type { ContainerNetworkRequest, EndpointRequest } from "./network-types.js";

const canonicalPorts = (ports: readonly PortSpec[]) =>
  JSON.stringify(ports.map((p) => [p.protocol, p.containerPort, p.hostPort ?? null, p.count ?? 1, p.hostIp ?? ""]));

/**
 * Whether `prior` already is what `req` asks for: the same namespace, the same networks in the
 * same order (resolved to ids in `networkIds`), no static address or MAC that differs, the same
 * port specs and links. Aliases and the name may differ: they are updated in place.
 */
export function sameSetUp(prior: ContainerNetState, req: ContainerNetworkRequest, networkIds: readonly string[]): boolean {
  if (prior.netnsPath !== req.netnsPath || prior.endpoints.length !== req.endpoints.length) return false;
  const endpointsMatch = req.endpoints.every((e, i) => {
    const ep = prior.endpoints[i];
    return (
      ep !== undefined &&
      ep.networkId === networkIds[i] &&
      (e.ipv4Address === undefined || e.ipv4Address === ep.ipv4Address) &&
      (e.macAddress === undefined || e.macAddress.toLowerCase() === ep.macAddress.toLowerCase())
    );
  });
  return (
    endpointsMatch &&
    prior.portSpecs !== undefined &&
    canonicalPorts(prior.portSpecs) === canonicalPorts(req.ports) &&
    JSON.stringify(prior.links) === JSON.stringify(req.links)
  );
}

/** `reqs` with the address and MAC the container had on the same network, where none is asked for. */
export function keepAddresses(reqs: readonly EndpointRequest[], networkIds: readonly string[], prior: ContainerNetState | undefined): EndpointRequest[] {
  return reqs.map((e, i) => {
    const ep = prior?.endpoints.find((x) => x.networkId === networkIds[i]);
    if (ep === undefined || e.ipv4Address !== undefined) return e;
    return { ...e, ipv4Address: ep.ipv4Address, ...(e.macAddress === undefined ? { macAddress: ep.macAddress } : {}) };
  });
}
