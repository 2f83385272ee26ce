/** Which networks a container is on, and what connecting it to a new list means. Pure. */
import type { ContainerSpec, NetworkAttachmentSpec } from "../../../graph/specs.js";

/** A bridge-mode container without `networks` is on the default `bridge` network (as in Docker). */
export function effectiveNetworks(spec: Pick<ContainerSpec, "networks">): NetworkAttachmentSpec[] {
  return spec.networks !== undefined && spec.networks.length > 0 ? spec.networks : [{ network: "bridge" }];
}

function sameAttachment(a: NetworkAttachmentSpec, b: NetworkAttachmentSpec): boolean {
  const aliases = (x: NetworkAttachmentSpec) => [...new Set(x.aliases ?? [])].sort().join(",");
  return a.network === b.network && aliases(a) === aliases(b) && (a.ipv4Address ?? "") === (b.ipv4Address ?? "") && (a.macAddress ?? "").toLowerCase() === (b.macAddress ?? "").toLowerCase();
}

/**
 * Disconnects (networks gone, or whose aliases/address changed) and connects (new or changed)
 * that turn `before` into `after`. Unchanged attachments are left alone, so their addresses stay.
 */
export function attachmentChanges(before: NetworkAttachmentSpec[], after: NetworkAttachmentSpec[]): { remove: NetworkAttachmentSpec[]; add: NetworkAttachmentSpec[] } {
  const remove = before.filter((b) => !after.some((a) => sameAttachment(a, b)));
  const add = after.filter((a) => !before.some((b) => sameAttachment(a, b)));
  return { remove, add };
}

/** The spec's `networks` after `docker network connect`: the implicit default bridge becomes explicit. */
export function withConnected(spec: Pick<ContainerSpec, "networks">, att: NetworkAttachmentSpec): NetworkAttachmentSpec[] {
  return [...effectiveNetworks(spec).filter((n) => n.network !== att.network), att];
}

/** The spec's `networks` after `docker network disconnect`. */
export function withDisconnected(spec: Pick<ContainerSpec, "networks">, network: string): NetworkAttachmentSpec[] {
  return effectiveNetworks(spec).filter((n) => n.network !== network);
}
