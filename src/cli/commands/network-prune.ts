/** `infra network prune`: removes every user network without containers. */
import type { Command, CommandIO } from "../command.js";
import { expectPositionals, parseFlags } from "../parse-flags.js";
import { type NetworkApiFactory, defaultNetworkApi } from "./network-api.js";

const NAME = "network prune";

export function makeNetworkPruneCommand(api: NetworkApiFactory = defaultNetworkApi): Command {
  return {
    name: ["network", "prune"],
    summary: "Remove unused networks",
    usage: "Usage: infra network prune [-f]",
    async run(argv: string[], io: CommandIO): Promise<number> {
      // No prompt: -f is accepted for Docker compatibility.
      const f = parseFlags(argv, { force: { kind: "boolean", short: "f" } }, NAME);
      expectPositionals(f, 0, 0, NAME);
      const removed = await (await api(io.env)).prune();
      if (removed.length > 0) io.stdout.write(`Deleted Networks:\n${removed.map((n) => n + "\n").join("")}`);
      return 0;
    },
  };
}

export const networkPruneCommand = makeNetworkPruneCommand();
