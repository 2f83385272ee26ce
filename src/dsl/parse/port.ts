import type { PortSpec, Protocol } from "../../graph/specs.js";
import type { PortInput } from "../container-props.js";
import { ValueError } from "./value-error.js";

const HINT = 'write "8080:80", "127.0.0.1:8000:80/udp", "10000-10010:20000-20010", 80 (random host port) or { containerPort, hostPort }';

function bad(v: unknown, why: string): ValueError {
  return new ValueError("INFRA_VALIDATE_INVALID_PORT", `port ${JSON.stringify(v)}: ${why}`, HINT);
}

function range(s: string, whole: string): { first: number; count: number } {
  const m = /^(\d+)(?:-(\d+))?$/.exec(s);
  if (m === null) throw bad(whole, `"${s}" is not a port or a range`);
  const first = Number(m[1]);
  const last = m[2] === undefined ? first : Number(m[2]);
  if (last < first) throw bad(whole, `range ${s} ends before it starts`);
  return { first, count: last - first + 1 };
}

/** Every form of a published port, in the canonical shape (ranges checked; bounds left to validation). */
export function parsePort(v: PortInput): PortSpec {
  if (typeof v === "number") return { containerPort: v, protocol: "tcp" };
  if (typeof v === "object") {
    const spec: PortSpec = { containerPort: v.containerPort, protocol: v.protocol ?? "tcp" };
    if (v.hostPort !== undefined) spec.hostPort = v.hostPort;
    if (v.count !== undefined && v.count !== 1) spec.count = v.count;
    if (v.hostIp !== undefined) spec.hostIp = v.hostIp;
    return spec;
  }
  let s = v.trim();
  let protocol: Protocol = "tcp";
  const slash = s.lastIndexOf("/");
  if (slash >= 0) {
    const p = s.slice(slash + 1).toLowerCase();
    if (p !== "tcp" && p !== "udp") throw bad(v, `protocol "${p}" is not tcp or udp`);
    protocol = p;
    s = s.slice(0, slash);
  }
  let hostIp: string | undefined;
  const bracket = /^\[([0-9a-fA-F:.]+)\]:(.*)$/.exec(s);
  if (bracket !== null) {
    hostIp = bracket[1];
    s = bracket[2] ?? "";
  }
  const parts = s.split(":");
  if (hostIp === undefined && parts.length === 3) hostIp = parts.shift();
  if (parts.length > 2 || (bracket !== null && parts.length !== 2)) throw bad(v, "too many colons");
  const containerPart = parts.pop() ?? "";
  const hostPart = parts.pop();
  const c = range(containerPart, v);
  const spec: PortSpec = { containerPort: c.first, protocol };
  if (hostPart !== undefined && hostPart !== "") {
    const h = range(hostPart, v);
    if (h.count !== c.count) throw bad(v, `host range has ${h.count} ports but container range has ${c.count}`);
    spec.hostPort = h.first;
  }
  if (c.count > 1) spec.count = c.count;
  if (hostIp !== undefined && hostIp !== "") spec.hostIp = hostIp;
  return spec;
}
