/** `infra create`: create a container without starting it; prints its id. */
import type { Command } from "../command.js";
import { runContainer } from "./run.js";

export const createCommand: Command = {
  name: ["create"],
  aliases: [["container", "create"]],
  summary: "Create a new container",
  usage: [
    "Usage: infra create [OPTIONS] IMAGE [COMMAND] [ARG...]   (the options of `infra run`)",
    "",
    "Capabilities as with `infra run`: Docker's 14 defaults, MKNOD among them (mknod succeeds, the device",
    "cgroup denies opening the node: EPERM); --cap-drop MKNOD makes mknod fail. See docs/security.md.",
  ].join("\n"),
  run: (argv, io) => runContainer(argv, io, false, "create"),
};
