/**
 * Address management, pure: picking subnets from a pool without touching the host's own
 * ranges, validating user-given subnets, gateways and ranges, allocating container addresses
 * and deriving MAC addresses. The manager passes in what exists; nothing here reads the host.
 */
import { ProviderError } from "../../contract.js";
import {
  type Cidr,
  contains,
  formatCidr,
  intToIp,
  ipToInt,
  isIpv4,
  lastAddress,
  overlaps,
  parseCidr,
  size,
  within,
} from "./ipv4.js";

/** Default pool: 10.89.0.0/16 then 10.90.0.0/16, in /24s (a test or VPN range is skipped automatically). */
export const DEFAULT_POOL = ["10.89.0.0/16", "10.90.0.0/16", "172.30.0.0/16"];
export const DEFAULT_POOL_SUBNET_SIZE = 24;

/** A pool entry is "CIDR" (split into /24s) or "CIDR:N" (split into /N). */
export function parsePoolEntry(entry: string): { base: Cidr; subnetPrefix: number } {
  const [cidr, sz] = entry.split(":");
  const base = parseCidr(cidr ?? "", true);
  const subnetPrefix = sz === undefined ? Math.max(DEFAULT_POOL_SUBNET_SIZE, base.prefix) : Number(sz);
  if (!Number.isInteger(subnetPrefix) || subnetPrefix < base.prefix || subnetPrefix > 30) {
    throw new ProviderError("Invalid", "INFRA_NET_INVALID_POOL", `pool entry "${entry}" has a bad subnet size`, {
      hint: "write CIDR or CIDR:N with N between the pool's prefix and 30, e.g. 10.89.0.0/16:24",
    });
  }
  return { base, subnetPrefix };
}

function nonDefault(ranges: readonly string[]): Cidr[] {
  return ranges.map((r) => parseCidr(r)).filter((c) => c.prefix > 0);
}

/**
 * First subnet of the pool that overlaps neither an existing network nor a host route or
 * address (the default route is ignored: it overlaps everything).
 */
export function chooseSubnet(pool: readonly string[], taken: readonly string[], hostRanges: readonly string[]): string {
  const busy = [...nonDefault(taken.filter((t) => t !== "")), ...nonDefault(hostRanges)];
  for (const entry of pool) {
    const { base, subnetPrefix } = parsePoolEntry(entry);
    const step = 2 ** (32 - subnetPrefix);
    for (let n = base.network; n <= lastAddress(base); n += step) {
      const cand: Cidr = { network: n, prefix: subnetPrefix };
      const clash = busy.find((b) => overlaps(b, cand));
      // Jump past a clashing range in one step instead of walking it /24 by /24.
      if (clash !== undefined) {
        n = Math.max(n, lastAddress(clash) + 1 - step);
        continue;
      }
      return formatCidr(cand);
    }
  }
  throw new ProviderError("Conflict", "INFRA_NET_POOL_EXHAUSTED", "no free subnet left in the address pool", {
    hint: `pool: ${pool.join(", ")}; remove unused networks (infra network prune) or give --subnet`,
  });
}

export interface SubnetPlan {
  subnet: string;
  gateway: string;
  ipRange?: string;
}

/**
 * Validates a user's subnet, gateway and ip-range, returns them normalised (gateway
 * defaulting to the first address). `hostRanges` is empty for macvlan, whose subnet is the
 * parent's LAN on purpose.
 */
export function planSubnet(
  req: { subnet: string; gateway?: string; ipRange?: string },
  taken: ReadonlyArray<{ name: string; subnet: string }>,
  hostRanges: readonly string[],
): SubnetPlan {
  const subnet = parseCidr(req.subnet, true);
  if (subnet.prefix > 30) {
    throw new ProviderError("Invalid", "INFRA_NET_INVALID_SUBNET", `subnet ${req.subnet} is too small`, {
      hint: "use a prefix of /30 or shorter",
    });
  }
  for (const t of taken) {
    if (t.subnet !== "" && overlaps(parseCidr(t.subnet), subnet)) {
      throw new ProviderError("Conflict", "INFRA_NET_SUBNET_OVERLAP", `subnet ${req.subnet} overlaps network "${t.name}" (${t.subnet})`, {
        hint: "pick another subnet, or leave --subnet out to get a free one",
      });
    }
  }
  const host = nonDefault(hostRanges).find((h) => overlaps(h, subnet));
  if (host !== undefined) {
    throw new ProviderError("Conflict", "INFRA_NET_SUBNET_HOST_OVERLAP", `subnet ${req.subnet} overlaps the host's route or address ${formatCidr(host)}`, {
      hint: "using it could cut the host off its network; pick another subnet",
    });
  }
  const gateway = req.gateway ?? intToIp(subnet.network + 1);
  checkUsable(subnet, gateway, "gateway", "INFRA_NET_GATEWAY_OUTSIDE");
  const plan: SubnetPlan = { subnet: formatCidr(subnet), gateway };
  if (req.ipRange !== undefined) {
    const range = parseCidr(req.ipRange, true);
    if (!within(range, subnet)) {
      throw new ProviderError("Invalid", "INFRA_NET_RANGE_OUTSIDE", `ip-range ${req.ipRange} is not inside subnet ${plan.subnet}`, {
        hint: "give an ip-range that is a part of the subnet",
      });
    }
    plan.ipRange = formatCidr(range);
  }
  return plan;
}

function checkUsable(subnet: Cidr, ip: string, what: string, code: string): void {
  if (!isIpv4(ip)) {
    throw new ProviderError("Invalid", "INFRA_NET_INVALID_IP", `${what} "${ip}" is not an IPv4 address`, {
      hint: "write four numbers 0-255 separated by dots",
    });
  }
  const n = ipToInt(ip);
  if (!contains(subnet, n) || n === subnet.network || n === lastAddress(subnet)) {
    throw new ProviderError("Invalid", code, `${what} ${ip} is not a usable address of subnet ${formatCidr(subnet)}`, {
      hint: `use an address between ${intToIp(subnet.network + 1)} and ${intToIp(lastAddress(subnet) - 1)}`,
    });
  }
}

/**
 * An address for a container: the requested one (checked) or the first free one in the
 * ip-range (or subnet), skipping the network, broadcast and gateway addresses.
 */
export function allocateAddress(
  net: { name: string; subnet: string; gateway: string; ipRange?: string },
  used: ReadonlySet<string>,
  requested?: string,
): string {
  const subnet = parseCidr(net.subnet);
  if (requested !== undefined) {
    checkUsable(subnet, requested, "address", "INFRA_NET_IP_OUTSIDE");
    if (requested === net.gateway || used.has(requested)) {
      throw new ProviderError("Conflict", "INFRA_NET_IP_IN_USE", `address ${requested} is already in use on network "${net.name}"`, {
        hint: "pick another --ip, or leave it out to get a free one",
      });
    }
    return requested;
  }
  const range = net.ipRange !== undefined ? parseCidr(net.ipRange) : subnet;
  const first = Math.max(range.network, subnet.network + 1);
  const last = Math.min(lastAddress(range), lastAddress(subnet) - 1);
  for (let n = first; n <= last; n++) {
    const ip = intToIp(n);
    if (ip !== net.gateway && !used.has(ip)) return ip;
  }
  throw new ProviderError("Conflict", "INFRA_NET_NO_FREE_IP", `network "${net.name}" has no free address left (${size(range)} in its range)`, {
    hint: "disconnect unused containers or use a bigger subnet",
  });
}

/** Docker's convention: 02:42 followed by the four bytes of the IPv4 address. */
export function macFromIp(ip: string): string {
  const n = ipToInt(ip);
  const bytes = [0x02, 0x42, n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
  return bytes.map((b) => b.toString(16).padStart(2, "0")).join(":");
}

/** A unicast MAC written as six hex pairs, lower-cased. */
export function normaliseMac(mac: string): string {
  const m = mac.toLowerCase();
  if (!/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(m) || (parseInt(m.slice(0, 2), 16) & 1) === 1) {
    throw new ProviderError("Invalid", "INFRA_NET_INVALID_MAC", `"${mac}" is not a unicast MAC address`, {
      hint: "write six hex pairs with an even first byte, e.g. 02:42:0a:59:00:05",
    });
  }
  return m;
}

export function prefixLength(subnet: string): number {
  return parseCidr(subnet).prefix;
}
