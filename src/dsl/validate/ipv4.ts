/** IPv4 addresses and CIDRs as 32-bit numbers, for subnet checks. */
import { isIP } from "node:net";

export interface Cidr {
  base: number;
  prefix: number;
  /** First and last address as unsigned numbers. */
  first: number;
  last: number;
}

export function parseIpv4(s: string): number | undefined {
  if (isIP(s) !== 4) return undefined;
  return s.split(".").reduce((n, p) => n * 256 + Number(p), 0);
}

export function formatIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
}

/** Parses "10.0.0.0/24"; `undefined` when malformed. `hostBits` reports bits set below the prefix. */
export function parseCidr(s: string): (Cidr & { hostBits: boolean }) | undefined {
  const m = /^([0-9.]+)\/(\d{1,2})$/.exec(s);
  if (m === null) return undefined;
  const ip = parseIpv4(m[1] as string);
  const prefix = Number(m[2]);
  if (ip === undefined || prefix > 32) return undefined;
  const size = 2 ** (32 - prefix);
  const first = Math.floor(ip / size) * size;
  return { base: first, prefix, first, last: first + size - 1, hostBits: first !== ip };
}

export function cidrContains(c: Cidr, ip: number): boolean {
  return ip >= c.first && ip <= c.last;
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.first <= b.last && b.first <= a.last;
}

export function isIpAddress(s: string): boolean {
  return isIP(s) !== 0;
}

export const MAC_RE = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;
