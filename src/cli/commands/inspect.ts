/**
 * `infra inspect`: containers as a JSON array, Docker's field names beside the engine's; or each
 * through `--format` (`-f` after the verb, as Docker's: infra's global `-f FILE` goes before it).
 */
import type { ContainerRecord } from "../../providers/local-runtime/container/container-record.js";
import type { Command } from "../command.js";
import { parseTemplate, renderTemplate } from "../go-template.js";
import { expectPositionals, parseFlags, type FlagSpecs } from "../parse-flags.js";
import { reportError } from "../main.js";
import { dockerInspect } from "./docker-inspect.js";
import { engineFor } from "./engine-session.js";

const FLAGS: FlagSpecs = { format: { kind: "string", short: "f" }, json: { kind: "boolean" } };

export const inspectCommand: Command = {
  name: ["inspect"],
  aliases: [["container", "inspect"]],
  summary: "Show containers as JSON (Docker's fields and the engine's record)",
  usage: `Usage: infra inspect [OPTIONS] NAME...

  -f, --format FORMAT   a Go template per container, e.g. '{{.State.Status}}',
                        '{{.NetworkSettings.Networks.mynet.IPAddress}}', '{{json .Config.Labels}}'
  --json                JSON (the default: an array, one object per container)

-f after the verb is the format, as in Docker; before it (infra -f FILE inspect) it stays the
global stack file, which inspect does not use.`,
  flags: FLAGS,
  async run(argv, io) {
    const f = parseFlags(argv, FLAGS, "inspect");
    expectPositionals(f, 1, Infinity, "inspect");
    const template = f.strings.format !== undefined ? parseTemplate(f.strings.format, "inspect") : undefined;
    const engine = await engineFor(io.env);
    const found: Record<string, unknown>[] = [];
    let code = 0;
    for (const name of f.positionals) {
      try {
        const rec = await engine.call<ContainerRecord>("GET", `/containers/${encodeURIComponent(name)}`);
        // The image may be gone (removed with --force): then Config.Env is the container's own.
        const image = await engine.call<{ config?: { config?: { Env?: string[] } } }>("GET", `/images/${encodeURIComponent(rec.imageId)}`).catch(() => undefined);
        found.push(dockerInspect(rec, image?.config?.config?.Env ?? []));
      } catch (e) {
        // As Docker: the ones found are printed, each missing one is an error, and the exit is 1.
        code = await reportError(e, io);
      }
    }
    if (template) io.stdout.write(found.map((o) => renderTemplate(template, o, "inspect") + "\n").join(""));
    else io.stdout.write(JSON.stringify(found, null, 2) + "\n");
    return code;
  },
};
