/**
 * What `discover` reports for the local engine: the containers, networks and volumes whose owner
 * labels name the stack, with the addresses of the objects each container uses. Pure: the
 * provider hands it the engine's lists. Images carry no owner labels (a label would change the
 * image's id); an interrupted build is redone from the build cache and never blocks an apply.
 */
import type { DiscoveredObject } from "../contract.js";
import type { ContainerRecord } from "./container/container-record.js";
import type { NetworkRecord } from "./network/network-types.js";
import type { VolumeRecord } from "./volume/volume-store.js";

export const STACK_LABEL = "infra.stack";
export const ADDRESS_LABEL = "infra.address";

interface Owned {
  address: string;
}

function owner(labels: Record<string, string> | undefined, stack: string): Owned | undefined {
  const address = labels?.[ADDRESS_LABEL];
  return labels?.[STACK_LABEL] === stack && typeof address === "string" && address !== "" ? { address } : undefined;
}

export function discoverOwned(stack: string, lists: { containers: ContainerRecord[]; networks: NetworkRecord[]; volumes: VolumeRecord[] }): DiscoveredObject[] {
  const out: DiscoveredObject[] = [];
  const byName = new Map<string, string>();
  const networks = lists.networks.flatMap((n) => {
    const o = owner(n.labels, stack);
    if (o === undefined) return [];
    byName.set(`network:${n.name}`, o.address);
    byName.set(`network:${n.id}`, o.address);
    return [{ type: "network" as const, address: o.address, id: n.name, dependencies: [] }];
  });
  const volumes = lists.volumes.flatMap((v) => {
    const o = owner(v.labels, stack);
    if (o === undefined) return [];
    byName.set(`volume:${v.name}`, o.address);
    return [{ type: "volume" as const, address: o.address, id: v.name, dependencies: [] }];
  });
  const containers = lists.containers.flatMap((c) => {
    const o = owner(c.spec.labels, stack);
    if (o === undefined) return [];
    byName.set(`container:${c.name}`, o.address);
    byName.set(`container:${c.id}`, o.address);
    return [{ rec: c, address: o.address }];
  });
  for (const { rec, address } of containers) {
    const used = [
      ...(rec.spec.networks ?? []).map((n) => `network:${n.network}`),
      ...rec.mounts.filter((m) => m.type === "volume" && m.source !== undefined).map((m) => `volume:${m.source!}`),
      ...(typeof rec.spec.networkMode === "object" ? [`container:${rec.spec.networkMode.container}`] : []),
      ...(rec.spec.volumesFrom ?? []).map((v) => `container:${v.container}`),
    ];
    const dependencies = [...new Set(used.flatMap((k) => byName.get(k) ?? []))].filter((a) => a !== address).sort();
    out.push({ type: "container", address, id: rec.id, dependencies });
  }
  return [...networks, ...volumes, ...out];
}
