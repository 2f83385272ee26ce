/** `infra network connect [--ip IP] [--alias A]... NETWORK CONTAINER`: attaches a running container in place. */
import type { Command, CommandIO } from "../command.js";
import { expectPositionals, parseFlags } from "../parse-flags.js";
import { type NetworkApiFactory, defaultNetworkApi } from "./network-api.js";

const NAME = "network connect";

export function makeNetworkConnectCommand(api: NetworkApiFactory = defaultNetworkApi): Command {
  return {
    name: ["network", "connect"],
    summary: "Connect a container to a network",
    usage: "Usage: infra network connect [--ip IP] [--alias NAME]... NETWORK CONTAINER",
    async run(argv: string[], io: CommandIO): Promise<number> {
      const f = parseFlags(argv, { ip: { kind: "string" }, alias: { kind: "list" } }, NAME);
      expectPositionals(f, 2, 2, NAME);
      const [network, container] = f.positionals as [string, string];
      const ep = await (await api(io.env)).connect(network, container, {
        aliases: f.lists.alias ?? [],
        ...(f.strings.ip !== undefined ? { ipv4Address: f.strings.ip } : {}),
      });
      io.stdout.write(`${ep.ifname} ${ep.ipv4Address}/${ep.prefixLength}\n`);
      return 0;
    },
  };
}

export const networkConnectCommand = makeNetworkConnectCommand();
