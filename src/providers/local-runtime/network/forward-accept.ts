/**
 * The host side of forward-accept-plan: lists the ruleset, applies one transaction per chain
 * (so that a firewall refusing our rules does not hold back the others) and returns the drop
 * chains that still block infra's bridges.
 */
import { type ChainRef, type RulesetListing, chainKey, parseRuleset, planForwardAccept, renderChainChange } from "./forward-accept-plan.js";
import { type ToolRunner, runTool } from "./run-tool.js";

export interface BlockingChain extends ChainRef {
  /** Why infra could not let its bridges through there. */
  reason: string;
}

export class ForwardAccept {
  constructor(
    private readonly ownTable: string,
    private readonly run: ToolRunner = runTool,
  ) {}

  async listing(): Promise<RulesetListing> {
    return parseRuleset((await this.run("nft", ["-j", "list", "ruleset"])).stdout);
  }

  /**
   * Adds what is missing, deletes our rules that are no longer wanted (all of them when
   * `devices` is empty), and reports the drop chains left blocking. Idempotent.
   */
  async sync(devices: readonly string[]): Promise<BlockingChain[]> {
    let failed = await this.applyOnce(devices);
    // A chain can change between listing and applying (another engine reloading): retry once on a fresh listing.
    if (failed.length > 0) failed = await this.applyOnce(devices);
    return failed;
  }

  /** Read only: drop chains where some of `devices` are not let through. */
  async blocking(devices: readonly string[]): Promise<BlockingChain[]> {
    const plan = planForwardAccept(await this.listing(), this.ownTable, devices);
    return [
      ...plan.unsupported.map((c) => ({ ...c, reason: unsupportedReason(c) })),
      ...plan.changes.filter((c) => c.add.length > 0).flatMap((c) =>
        c.dropChains.map((d) => ({ ...d, reason: `infra's accept rules are missing from ${chainKey(c.target)}` })),
      ),
    ];
  }

  private async applyOnce(devices: readonly string[]): Promise<BlockingChain[]> {
    const plan = planForwardAccept(await this.listing(), this.ownTable, devices);
    const failed: BlockingChain[] = plan.unsupported.map((c) => ({ ...c, reason: unsupportedReason(c) }));
    for (const c of plan.changes) {
      const script = renderChainChange(c, this.ownTable);
      if (script === "") continue;
      try {
        await this.run("nft", ["-f", "-"], script);
      } catch (e) {
        const reason = `changing infra's rules in ${chainKey(c.target)} failed: ${(e as Error).message}`;
        failed.push(...(c.dropChains.length > 0 ? c.dropChains : [c.target]).map((d) => ({ ...d, reason })));
      }
    }
    return failed;
  }
}

function unsupportedReason(c: ChainRef): string {
  return `infra adds rules only to ip, ip6 and inet chains with plain names; ${chainKey(c)} is left as it is`;
}
