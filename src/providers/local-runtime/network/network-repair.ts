/**
 * What a kill -9 of the engine can leave on the network side, found at start and repaired:
 * creates that never finished (a record still marked `creating`: undone), bridges named with this
 * engine's prefix that no record owns (removed), and veths on its bridges, or named for its
 * containers, that no endpoint owns (removed; their peers inside namespaces go with them).
 * The nftables table needs nothing here: init renders it whole from the records, in one
 * transaction. Addresses, ports and DNS names are the records' (reconcile drops unknown containers).
 */
import { logRepair } from "../host/repair-log.js";
import type { HostNet } from "./host-net.js";
import { isOwnBridgeName, vethName } from "./network-naming.js";
import type { NetworkState } from "./network-store.js";

/** Drops the records of interrupted creates and their devices; true when there were any. */
export async function undoInterruptedCreates(state: NetworkState, host: HostNet): Promise<boolean> {
  const half = state.networks.filter((n) => n.creating === true);
  for (const n of half) {
    if (n.driver === "bridge") await host.deleteLink(n.device);
    if (n.vlanDevice !== undefined) await host.deleteLink(n.vlanDevice);
    logRepair("network", `undid the create of network "${n.name}" that a kill interrupted (record and device ${n.device || "-"} removed)`);
  }
  state.networks = state.networks.filter((n) => n.creating !== true);
  return half.length > 0;
}

/** Bridges of this prefix without a record: made by a create whose record was lost, or by an older engine. */
export async function removeStrayBridges(state: NetworkState, host: HostNet, prefix: string): Promise<void> {
  const owned = new Set(state.networks.filter((n) => n.driver === "bridge").map((n) => n.device));
  for (const l of await host.listLinks("bridge")) {
    if (!isOwnBridgeName(prefix, l.name) || owned.has(l.name)) continue;
    await host.deleteLink(l.name);
    logRepair("network", `removed bridge ${l.name}: no network record owns it`);
  }
}

/** Says which recorded bridges are missing (init then makes them again). */
export function noteMissingBridges(state: NetworkState, host: HostNet): void {
  for (const n of state.networks)
    if (n.driver === "bridge" && !host.linkExists(n.device)) logRepair("network", `bridge ${n.device} of network "${n.name}" was missing: made again`);
}

/**
 * Veths no endpoint records: on one of the engine's bridges, or named for a container the engine
 * has heard of (a veth a release had taken off its bridge). Returns their names.
 */
export async function removeStrayVeths(state: NetworkState, host: HostNet, containerIds: Iterable<string>): Promise<string[]> {
  const recorded = new Set(state.containers.flatMap((c) => c.endpoints.map((e) => e.hostIfname)));
  const bridges = state.networks.filter((n) => n.driver === "bridge");
  const devices = new Set(bridges.map((n) => n.device));
  const named = new Set<string>();
  for (const id of containerIds) for (const n of bridges) named.add(vethName(id, n.id));
  const removed: string[] = [];
  for (const l of await host.listLinks("veth")) {
    if (recorded.has(l.name)) continue;
    if (!(l.master !== undefined && devices.has(l.master)) && !named.has(l.name)) continue;
    await host.deleteLink(l.name);
    removed.push(l.name);
    logRepair("network", `removed veth ${l.name}${l.master !== undefined ? ` on ${l.master}` : ""}: no endpoint records it`);
  }
  return removed;
}
