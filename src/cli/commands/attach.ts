/**
 * `infra attach`: the terminal joins a running container's stdio. Its output streams here, stdin
 * goes to it (when it was started with -i), ctrl-p ctrl-q detaches and leaves it running, and when
 * it exits, attach exits with its code.
 */
import { InfraError } from "../../diag/infra-error.js";
import type { ContainerRecord } from "../../providers/local-runtime/container/container-record.js";
import type { Command } from "../command.js";
import { parseFlags, usageError } from "../parse-flags.js";
import { engineFor } from "./engine-session.js";

const FLAGS = { stdin: { kind: "boolean" }, "detach-keys": { kind: "string" } } as const;

/** Docker's default. */

export const attachCommand: Command = {
  name: ["attach"],
  aliases: [["container", "attach"]],
  summary: "Attach the terminal to a running container's input and output",
  usage: `Usage: infra attach [--no-stdin] [--detach-keys KEYS] CONTAINER

  --no-stdin          do not send the terminal's input to the container
  --detach-keys KEYS  the keys that detach and leave the container running (default ctrl-p,ctrl-q)`,
  async run(argv, io) {
    const f = parseFlags(argv, FLAGS, "attach");
    const [name, ...extra] = f.positionals;
    if (!name || extra.length > 0) throw usageError("INFRA_CLI_ATTACH_ARGS", "attach needs exactly one container", "attach");
    const { detachKeysFlag, runAttached } = await import("./attach-session.js");
    const detachKeys = detachKeysFlag(f.strings["detach-keys"]);
    const engine = await engineFor(io.env);
    const rec = await engine.call<ContainerRecord>("GET", `/containers/${encodeURIComponent(name)}`);
    if (rec.state !== "running")
      throw new InfraError("INFRA_CLI_ATTACH_NOT_RUNNING", `cannot attach to container '${rec.name}': it is ${rec.state}`, {
        hint: rec.state === "paused" ? `unpause it first (\`infra unpause ${rec.name}\`)` : `start it first (\`infra start ${rec.name}\`), or read its output with \`infra logs ${rec.name}\``,
      });
    const wantStdin = f.booleans.stdin !== false;
    // Without -i the container has no stdin: the terminal is still read, for the detach keys only.
    const stdinOpen = rec.spec.stdinOpen === true;
    return runAttached(engine, `/containers/${rec.id}/attach`, io, {
      tty: rec.spec.tty === true,
      stdin: wantStdin,
      detachKeys,
      watchOnly: !stdinOpen,
    });
  },
};
