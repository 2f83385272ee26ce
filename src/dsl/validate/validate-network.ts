import { errorDiag, type Diagnostic } from "../../diag/diagnostic.js";
import type { ResourceNode } from "../../graph/resource.js";
import { cidrContains, cidrsOverlap, formatIpv4, parseCidr, parseIpv4, type Cidr } from "./ipv4.js";
import { isIP } from "node:net";

/** The literal subnet of each network that has one (invalid ones reported by validateNetworks). */
export function networkSubnets(resources: readonly ResourceNode[]): Map<string, Cidr> {
  const out = new Map<string, Cidr>();
  for (const r of resources) {
    if (r.type !== "network" || typeof r.props.subnet !== "string") continue;
    const c = parseCidr(r.props.subnet);
    if (c !== undefined && !c.hostBits) out.set(r.address, c);
  }
  return out;
}

function checkCidr(r: ResourceNode, attr: "subnet" | "ipRange", out: Diagnostic[]): Cidr | undefined {
  const v = r.props[attr];
  if (typeof v !== "string") return undefined;
  const c = parseCidr(v);
  if (c === undefined) {
    const slash = v.indexOf("/");
    // IPv6 subnets are accepted as written; overlap checks cover IPv4.
    if (slash > 0 && isIP(v.slice(0, slash)) === 6 && /^\d{1,3}$/.test(v.slice(slash + 1)) && Number(v.slice(slash + 1)) <= 128) return undefined;
    out.push(errorDiag("INFRA_VALIDATE_INVALID_CIDR", `${attr} "${v}" of ${r.address} is not a CIDR`, {
      address: r.address, attribute: attr, value: v, hint: 'write an address and a prefix length, e.g. "10.30.0.0/24"',
    }));
    return undefined;
  }
  if (c.hostBits) {
    out.push(errorDiag("INFRA_VALIDATE_INVALID_CIDR", `${attr} "${v}" of ${r.address} has host bits set`, {
      address: r.address, attribute: attr, value: v, hint: `did you mean "${formatIpv4(c.first)}/${c.prefix}"?`,
    }));
    return undefined;
  }
  return c;
}

/** CIDRs, gateways and ip ranges inside their subnet, and no two subnets overlapping. */
export function validateNetworks(resources: readonly ResourceNode[], out: Diagnostic[]): void {
  const subnets: Array<{ address: string; cidr: Cidr; text: string }> = [];
  for (const r of resources) {
    if (r.type !== "network") continue;
    const subnet = checkCidr(r, "subnet", out);
    const range = checkCidr(r, "ipRange", out);
    if (subnet !== undefined) subnets.push({ address: r.address, cidr: subnet, text: r.props.subnet as string });
    const gw = r.props.gateway;
    if (typeof gw === "string") {
      const ip = parseIpv4(gw);
      if (ip === undefined && isIP(gw) !== 6) {
        out.push(errorDiag("INFRA_VALIDATE_INVALID_IP", `gateway "${gw}" of ${r.address} is not an IP address`, {
          address: r.address, attribute: "gateway", value: gw, hint: 'write an address inside the subnet, e.g. "10.30.0.1"',
        }));
      } else if (ip !== undefined && subnet !== undefined && !cidrContains(subnet, ip)) {
        out.push(errorDiag("INFRA_VALIDATE_GATEWAY_OUTSIDE_SUBNET", `gateway ${gw} of ${r.address} is outside its subnet ${String(r.props.subnet)}`, {
          address: r.address, attribute: "gateway", value: gw, hint: `pick an address inside ${String(r.props.subnet)}, e.g. ${formatIpv4(subnet.first + 1)}`,
        }));
      }
    }
    if (range !== undefined && subnet !== undefined && (range.first < subnet.first || range.last > subnet.last)) {
      out.push(errorDiag("INFRA_VALIDATE_INVALID_CIDR", `ipRange ${String(r.props.ipRange)} of ${r.address} is not inside its subnet ${String(r.props.subnet)}`, {
        address: r.address, attribute: "ipRange", value: r.props.ipRange, hint: "give a range inside the subnet",
      }));
    }
  }
  subnets.sort((a, b) => a.cidr.first - b.cidr.first);
  for (let i = 0; i < subnets.length; i++) {
    const a = subnets[i] as (typeof subnets)[number];
    for (let j = i + 1; j < subnets.length && (subnets[j] as (typeof subnets)[number]).cidr.first <= a.cidr.last; j++) {
      const b = subnets[j] as (typeof subnets)[number];
      if (!cidrsOverlap(a.cidr, b.cidr)) continue;
      out.push(errorDiag("INFRA_VALIDATE_SUBNET_OVERLAP", `subnet ${b.text} of ${b.address} overlaps ${a.text} of ${a.address}`, {
        address: b.address, attribute: "subnet", value: b.text, hint: "give the networks disjoint subnets, or leave subnet unset to have one chosen",
      }));
    }
  }
}
