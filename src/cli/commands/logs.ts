/** `infra logs`: a container's output, with -f, --since, --tail and -t. */
import type { LogLine } from "../../providers/local-runtime/container/log-file.js";
import type { Command } from "../command.js";
import { expectPositionals, parseFlags } from "../parse-flags.js";
import { engineFor } from "./engine-session.js";

export const logsCommand: Command = {
  name: ["logs"],
  aliases: [["container", "logs"]],
  summary: "Show a container's output",
  usage: "Usage: infra logs [-f|--follow] [--since TIME|5m] [-n|--tail N] [-t|--timestamps] NAME\n\nShort flags combine: -ft.",
  flags: { follow: { kind: "boolean", short: "f" }, since: { kind: "string" }, tail: { kind: "string", short: "n" }, timestamps: { kind: "boolean", short: "t" } },
  async run(argv, io) {
    const f = parseFlags(argv, logsCommand.flags!, "logs");
    expectPositionals(f, 1, 1, "logs");
    const q = new URLSearchParams();
    if (f.strings.since) q.set("since", f.strings.since);
    if (f.strings.tail) q.set("tail", f.strings.tail);
    const write = (l: LogLine) => (l.stream === "stderr" ? io.stderr : io.stdout).write(`${f.booleans.timestamps ? `${l.time} ` : ""}${l.text}\n`);
    const engine = await engineFor(io.env);
    const path = `/containers/${encodeURIComponent(f.positionals[0]!)}/logs`;
    if (f.booleans.follow) { q.set("follow", "1"); await engine.stream(`${path}?${q}`, (x) => write(x as LogLine), io.signal ? { signal: io.signal } : {}); }
    else for (const l of await engine.call<LogLine[]>("GET", `${path}?${q}`)) write(l);
    return 0;
  },
};
