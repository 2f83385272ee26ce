import * as path from "node:path";
import { errorDiag, type Diagnostic } from "../../diag/diagnostic.js";
import type { ResourceNode } from "../../graph/resource.js";
import { isRef, type Value } from "../../graph/value.js";
import { cidrContains, MAC_RE, parseCidr, parseIpv4, isIpAddress } from "./ipv4.js";

type Obj = Record<string, Value>;

function obj(v: Value | undefined): Obj | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
}

function list(v: Value | undefined): Value[] {
  return Array.isArray(v) ? v : [];
}

const PORT_HINT = "ports are whole numbers from 1 to 65535";

/** Ports, paths, addresses and mode combinations of one container (literal values only). */
export function validateContainer(r: ResourceNode, byAddress: Map<string, ResourceNode>, out: Diagnostic[]): void {
  const err = (code: string, summary: string, attribute: string, value: unknown, hint: string): void => {
    out.push(errorDiag(code, `${r.address}: ${summary}`, { address: r.address, attribute, value, hint }));
  };
  const absolute = (v: Value | undefined, attribute: string, what: string): void => {
    if (typeof v === "string" && !path.posix.isAbsolute(v)) {
      err("INFRA_VALIDATE_INVALID_PATH", `${what} "${v}" is not an absolute path`, attribute, v, `write it from the root, e.g. "/${v.replace(/^\.?\/*/, "")}"`);
    }
  };
  const p = r.props;
  if (p.image === "" || p.image === null || p.image === undefined) {
    err("INFRA_VALIDATE_INVALID_VALUE", "has no image", "image", p.image ?? null, 'give an image reference, e.g. image: "busybox", or an Image of this stack');
  }

  list(p.ports).forEach((pv, i) => {
    const port = obj(pv);
    if (port === undefined) return;
    const count = typeof port.count === "number" ? port.count : 1;
    const inRange = (n: Value | undefined): boolean => typeof n !== "number" || (Number.isInteger(n) && n >= 1 && n + count - 1 <= 65535);
    if (!Number.isInteger(count) || count < 1) err("INFRA_VALIDATE_INVALID_PORT", `port range length ${count} is not a positive whole number`, `ports[${i}].count`, count, PORT_HINT);
    if (!inRange(port.containerPort)) err("INFRA_VALIDATE_INVALID_PORT", `container port ${String(port.containerPort)} is out of range`, `ports[${i}].containerPort`, port.containerPort, PORT_HINT);
    if (!inRange(port.hostPort)) err("INFRA_VALIDATE_INVALID_PORT", `host port ${String(port.hostPort)} is out of range`, `ports[${i}].hostPort`, port.hostPort, PORT_HINT);
    if (port.protocol !== "tcp" && port.protocol !== "udp") err("INFRA_VALIDATE_INVALID_PORT", `protocol ${JSON.stringify(port.protocol)} is not tcp or udp`, `ports[${i}].protocol`, port.protocol, 'use "tcp" or "udp"');
    if (typeof port.hostIp === "string" && !isIpAddress(port.hostIp)) err("INFRA_VALIDATE_INVALID_IP", `host address "${port.hostIp}" is not an IP address`, `ports[${i}].hostIp`, port.hostIp, 'write e.g. "127.0.0.1"');
  });

  list(p.mounts).forEach((mv, i) => {
    const m = obj(mv);
    if (m === undefined) return;
    absolute(m.target, `mounts[${i}].target`, "mount target");
    if (m.type === "bind") absolute(m.source, `mounts[${i}].source`, "bind mount source");
  });
  absolute(p.workingDir, "workingDir", "working directory");
  list(p.devices).forEach((dv, i) => {
    const d = obj(dv);
    absolute(d?.hostPath, `devices[${i}].hostPath`, "device");
    absolute(d?.containerPath, `devices[${i}].containerPath`, "device");
  });

  list(p.networks).forEach((nv, i) => {
    const n = obj(nv);
    if (n === undefined) return;
    const ip = n.ipv4Address;
    if (typeof ip === "string") {
      const num = parseIpv4(ip);
      if (num === undefined) {
        err("INFRA_VALIDATE_INVALID_IP", `ipv4Address "${ip}" is not an IPv4 address`, `networks[${i}].ipv4Address`, ip, 'write e.g. "10.30.0.10"');
      } else if (isRef(n.network)) {
        const net = byAddress.get(n.network.$ref.address);
        const subnet = typeof net?.props.subnet === "string" ? parseCidr(net.props.subnet) : undefined;
        if (subnet !== undefined && !subnet.hostBits && !cidrContains(subnet, num)) {
          err("INFRA_VALIDATE_ADDRESS_OUTSIDE_SUBNET", `ipv4Address ${ip} is outside ${net?.address}'s subnet ${String(net?.props.subnet)}`, `networks[${i}].ipv4Address`, ip, "pick an address inside the network's subnet");
        }
      }
    }
    if (typeof n.macAddress === "string" && !MAC_RE.test(n.macAddress)) {
      err("INFRA_VALIDATE_INVALID_VALUE", `macAddress "${n.macAddress}" is not a MAC address`, `networks[${i}].macAddress`, n.macAddress, 'write six hex pairs, e.g. "02:42:ac:11:00:02"');
    }
  });
  list(p.extraHosts).forEach((hv, i) => {
    const h = obj(hv);
    if (typeof h?.ip === "string" && !isIpAddress(h.ip) && h.ip !== "host-gateway") {
      err("INFRA_VALIDATE_INVALID_IP", `extra host ${String(h.host)} has address "${h.ip}", not an IP address`, `extraHosts[${i}].ip`, h.ip, 'write e.g. "10.0.0.5"');
    }
  });
  list(p.dns).forEach((d, i) => {
    if (typeof d === "string" && !isIpAddress(d)) err("INFRA_VALIDATE_INVALID_IP", `dns server "${d}" is not an IP address`, `dns[${i}]`, d, 'write e.g. "10.0.0.2"');
  });

  const mode = p.networkMode;
  if (mode === "host" || mode === "none" || obj(mode) !== undefined) {
    const what = typeof mode === "string" ? `network mode "${mode}"` : "a shared network namespace";
    if (list(p.networks).length > 0) err("INFRA_VALIDATE_CONFLICT", `${what} cannot be combined with networks`, "networks", p.networks, "drop networks, or the networkMode");
    if (list(p.ports).length > 0) err("INFRA_VALIDATE_CONFLICT", `${what} cannot publish ports`, "ports", p.ports, "publish the ports on the container that owns the network namespace, or drop networkMode");
  }
}
