/** `infra network disconnect NETWORK CONTAINER`: detaches a running container in place. */
import type { Command, CommandIO } from "../command.js";
import { expectPositionals, parseFlags } from "../parse-flags.js";
import { type NetworkApiFactory, defaultNetworkApi } from "./network-api.js";

const NAME = "network disconnect";

export function makeNetworkDisconnectCommand(api: NetworkApiFactory = defaultNetworkApi): Command {
  return {
    name: ["network", "disconnect"],
    summary: "Disconnect a container from a network",
    usage: "Usage: infra network disconnect [-f] NETWORK CONTAINER",
    async run(argv: string[], io: CommandIO): Promise<number> {
      // -f is accepted for Docker compatibility; disconnecting never needs forcing here.
      const f = parseFlags(argv, { force: { kind: "boolean", short: "f" } }, NAME);
      expectPositionals(f, 2, 2, NAME);
      const [network, container] = f.positionals as [string, string];
      await (await api(io.env)).disconnect(network, container);
      return 0;
    },
  };
}

export const networkDisconnectCommand = makeNetworkDisconnectCommand();
