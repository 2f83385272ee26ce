/** `infra network ls`: the engine's networks, as a table, ids only (-q) or JSON. */
import type { Command, CommandIO } from "../command.js";
import { expectPositionals, parseFlags } from "../parse-flags.js";
import { type NetworkApiFactory, defaultNetworkApi } from "./network-api.js";

const NAME = "network ls";

export function makeNetworkLsCommand(api: NetworkApiFactory = defaultNetworkApi): Command {
  return {
    name: ["network", "ls"],
    aliases: [["network", "list"]],
    summary: "List networks",
    usage: "Usage: infra network ls [-q] [--json]\n\n  -q      only ids\n  --json  the records as JSON",
    async run(argv: string[], io: CommandIO): Promise<number> {
      const f = parseFlags(argv, { quiet: { kind: "boolean", short: "q" }, json: { kind: "boolean" } }, NAME);
      expectPositionals(f, 0, 0, NAME);
      const nets = (await (await api(io.env)).list()).sort((a, b) => a.name.localeCompare(b.name));
      if (f.booleans.json) io.stdout.write(JSON.stringify(nets, null, 2) + "\n");
      else if (f.booleans.quiet) io.stdout.write(nets.map((n) => n.id.slice(0, 12) + "\n").join(""));
      else {
        const rows = [["NETWORK ID", "NAME", "DRIVER", "SUBNET", "INTERNAL"], ...nets.map((n) => [n.id.slice(0, 12), n.name, n.driver, n.subnet || "-", n.internal ? "yes" : ""])];
        const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
        io.stdout.write(rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join("   ").trimEnd() + "\n").join(""));
      }
      return 0;
    },
  };
}

export const networkLsCommand = makeNetworkLsCommand();
