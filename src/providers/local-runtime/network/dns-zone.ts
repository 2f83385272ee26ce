/**
 * What the embedded DNS knows, per network, and the pure answer function. A query is answered
 * from the zone of the network it arrived on (that is the isolation); names that belong only
 * to other networks, single-label names and reverse lookups inside the subnet get NXDOMAIN;
 * everything else is forwarded.
 */
import type { Packet, Answer } from "dns-packet";
import { contains, ipToInt, isIpv4, parseCidr } from "./ipv4.js";

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

/** Index of one network's zone for O(1) lookups. */
export class ZoneIndex {
  readonly byName = new Map<string, string[]>();
  readonly byIp = new Map<string, string>();
  readonly subnet;

  constructor(zone: NetworkZone) {
    this.subnet = parseCidr(zone.subnet);
    for (const e of zone.entries) {
      for (const n of e.names) {
        const key = normaliseName(n);
        const list = this.byName.get(key) ?? [];
        if (!list.includes(e.ip)) list.push(e.ip);
        this.byName.set(key, list);
      }
      const primary = e.names[0];
      if (primary !== undefined) this.byIp.set(e.ip, primary);
    }
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
 * The local answer to `query` on a network, or undefined when it should be forwarded.
 * `elsewhere` holds names known on other networks (answered NXDOMAIN, never forwarded).
 */
export function answerLocally(zone: ZoneIndex, elsewhere: ReadonlySet<string>, query: Packet): Packet | undefined {
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
  const ips = zone.byName.get(name);
  if (ips !== undefined) {
    if (q.type === "A") return reply(ips.map((ip) => ({ type: "A", name: q.name, ttl: TTL, data: ip })));
    return reply([]); // the name exists; no AAAA/MX/...: NOERROR with no data
  }
  const ptrIp = ptrToIp(name);
  if (ptrIp !== undefined) {
    const target = zone.byIp.get(ptrIp);
    if (target !== undefined && q.type === "PTR") return reply([{ type: "PTR", name: q.name, ttl: TTL, data: target }]);
    if (target !== undefined) return reply([]);
    if (contains(zone.subnet, ipToInt(ptrIp))) return reply([], NXDOMAIN);
    return undefined;
  }
  if (elsewhere.has(name) || !name.includes(".")) return reply([], NXDOMAIN);
  return undefined;
}
