/** `infra events`: the engine's live stream of container, network, image and volume events. */
import type { EngineEvent } from "../../providers/local-runtime/engine/engine-events.js";
import type { Command } from "../command.js";
import { expectPositionals, parseFlags, usageError } from "../parse-flags.js";
import { engineFor } from "./engine-session.js";

const NAME = "events";

/** Docker's default line: `2024-05-01T10:00:00.123456789Z container die 3f2a… (exitCode=3, name=web)`. Pure. */
export function renderEvent(e: EngineEvent): string {
  const iso = new Date(Math.floor(e.timeNano / 1e6)).toISOString().replace(/\.\d+Z$/, "");
  const nanos = `${String(Math.floor((e.timeNano % 1e9) / 1000)).padStart(6, "0")}000`;
  const attrs = Object.entries(e.Actor.Attributes).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`).join(", ");
  return `${iso}.${nanos}Z ${e.Type} ${e.Action} ${e.Actor.ID}${attrs ? ` (${attrs})` : ""}\n`;
}

export const eventsCommand: Command = {
  name: ["events"],
  aliases: [["system", "events"]],
  summary: "Stream the engine's container, network, image and volume events",
  usage: [
    "Usage: infra events [--since TIME] [--until TIME] [--filter KEY=VALUE]... [--format json]",
    "",
    "Prints events as they happen until Ctrl-C or SIGTERM. The engine keeps its last 1000 events in",
    "memory: --since replays those at or after TIME, then follows; --until stops at TIME (with a past",
    "TIME, only the replay is printed). TIME is RFC 3339 (2024-05-01T10:00:00Z), epoch seconds, or a",
    "duration back from now (30s, 10m, 2h).",
    "",
    "Events: container create, start, die (exitCode), kill, stop, pause, unpause, oom, destroy,",
    "health_status; network create, connect, disconnect, destroy (connect/disconnect: the network",
    "verbs; a container's own networks at its start are not reported); image pull, tag (also a",
    "build's tags), load, import, untag, delete (pull, tag, load, import and build run in the CLI",
    "process and are reported to a running engine); volume create, destroy (the volume verbs).",
    "",
    "Filters (values of one key are alternatives, different keys must all match):",
    "  type=container|network|image|volume   event=ACTION   container=NAME|ID   image=NAME",
    "  label=KEY[=VALUE]   network=NAME|ID   volume=NAME",
    "",
    "--format json prints one JSON object per line with Docker's fields: Type, Action,",
    "Actor {ID, Attributes}, scope, time, timeNano.",
  ].join("\n"),
  async run(argv, io) {
    const f = parseFlags(argv, { since: { kind: "string" }, until: { kind: "string" }, filter: { kind: "list" }, format: { kind: "string" } }, NAME);
    expectPositionals(f, 0, 0, NAME);
    const format = f.strings.format;
    if (format !== undefined && format !== "json")
      throw usageError("INFRA_CLI_FLAG_VALUE_INVALID", `Flag --format of events takes json, not "${format}"`, NAME);
    const q = new URLSearchParams();
    if (f.strings.since !== undefined) q.set("since", f.strings.since);
    if (f.strings.until !== undefined) q.set("until", f.strings.until);
    for (const x of f.lists.filter ?? []) q.append("filter", x);
    const engine = await engineFor(io.env);
    const write = (e: EngineEvent) => io.stdout.write(format === "json" ? JSON.stringify(e) + "\n" : renderEvent(e));
    await engine.stream(`/events?${q}`, (x) => write(x as EngineEvent), io.signal ? { signal: io.signal } : {});
    return 0;
  },
};
