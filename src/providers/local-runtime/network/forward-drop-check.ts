/**
 * Other tables' forward base chains whose policy is drop (Docker's FORWARD with br_netfilter),
 * and the warning for those infra could not let its bridges through (see forward-accept-plan).
 */
import { type Diagnostic, warningDiag } from "../../../diag/diagnostic.js";
import { type ChainRef, DOCKER_USER, forwardDropChains, parseRuleset } from "./forward-accept-plan.js";

export interface ForwardDrop {
  family: string;
  table: string;
  chain: string;
  /** Why the chain still blocks infra's bridges, when known. */
  reason?: string;
}

/** Pure: forward-hook base chains with policy drop, outside `inet <ownTable>` (from `nft -j list chains` or `ruleset`). */
export function forwardDrops(listing: string, ownTable: string): ForwardDrop[] {
  return forwardDropChains(parseRuleset(listing), ownTable);
}

export function forwardDropWarning(d: ForwardDrop, bridges: readonly string[] = []): Diagnostic {
  const br = bridges.length > 0 ? bridges.join(", ") : "<bridge>";
  const docker = d.table === "filter" && (d.family === "ip" || d.family === "ip6");
  const cmd = d.family === "ip6" ? "ip6tables" : "iptables";
  const example = docker
    ? `for each bridge (${br}): ${cmd} -I ${DOCKER_USER} -i BRIDGE -j ACCEPT and ${cmd} -I ${DOCKER_USER} -o BRIDGE -j ACCEPT`
    : `for each bridge (${br}): add "iifname BRIDGE accept" and "oifname BRIDGE accept" at the top of ${chainRef(d)}`;
  return warningDiag("INFRA_NET_FORWARD_DROP", `${d.family} table "${d.table}" drops forwarded traffic of infra's bridges (chain ${d.chain}, policy drop)`, {
    detail:
      "Each nftables base chain decides on its own: an accept in infra's table cannot override another table's drop, so " +
      "traffic between containers, published ports and outbound traffic are dropped there." +
      (d.reason ? `\n${d.reason}` : ""),
    hint: `let infra's bridges through in that firewall, ${example}`,
    value: chainRef(d),
  });
}

function chainRef(c: ChainRef): string {
  return `${c.family} ${c.table} ${c.chain}`;
}
