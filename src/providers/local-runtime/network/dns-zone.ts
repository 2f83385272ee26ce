/**
 * Name indexes and the pure answer function of the embedded DNS. A query is answered from the
 * asker's view (the union of the zones of the networks it is on, see dns-view.ts); names and
 * addresses that exist only on other networks, single-label names and reverse lookups inside
 * any DNS network's subnet get NXDOMAIN; everything else is forwarded.
 */
import type { Packet, Answer } from "dns-packet";
import { type Cidr, contains, ipToInt, isIpv4, parseCidr } from "./ipv4.js";

export interface DnsEntry {
  ip: string;
  /** Container name first (the PTR answer), then aliases and ids. */
  names: string[];
}

export interface NetworkZone {
  subnet: string;
  entries: DnsEntry[];
}

const TTL = 60;
const AA = 1 << 10;
const RD = 1 << 8;
const RA = 1 << 7;
const NXDOMAIN = 3;

export function normaliseName(name: string): string {
  return name.toLowerCase().replace(/\.$/, "");
}

/**
 * Index of one zone, or of several in order of preference, for O(1) lookups. A name found in
 * an earlier zone hides the same name in later ones (the asker's own network wins).
 */
export class ZoneIndex {
  readonly byName = new Map<string, string[]>();
  readonly byIp = new Map<string, string>();
  readonly subnets: Cidr[];

  constructor(zones: NetworkZone | readonly NetworkZone[]) {
    const list: readonly NetworkZone[] = Array.isArray(zones) ? zones : [zones as NetworkZone];
    this.subnets = list.map((z) => parseCidr(z.subnet));
    for (const zone of list) {
      const here = new Map<string, string[]>();
      for (const e of zone.entries) {
        for (const n of e.names) {
          const key = normaliseName(n);
          if (this.byName.has(key)) continue; // a preferred zone already has it
          const ips = here.get(key) ?? [];
          if (!ips.includes(e.ip)) ips.push(e.ip);
          here.set(key, ips);
        }
        const primary = e.names[0];
        if (primary !== undefined && !this.byIp.has(e.ip)) this.byIp.set(e.ip, primary);
      }
      for (const [k, ips] of here) this.byName.set(k, ips);
    }
  }

  /** Whether an address lies in one of the indexed subnets. */
  covers(ip: number): boolean {
    return this.subnets.some((s) => contains(s, ip));
  }
}

/** "4.3.2.1.in-addr.arpa" → "1.2.3.4"; undefined for anything else. */
export function ptrToIp(name: string): string | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\.in-addr\.arpa$/.exec(normaliseName(name));
  if (m === null) return undefined;
  const ip = [m[4], m[3], m[2], m[1]].join(".");
  return isIpv4(ip) ? ip : undefined;
}

/**
 * The local answer to `query` from the asker's `view`, or undefined when it should be forwarded.
 * `all` indexes every DNS network: what it knows beyond the view is answered NXDOMAIN, never
 * forwarded (other networks' names must not leak, nor go upstream).
 */
export function answerLocally(view: ZoneIndex, all: ZoneIndex, query: Packet): Packet | undefined {
  const q = query.questions?.[0];
  if (q === undefined) return undefined;
  const name = normaliseName(q.name);
  const reply = (answers: Answer[], rcode = 0): Packet => ({
    type: "response",
    id: query.id ?? 0,
    flags: AA | RA | ((query.flags ?? 0) & RD) | rcode,
    questions: [q],
    answers,
  });
  const ips = view.byName.get(name);
  if (ips !== undefined) {
    if (q.type === "A") return reply(ips.map((ip) => ({ type: "A", name: q.name, ttl: TTL, data: ip })));
    return reply([]); // the name exists; no AAAA/MX/...: NOERROR with no data
  }
  const ptrIp = ptrToIp(name);
  if (ptrIp !== undefined) {
    const target = view.byIp.get(ptrIp);
    if (target !== undefined && q.type === "PTR") return reply([{ type: "PTR", name: q.name, ttl: TTL, data: target }]);
    if (target !== undefined) return reply([]);
    const n = ipToInt(ptrIp);
    if (view.covers(n) || all.covers(n)) return reply([], NXDOMAIN);
    return undefined;
  }
  if (all.byName.has(name) || !name.includes(".")) return reply([], NXDOMAIN);
  return undefined;
}
