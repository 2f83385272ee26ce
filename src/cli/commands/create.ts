/** `infra create`: create a container without starting it; prints its id. */
import type { Command } from "../command.js";
import { reportRunFailure } from "../run-failure.js";
import { CONTAINER_FLAGS } from "./container-flags.js";
import { RUN_USAGE, runContainer } from "./run.js";

export const createCommand: Command = {
  name: ["create"],
  aliases: [["container", "create"]],
  summary: "Create a new container",
  usage: RUN_USAGE.replace("Usage: infra run", "Usage: infra create").replace(/\n\nShort flags combine[^]*$/, "\n\nShort flags combine (-itd, -p8080:80). Exit codes: 125 when infra failed, as Docker's."),
  flags: CONTAINER_FLAGS,
  run: (argv, io) => runContainer(argv, io, false, "create").catch((e: unknown) => reportRunFailure(e, io)),
};
