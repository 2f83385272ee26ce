/** `infra network inspect NAME...`: the records as a JSON array (as `docker network inspect`). */
import type { Command, CommandIO } from "../command.js";
import { expectPositionals, parseFlags } from "../parse-flags.js";
import { type NetworkApiFactory, defaultNetworkApi } from "./network-api.js";

const NAME = "network inspect";

export function makeNetworkInspectCommand(api: NetworkApiFactory = defaultNetworkApi): Command {
  return {
    name: ["network", "inspect"],
    summary: "Show networks in detail",
    usage: "Usage: infra network inspect NETWORK [NETWORK...]",
    async run(argv: string[], io: CommandIO): Promise<number> {
      const f = parseFlags(argv, {}, NAME);
      expectPositionals(f, 1, Infinity, NAME);
      const a = await api(io.env);
      const recs = [];
      for (const n of f.positionals) recs.push(await a.inspect(n));
      io.stdout.write(JSON.stringify(recs, null, 2) + "\n");
      return 0;
    },
  };
}

export const networkInspectCommand = makeNetworkInspectCommand();
