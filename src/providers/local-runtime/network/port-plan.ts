/** Published ports, pure: expanding specs (ranges) into one entry per port, and conflict checks. */
import type { PortSpec } from "../../../graph/specs.js";
import { ProviderError } from "../../contract.js";
import { isIpv4 } from "./ipv4.js";
import { isAnyHostIp } from "./nft-ruleset.js";
import type { PublishedPort } from "./network-types.js";

function checkPort(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    throw new ProviderError("Invalid", "INFRA_NET_PORT_RANGE", `${what} ${n} is out of range`, { hint: "ports are 1-65535" });
  }
}

/** One entry per port; hostPort 0 where a random port is to be chosen. */
export function expandPortSpecs(specs: readonly PortSpec[], containerIp: string): PublishedPort[] {
  const out: PublishedPort[] = [];
  for (const s of specs) {
    const count = s.count ?? 1;
    if (!Number.isInteger(count) || count < 1) {
      throw new ProviderError("Invalid", "INFRA_NET_PORT_RANGE", `port range count ${count} is not a positive integer`, { hint: "write ranges as A-B with A <= B" });
    }
    const hostIp = s.hostIp ?? "0.0.0.0";
    if (!isIpv4(hostIp)) {
      throw new ProviderError("Invalid", "INFRA_NET_HOST_IP", `host address "${hostIp}" is not an IPv4 address`, {
        hint: "publish on an IPv4 address of this host (e.g. 127.0.0.1) or leave it out for all addresses",
      });
    }
    if (s.protocol !== "tcp" && s.protocol !== "udp") {
      throw new ProviderError("Invalid", "INFRA_NET_PORT_PROTOCOL", `protocol "${String(s.protocol)}" is not tcp or udp`, { hint: "write /tcp or /udp" });
    }
    checkPort(s.containerPort, "container port");
    checkPort(s.containerPort + count - 1, "container port");
    if (s.hostPort !== undefined) {
      checkPort(s.hostPort, "host port");
      checkPort(s.hostPort + count - 1, "host port");
    }
    for (let i = 0; i < count; i++) {
      out.push({
        protocol: s.protocol,
        hostIp,
        hostPort: s.hostPort === undefined ? 0 : s.hostPort + i,
        containerPort: s.containerPort + i,
        containerIp,
      });
    }
  }
  return out;
}

/** A binding on every address clashes with any binding of the same port, and the reverse. */
export function portsClash(a: PublishedPort, b: PublishedPort): boolean {
  return (
    a.protocol === b.protocol &&
    a.hostPort === b.hostPort &&
    (a.hostIp === b.hostIp || isAnyHostIp(a.hostIp) || isAnyHostIp(b.hostIp))
  );
}

/** Throws for the first wanted port already published (by another container or twice in `wanted`). */
export function checkPortConflicts(wanted: readonly PublishedPort[], taken: readonly PublishedPort[]): void {
  const key = (p: PublishedPort) => `${p.protocol}/${p.hostPort}`;
  const byPort = new Map<string, PublishedPort[]>();
  for (const p of taken) byPort.set(key(p), [...(byPort.get(key(p)) ?? []), p]);
  for (const p of wanted) {
    if (p.hostPort === 0) continue;
    const clash = (byPort.get(key(p)) ?? []).find((t) => portsClash(p, t));
    if (clash !== undefined) {
      throw new ProviderError("Conflict", "INFRA_NET_PORT_IN_USE", `host port ${p.hostIp}:${p.hostPort}/${p.protocol} is already published`, {
        hint: "pick another host port, or leave it out to get a random one",
      });
    }
    byPort.set(key(p), [...(byPort.get(key(p)) ?? []), p]);
  }
}
