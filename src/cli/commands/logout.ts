/** `infra logout HOST`: forgets the stored credentials of a registry. */
import { authFilePath, normalizeRegistryHost, removeCredentials } from "../../providers/local-runtime/registry/credentials.js";
import type { Command, CommandIO } from "../command.js";
import { expectPositionals, parseFlags } from "../parse-flags.js";

const NAME = "logout";

export const logoutCommand: Command = {
  name: ["logout"],
  summary: "Remove the stored credentials of a registry",
  usage: "Usage: infra logout HOST[:PORT]\n\nRemoves HOST's entry from the credentials file that `infra login` writes.",
  async run(argv: string[], io: CommandIO): Promise<number> {
    const flags = parseFlags(argv, {}, NAME);
    expectPositionals(flags, 1, 1, NAME);
    const host = normalizeRegistryHost(flags.positionals[0] as string);
    const removed = await removeCredentials(authFilePath(io.env), host);
    io.stdout.write(removed ? `Removed the credentials of ${host}\n` : `Not logged in to ${host}\n`);
    return 0;
  },
};
