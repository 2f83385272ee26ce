/** `infra network rm NAME...`: removes networks without containers; stops at the first failure. */
import type { Command, CommandIO } from "../command.js";
import { expectPositionals, parseFlags } from "../parse-flags.js";
import { type NetworkApiFactory, defaultNetworkApi } from "./network-api.js";

const NAME = "network rm";

export function makeNetworkRmCommand(api: NetworkApiFactory = defaultNetworkApi): Command {
  return {
    name: ["network", "rm"],
    aliases: [["network", "remove"]],
    summary: "Remove networks",
    usage: "Usage: infra network rm NETWORK [NETWORK...]",
    async run(argv: string[], io: CommandIO): Promise<number> {
      const f = parseFlags(argv, {}, NAME);
      expectPositionals(f, 1, Infinity, NAME);
      const a = await api(io.env);
      for (const n of f.positionals) {
        await a.remove(n);
        io.stdout.write(n + "\n");
      }
      return 0;
    },
  };
}

export const networkRmCommand = makeNetworkRmCommand();
