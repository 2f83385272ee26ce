/** `infra create`: create a container without starting it; prints its id. */
import type { Command } from "../command.js";
import { reportRunFailure } from "../run-failure.js";
import { runContainer } from "./run.js";

export const createCommand: Command = {
  name: ["create"],
  aliases: [["container", "create"]],
  summary: "Create a new container",
  usage: "Usage: infra create [OPTIONS] IMAGE [COMMAND] [ARG...]   (the options of `infra run`)",
  run: (argv, io) => runContainer(argv, io, false, "create").catch((e: unknown) => reportRunFailure(e, io)),
};
