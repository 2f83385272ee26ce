/** Applies nft scripts to infra's own table; never lists, flushes or deletes any other table. */
import { type ToolRunner, runTool } from "./run-tool.js";
import { renderDeleteTable } from "./nft-ruleset.js";

export class Nft {
  constructor(
    readonly table: string,
    private readonly run: ToolRunner = runTool,
  ) {}

  /** One `nft -f -` call: the whole script commits or none of it does. */
  async apply(script: string): Promise<void> {
    await this.run("nft", ["-f", "-"], script);
  }

  /** A script that deletes (a container's ports): a table removed behind infra's back has nothing left to delete. */
  async applyDelete(script: string): Promise<void> {
    try {
      await this.apply(script);
    } catch (e) {
      // One `nft` process in the usual case; the check for a missing table only after a failure.
      if (await this.exists().catch(() => true)) throw e;
    }
  }

  async exists(): Promise<boolean> {
    const { stdout } = await this.run("nft", ["-j", "list", "tables", "inet"]);
    const parsed = JSON.parse(stdout) as { nftables?: Array<{ table?: { family: string; name: string } }> };
    return (parsed.nftables ?? []).some((e) => e.table?.family === "inet" && e.table.name === this.table);
  }

  /** The table as `nft list` prints it, or undefined when it is absent. */
  async list(): Promise<string | undefined> {
    if (!(await this.exists())) return undefined;
    return (await this.run("nft", ["list", "table", "inet", this.table])).stdout;
  }

  async deleteTable(): Promise<void> {
    await this.apply(renderDeleteTable(this.table));
  }
}
