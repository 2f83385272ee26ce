/**
 * Renders infra's one nftables table as `nft -f` scripts; pure, snapshot-tested.
 *
 * Everything that grows with networks, containers or ports lives in named sets and maps, so a
 * container or a port is an element (O(1) to add or remove) and the chains never change:
 * - `bridges`, `icc` (bridge . bridge), `internal`: which interfaces are ours and how they may talk;
 * - `bridge_subnets` (bridge . subnet): a DNATed packet from a bridge's own subnet is hairpin traffic;
 * - `nat_subnets`: subnets masqueraded on the way out (non-internal bridges);
 * - `pub_ip` (hostIp . proto . port) and `pub_any` (proto . port): DNAT targets (ctrIp . ctrPort).
 * Drops only ever match our own bridges; other tables are never named.
 */
import { ipToInt } from "./ipv4.js";

export interface RulesetBridge {
  device: string;
  subnet: string;
  internal: boolean;
}

/** One published port (ranges are expanded by the caller: one element per port). */
export interface NatPort {
  protocol: "tcp" | "udp";
  /** "0.0.0.0" (or empty) for every host address. */
  hostIp: string;
  hostPort: number;
  containerIp: string;
  containerPort: number;
}

export interface RulesetModel {
  table: string;
  bridges: RulesetBridge[];
  ports: NatPort[];
}

const ANY = new Set(["", "0.0.0.0"]);

export function isAnyHostIp(ip: string): boolean {
  return ANY.has(ip);
}

function q(s: string): string {
  return `"${s}"`;
}

function elements(items: string[], indent: string): string {
  if (items.length === 0) return "";
  return `\n${indent}elements = { ${items.join(`,\n${indent}             `)} }`;
}

function portKey(p: NatPort): string {
  return isAnyHostIp(p.hostIp) ? `${p.protocol} . ${p.hostPort}` : `${p.hostIp} . ${p.protocol} . ${p.hostPort}`;
}

function portElement(p: NatPort): string {
  return `${portKey(p)} : ${p.containerIp} . ${p.containerPort}`;
}

function sortPorts(ports: NatPort[]): NatPort[] {
  return [...ports].sort(
    (a, b) =>
      ipToInt(isAnyHostIp(a.hostIp) ? "0.0.0.0" : a.hostIp) - ipToInt(isAnyHostIp(b.hostIp) ? "0.0.0.0" : b.hostIp) ||
      a.protocol.localeCompare(b.protocol) ||
      a.hostPort - b.hostPort,
  );
}

/**
 * The whole table as one atomic transaction: declare (so the delete cannot fail), delete,
 * define. The kernel swaps old for new at once; no moment without rules.
 */
export function renderRuleset(m: RulesetModel): string {
  const bridges = [...m.bridges].sort((a, b) => a.device.localeCompare(b.device));
  const ports = sortPorts(m.ports);
  const byIp = ports.filter((p) => !isAnyHostIp(p.hostIp)).map(portElement);
  const byAny = ports.filter((p) => isAnyHostIp(p.hostIp)).map(portElement);
  const natSubnets = bridges.filter((b) => !b.internal).map((b) => b.subnet);
  const set = (name: string, type: string, items: string[], flags?: string) =>
    `\tset ${name} {\n\t\ttype ${type}${flags ? `\n\t\tflags ${flags}` : ""}${elements(items, "\t\t")}\n\t}\n`;
  const map = (name: string, type: string, items: string[]) =>
    `\tmap ${name} {\n\t\ttype ${type}${elements(items, "\t\t")}\n\t}\n`;
  const chain = (name: string, lines: string[]) => `\tchain ${name} {\n${lines.map((l) => `\t\t${l}\n`).join("")}\t}\n`;
  const t = m.table;
  return [
    `table inet ${t} {}\n`,
    `delete table inet ${t}\n`,
    `table inet ${t} {\n`,
    set("bridges", "ifname", bridges.map((b) => q(b.device))),
    set("icc", "ifname . ifname", bridges.map((b) => `${q(b.device)} . ${q(b.device)}`)),
    set("internal", "ifname", bridges.filter((b) => b.internal).map((b) => q(b.device))),
    set("nat_subnets", "ipv4_addr", mergeForSet(natSubnets), "interval"),
    set("bridge_subnets", "ifname . ipv4_addr", bridges.map((b) => `${q(b.device)} . ${b.subnet}`), "interval"),
    map("pub_ip", "ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service", byIp),
    map("pub_any", "inet_proto . inet_service : ipv4_addr . inet_service", byAny),
    chain("raw_pre", [
      "type filter hook prerouting priority raw; policy accept;",
      'iifname @bridges ip daddr 127.0.0.0/8 drop comment "containers may not reach the host\'s loopback (route_localnet is on)"',
    ]),
    chain("nat_pre", ["type nat hook prerouting priority dstnat; policy accept;", "fib daddr type local jump publish"]),
    chain("nat_out", [
      "type nat hook output priority -100; policy accept;",
      'fib daddr type local jump publish comment "from the host itself, 127.0.0.1 included"',
    ]),
    chain("publish", [
      "dnat ip to ip daddr . meta l4proto . th dport map @pub_ip",
      "dnat ip to meta l4proto . th dport map @pub_any",
    ]),
    chain("nat_post", [
      "type nat hook postrouting priority srcnat; policy accept;",
      'ip saddr @nat_subnets oifname != @bridges masquerade comment "outbound"',
      'ct status dnat oifname @bridges ip saddr 127.0.0.0/8 masquerade comment "host loopback to a published port"',
      // By address, not iifname: when br_netfilter bridges a DNATed frame back, postrouting has no input interface.
      'ct status dnat oifname . ip saddr @bridge_subnets masquerade comment "hairpin"',
    ]),
    chain("forward", [
      "type filter hook forward priority filter; policy accept;",
      "oifname @bridges jump to_bridge",
      "iifname @bridges jump from_bridge",
    ]),
    chain("to_bridge", [
      "ct state established,related accept",
      'iifname . oifname @icc accept comment "same network"',
      "oifname @internal drop",
      "iifname @internal drop",
      'ct status dnat accept comment "published port"',
      'drop comment "other networks and unpublished ports"',
    ]),
    chain("from_bridge", ['iifname @internal drop comment "internal: no outbound"', "accept"]),
    "}\n",
  ].join("");
}

/** Interval sets refuse overlapping elements; subnets of ours never overlap, but keep each once. */
function mergeForSet(subnets: string[]): string[] {
  return [...new Set(subnets)].sort((a, b) => ipToInt(a.split("/")[0] ?? "") - ipToInt(b.split("/")[0] ?? ""));
}

export function renderDeleteTable(table: string): string {
  return `table inet ${table} {}\ndelete table inet ${table}\n`;
}

/**
 * Adds or removes one container's ports as map elements: the O(1) path, no chain touched.
 * Elements go in batches so that a 1,000-port range stays one short transaction.
 */
export function renderPortElements(table: string, ports: NatPort[], op: "add" | "delete"): string {
  const sorted = sortPorts(ports);
  const lines: string[] = [];
  for (const [name, list] of [
    ["pub_ip", sorted.filter((p) => !isAnyHostIp(p.hostIp))],
    ["pub_any", sorted.filter((p) => isAnyHostIp(p.hostIp))],
  ] as const) {
    for (let i = 0; i < list.length; i += 256) {
      const chunk = list.slice(i, i + 256).map(op === "add" ? portElement : portKey);
      lines.push(`${op} element inet ${table} ${name} { ${chunk.join(", ")} }\n`);
    }
  }
  return lines.join("");
}
