/**
 * Finds other tables' forward base chains whose policy is drop (Docker's FORWARD with
 * br_netfilter). Our accepts cannot override them (each base chain decides on its own), so
 * the engine reports them instead of failing silently. Reads only; never changes them.
 */
import { type Diagnostic, warningDiag } from "../../../diag/diagnostic.js";
import { type ToolRunner, runTool } from "./run-tool.js";

export interface ForwardDrop {
  family: string;
  table: string;
  chain: string;
}

interface ChainJson {
  chain?: { family: string; table: string; name: string; hook?: string; policy?: string };
}

/** Pure: forward-hook base chains with policy drop, outside `ownTable`. */
export function forwardDrops(listing: string, ownTable: string): ForwardDrop[] {
  const parsed = JSON.parse(listing) as { nftables?: ChainJson[] };
  return (parsed.nftables ?? [])
    .map((e) => e.chain)
    .filter((c): c is NonNullable<ChainJson["chain"]> => c !== undefined && c.hook === "forward" && c.policy === "drop")
    .filter((c) => !(c.family === "inet" && c.table === ownTable))
    .map((c) => ({ family: c.family, table: c.table, chain: c.name }));
}

export async function findForwardDrops(ownTable: string, run: ToolRunner = runTool): Promise<ForwardDrop[]> {
  return forwardDrops((await run("nft", ["-j", "list", "chains"])).stdout, ownTable);
}

export function forwardDropWarning(d: ForwardDrop): Diagnostic {
  return warningDiag("INFRA_NET_FORWARD_DROP", `${d.family} table "${d.table}" drops forwarded traffic (chain ${d.chain}, policy drop)`, {
    detail:
      "Each nftables base chain decides on its own: an accept in infra's table cannot override another table's drop. " +
      "Traffic between containers and published ports from other hosts will be dropped there.",
    hint: "let infra's bridges through in that firewall, e.g. for Docker: iptables -I DOCKER-USER -i <bridge> -j ACCEPT and -o <bridge> -j ACCEPT",
  });
}
