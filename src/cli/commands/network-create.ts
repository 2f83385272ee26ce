/** `infra network create`: a bridge or macvlan network; prints its id. */
import type { Command, CommandIO } from "../command.js";
import { expectPositionals, parseFlags } from "../parse-flags.js";
import { type NetworkApiFactory, defaultNetworkApi } from "./network-api.js";
import { CREATE_FLAGS, createSpecFromFlags } from "./network-create-flags.js";

const NAME = "network create";

export function makeNetworkCreateCommand(api: NetworkApiFactory = defaultNetworkApi): Command {
  return {
    name: ["network", "create"],
    summary: "Create a network",
    usage: [
      "Usage: infra network create [OPTIONS] NAME",
      "",
      "  -d, --driver bridge|macvlan   default bridge",
      "  --subnet CIDR                 chosen from the pool when absent (never overlapping the host's routes)",
      "  --gateway IP                  default: the subnet's first address",
      "  --ip-range CIDR               containers get addresses from this part of the subnet",
      "  --internal                    no outbound traffic",
      "  --label KEY=VALUE             repeatable",
      "  -o, --opt KEY=VALUE           parent=IFACE[.VLAN] and macvlan_mode=bridge for macvlan;",
      "                                com.docker.network.bridge.name, com.docker.network.driver.mtu",
    ].join("\n"),
    async run(argv: string[], io: CommandIO): Promise<number> {
      const f = parseFlags(argv, CREATE_FLAGS, NAME);
      expectPositionals(f, 1, 1, NAME);
      const spec = createSpecFromFlags(f.positionals[0]!, f, NAME);
      const rec = await (await api(io.env)).create(spec);
      io.stdout.write(rec.id + "\n");
      return 0;
    },
  };
}

export const networkCreateCommand = makeNetworkCreateCommand();
