/**
 * Lets infra's bridges through other tables' forward chains whose policy is drop (Docker's
 * `ip filter FORWARD` with br_netfilter, or another firewall); pure, unit-tested.
 *
 * An accept in infra's table cannot override another base chain's drop, so infra adds rules of
 * its own there: into `DOCKER-USER` (the chain Docker keeps for its users) when the drop chain
 * is Docker's, else at the top of the drop chain. Per bridge two rules, `oifname BR accept`
 * and `iifname BR accept`: infra's own table still filters our bridges (isolation, unpublished
 * ports, internal networks), since its drop applies on its own. Only these two shapes are used
 * because iptables-nft (which manages Docker's table) can read them back; native `ct state`
 * or `ct status` matches make `iptables -S` refuse the whole table.
 * Every rule carries the comment `infra:<table>`; only rules with that exact comment are ever
 * deleted, by handle. Other rules are never changed.
 */
export const DOCKER_USER = "DOCKER-USER";

export interface ChainRef {
  family: string;
  table: string;
  chain: string;
}

export type AcceptDirection = "iifname" | "oifname";

export interface AcceptRule {
  direction: AcceptDirection;
  device: string;
}

/** The changes for one chain, applied as one `nft -f` transaction. */
export interface ChainChange {
  target: ChainRef;
  /** The forward-drop chains this target lets our bridges through. */
  dropChains: ChainRef[];
  deleteHandles: number[];
  add: AcceptRule[];
}

export interface ForwardAcceptPlan {
  changes: ChainChange[];
  /** Drop chains infra cannot add rules to (families without interface names, odd names). */
  unsupported: ChainRef[];
}

interface ListedChain extends ChainRef {
  hook?: string;
  policy?: string;
}

interface ListedRule extends ChainRef {
  handle: number;
  comment?: string;
  expr: unknown[];
}

export interface RulesetListing {
  chains: ListedChain[];
  rules: ListedRule[];
}

interface JsonEntry {
  chain?: { family: string; table: string; name: string; hook?: string; policy?: string };
  rule?: { family: string; table: string; chain: string; handle: number; comment?: string; expr?: unknown[] };
}

/** Reads `nft -j list ruleset`. */
export function parseRuleset(json: string): RulesetListing {
  const parsed = JSON.parse(json) as { nftables?: JsonEntry[] };
  const chains: ListedChain[] = [];
  const rules: ListedRule[] = [];
  for (const e of parsed.nftables ?? []) {
    if (e.chain) {
      const c = e.chain;
      chains.push({ family: c.family, table: c.table, chain: c.name, ...(c.hook ? { hook: c.hook } : {}), ...(c.policy ? { policy: c.policy } : {}) });
    } else if (e.rule) {
      const r = e.rule;
      rules.push({ family: r.family, table: r.table, chain: r.chain, handle: r.handle, ...(r.comment !== undefined ? { comment: r.comment } : {}), expr: r.expr ?? [] });
    }
  }
  return { chains, rules };
}

/** The comment that marks a rule as infra's, per infra table (tests run their own tables). */
export function acceptTag(ownTable: string): string {
  return `infra:${ownTable}`;
}

export function chainKey(c: ChainRef): string {
  return `${c.family} ${c.table} ${c.chain}`;
}

const sameChain = (a: ChainRef, b: ChainRef) => a.family === b.family && a.table === b.table && a.chain === b.chain;

/** Forward-hook base chains with policy drop, outside infra's own `inet <ownTable>`. */
export function forwardDropChains(l: RulesetListing, ownTable: string): ChainRef[] {
  return l.chains
    .filter((c) => c.hook === "forward" && c.policy === "drop" && !(c.family === "inet" && c.table === ownTable))
    .map((c) => ({ family: c.family, table: c.table, chain: c.chain }));
}

/** Families whose forward hook sees routed (and br_netfilter) IP packets with iifname/oifname. */
const IP_FAMILIES = new Set(["ip", "ip6", "inet"]);
/** Names we put in a script unquoted-safe; anything else is left alone and reported. */
const SAFE_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
/** An interface name that can sit between double quotes in a script. */
const IFNAME = /^[^"\s\\]{1,15}$/;

function jumps(l: RulesetListing, from: ChainRef, to: string): boolean {
  return l.rules.some((r) => sameChain(r, from) && r.expr.some((x) => (x as { jump?: { target?: string } }).jump?.target === to));
}

/** Where to put our rules for one drop chain: Docker's DOCKER-USER when Docker jumps to it, else the chain itself. */
export function acceptTarget(l: RulesetListing, drop: ChainRef): ChainRef | undefined {
  if (!IP_FAMILIES.has(drop.family) || !SAFE_NAME.test(drop.table) || !SAFE_NAME.test(drop.chain)) return undefined;
  const user = { family: drop.family, table: drop.table, chain: DOCKER_USER };
  if (drop.family !== "inet" && l.chains.some((c) => sameChain(c, user)) && jumps(l, drop, DOCKER_USER)) return user;
  return drop;
}

/** An infra rule's meaning, when it has exactly the shape infra writes. */
export function readAcceptRule(expr: unknown[]): AcceptRule | undefined {
  if (expr.length !== 2 || !(expr[1] !== null && typeof expr[1] === "object" && "accept" in expr[1])) return undefined;
  const m = (expr[0] as { match?: { op?: string; left?: { meta?: { key?: string } }; right?: unknown } }).match;
  const key = m?.left?.meta?.key;
  if (m?.op !== "==" || (key !== "iifname" && key !== "oifname") || typeof m.right !== "string") return undefined;
  return { direction: key, device: m.right };
}

/**
 * What to add and delete so that every drop chain lets each of `devices` through, and no rule
 * of ours remains anywhere else (removed networks, drop chains that went away). Never
 * duplicates: an existing rule of ours with the wanted shape is kept.
 */
export function planForwardAccept(l: RulesetListing, ownTable: string, devices: readonly string[]): ForwardAcceptPlan {
  const tag = acceptTag(ownTable);
  const changes = new Map<string, ChainChange>();
  const unsupported: ChainRef[] = [];
  const change = (target: ChainRef) => {
    const key = chainKey(target);
    let c = changes.get(key);
    if (c === undefined) changes.set(key, (c = { target, dropChains: [], deleteHandles: [], add: [] }));
    return c;
  };
  const wanted = new Map<string, Set<string>>();
  const devs = devices.filter((d) => IFNAME.test(d));
  if (devs.length > 0) {
    for (const drop of forwardDropChains(l, ownTable)) {
      const target = acceptTarget(l, drop);
      if (target === undefined) {
        unsupported.push(drop);
        continue;
      }
      change(target).dropChains.push(drop);
      const set = wanted.get(chainKey(target)) ?? new Set<string>();
      for (const d of devs) for (const dir of ["oifname", "iifname"] as const) set.add(`${dir} ${d}`);
      wanted.set(chainKey(target), set);
    }
  }
  const present = new Map<string, Set<string>>();
  for (const r of l.rules.filter((x) => x.comment === tag)) {
    const key = chainKey(r);
    const rule = readAcceptRule(r.expr);
    const id = rule && `${rule.direction} ${rule.device}`;
    const seen = present.get(key) ?? new Set<string>();
    present.set(key, seen);
    if (id !== undefined && wanted.get(key)?.has(id) && !seen.has(id)) seen.add(id);
    else change({ family: r.family, table: r.table, chain: r.chain }).deleteHandles.push(r.handle);
  }
  for (const [key, set] of wanted) {
    const c = changes.get(key);
    if (c === undefined) continue;
    for (const id of set) {
      if (present.get(key)?.has(id)) continue;
      const [direction, device] = id.split(" ") as [AcceptDirection, string];
      c.add.push({ direction, device });
    }
  }
  return { changes: [...changes.values()].filter((c) => c.add.length > 0 || c.deleteHandles.length > 0 || c.dropChains.length > 0), unsupported };
}

/** One chain's changes as an `nft -f` script; empty when there is nothing to do. */
export function renderChainChange(c: ChainChange, ownTable: string): string {
  const where = `${c.target.family} ${c.target.table} ${c.target.chain}`;
  const lines = c.deleteHandles.map((h) => `delete rule ${where} handle ${h}\n`);
  // `insert` puts a rule first: ours run before anything in the chain that could drop.
  for (const r of c.add) lines.push(`insert rule ${where} ${r.direction} "${r.device}" accept comment "${acceptTag(ownTable)}"\n`);
  return lines.join("");
}
