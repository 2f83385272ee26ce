import { errorDiag, type Diagnostic } from "../../diag/diagnostic.js";
import type { ResourceNode } from "../../graph/resource.js";
import type { Value } from "../../graph/value.js";

interface Binding {
  address: string;
  index: number;
  ip: string;
  proto: string;
  first: number;
  last: number;
}

const WILDCARD = new Set(["", "0.0.0.0", "::"]);

function obj(v: Value | undefined): Record<string, Value> | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, Value>) : undefined;
}

/** Host ports bound twice (same protocol, same or wildcard address, overlapping ranges), across all containers. */
export function validatePortConflicts(resources: readonly ResourceNode[], out: Diagnostic[]): void {
  const byProto = new Map<string, Binding[]>();
  for (const r of resources) {
    if (r.type !== "container" || !Array.isArray(r.props.ports)) continue;
    r.props.ports.forEach((pv, index) => {
      const p = obj(pv);
      if (p === undefined || typeof p.hostPort !== "number") return;
      const count = typeof p.count === "number" ? p.count : 1;
      const proto = typeof p.protocol === "string" ? p.protocol : "tcp";
      const b: Binding = { address: r.address, index, ip: typeof p.hostIp === "string" ? p.hostIp : "", proto, first: p.hostPort, last: p.hostPort + count - 1 };
      let list = byProto.get(proto);
      if (list === undefined) byProto.set(proto, (list = []));
      list.push(b);
    });
  }
  for (const list of byProto.values()) {
    list.sort((a, b) => a.first - b.first);
    for (let i = 0; i < list.length; i++) {
      const a = list[i] as Binding;
      for (let j = i + 1; j < list.length && (list[j] as Binding).first <= a.last; j++) {
        const b = list[j] as Binding;
        if (a.ip !== b.ip && !WILDCARD.has(a.ip) && !WILDCARD.has(b.ip)) continue;
        const port = Math.max(a.first, b.first);
        const ip = WILDCARD.has(b.ip) ? a.ip || "0.0.0.0" : b.ip;
        out.push(errorDiag("INFRA_VALIDATE_PORT_CONFLICT", `host port ${ip}:${port}/${a.proto} is published by both ${a.address} and ${b.address}`, {
          address: b.address, attribute: `ports[${b.index}].hostPort`, value: port,
          hint: `pick another host port for one of them, or bind them to different host addresses (other: ${a.address} ports[${a.index}])`,
        }));
      }
    }
  }
}
