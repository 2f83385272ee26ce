import type { Command } from "../command.js";
import { infraVersion } from "../infra-version.js";
import { expectPositionals, parseFlags } from "../parse-flags.js";

export const versionCommand: Command = {
  name: ["version"],
  summary: "Print the version of infra",
  usage: "Usage: infra version\n\nPrints the version of infra (the same as infra --version).",
  async run(argv, io) {
    expectPositionals(parseFlags(argv, {}, "version"), 0, 0, "version");
    io.stdout.write(`infra ${infraVersion()}\n`);
    return 0;
  },
};
