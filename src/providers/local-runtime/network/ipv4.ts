/** IPv4 arithmetic on 32-bit unsigned integers; pure. */
import { ProviderError } from "../../contract.js";

export interface Cidr {
  /** Network address (host bits cleared). */
  network: number;
  prefix: number;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function isIpv4(s: string): boolean {
  const m = IPV4.exec(s);
  return m !== null && m.slice(1).every((p) => Number(p) <= 255 && String(Number(p)) === p);
}

export function ipToInt(s: string): number {
  if (!isIpv4(s)) {
    throw new ProviderError("Invalid", "INFRA_NET_INVALID_IP", `"${s}" is not an IPv4 address`, {
      hint: "write four numbers 0-255 separated by dots, e.g. 10.89.0.5",
    });
  }
  return s.split(".").reduce((acc, p) => acc * 256 + Number(p), 0);
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

export function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** Parses "a.b.c.d/n". With `strict`, host bits must be zero (as a subnet must be). */
export function parseCidr(s: string, strict = false): Cidr {
  const [addr, len, extra] = s.split("/");
  const prefix = Number(len);
  if (addr === undefined || len === undefined || extra !== undefined || !/^\d{1,2}$/.test(len) || prefix > 32 || !isIpv4(addr)) {
    throw new ProviderError("Invalid", "INFRA_NET_INVALID_SUBNET", `"${s}" is not an IPv4 CIDR`, {
      hint: "write an address and a prefix length, e.g. 10.89.3.0/24",
    });
  }
  const ip = ipToInt(addr);
  const network = (ip & maskOf(prefix)) >>> 0;
  if (strict && network !== ip) {
    throw new ProviderError("Invalid", "INFRA_NET_INVALID_SUBNET", `subnet "${s}" has host bits set`, {
      hint: `did you mean ${intToIp(network)}/${prefix}?`,
    });
  }
  return { network, prefix };
}

export function formatCidr(c: Cidr): string {
  return `${intToIp(c.network)}/${c.prefix}`;
}

export function size(c: Cidr): number {
  return 2 ** (32 - c.prefix);
}

export function lastAddress(c: Cidr): number {
  return c.network + size(c) - 1;
}

export function contains(c: Cidr, ip: number): boolean {
  return ((ip & maskOf(c.prefix)) >>> 0) === c.network;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.network <= lastAddress(b) && b.network <= lastAddress(a);
}

/** The range `inner` lies entirely inside `outer`. */
export function within(inner: Cidr, outer: Cidr): boolean {
  return inner.prefix >= outer.prefix && contains(outer, inner.network);
}
