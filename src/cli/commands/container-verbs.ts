/**
 * The container verbs that take names and a few flags: start, stop, kill, restart, rm, pause,
 * unpause, wait, top. One table, one shape: call the engine for each name.
 */
import type { ContainerRecord } from "../../providers/local-runtime/container/container-record.js";
import type { Command, CommandIO } from "../command.js";
import { expectPositionals, parseFlags, type FlagSpecs, type ParsedFlags } from "../parse-flags.js";
import { engineFor } from "./engine-session.js";
import type { EngineClient } from "../../providers/local-runtime/engine/engine-client.js";

interface Verb {
  name: string;
  summary: string;
  flags: FlagSpecs;
  usage: string;
  each(engine: EngineClient, id: string, f: ParsedFlags, io: CommandIO): Promise<number | void>;
}

const e = encodeURIComponent;

const VERBS: Verb[] = [
  { name: "start", summary: "Start stopped containers", flags: {}, usage: "infra start NAME...", each: async (c, id, _f, io) => { await c.call("POST", `/containers/${e(id)}/start`); io.stdout.write(id + "\n"); } },
  { name: "stop", summary: "Stop running containers (signal, then SIGKILL after the timeout)", flags: { time: { kind: "string", short: "t" } }, usage: "infra stop [-t|--time SECONDS] NAME...",
    each: async (c, id, f, io) => { await c.call("POST", `/containers/${e(id)}/stop${f.strings.time ? `?t=${e(f.strings.time)}` : ""}`); io.stdout.write(id + "\n"); } },
  { name: "restart", summary: "Restart containers", flags: { time: { kind: "string", short: "t" } }, usage: "infra restart [-t|--time SECONDS] NAME...",
    each: async (c, id, f, io) => { await c.call("POST", `/containers/${e(id)}/restart${f.strings.time ? `?t=${e(f.strings.time)}` : ""}`); io.stdout.write(id + "\n"); } },
  { name: "kill", summary: "Send a signal to containers", flags: { signal: { kind: "string", short: "s" } }, usage: "infra kill [-s|--signal SIGNAL] NAME...",
    each: async (c, id, f, io) => { await c.call("POST", `/containers/${e(id)}/kill?signal=${e(f.strings.signal ?? "SIGKILL")}`); io.stdout.write(id + "\n"); } },
  { name: "rm", summary: "Remove containers", flags: { force: { kind: "boolean", short: "f" }, volumes: { kind: "boolean", short: "v" } }, usage: "infra rm [-f|--force] [-v|--volumes] NAME...   (short flags combine: -fv)",
    each: async (c, id, f, io) => { await c.call("DELETE", `/containers/${e(id)}?force=${f.booleans.force ? 1 : 0}&volumes=${f.booleans.volumes ? 1 : 0}`); io.stdout.write(id + "\n"); } },
  { name: "pause", summary: "Freeze all processes of containers", flags: {}, usage: "infra pause NAME...", each: async (c, id, _f, io) => { await c.call("POST", `/containers/${e(id)}/pause`); io.stdout.write(id + "\n"); } },
  { name: "unpause", summary: "Thaw paused containers", flags: {}, usage: "infra unpause NAME...", each: async (c, id, _f, io) => { await c.call("POST", `/containers/${e(id)}/unpause`); io.stdout.write(id + "\n"); } },
  { name: "wait", summary: "Wait until containers stop; print their exit codes", flags: {}, usage: "infra wait NAME...",
    each: async (c, id, _f, io) => { const r = await c.call<ContainerRecord>("POST", `/containers/${e(id)}/wait`); io.stdout.write(`${r.exitCode ?? 0}\n`); } },
  { name: "top", summary: "Show the processes of a container", flags: {}, usage: "infra top NAME",
    each: async (c, id, _f, io) => { io.stdout.write((await c.call<{ text: string }>("GET", `/containers/${e(id)}/top`)).text); } },
];

function makeVerb(v: Verb): Command {
  return {
    name: [v.name],
    aliases: [["container", v.name]],
    summary: v.summary,
    usage: `Usage: ${v.usage}`,
    flags: v.flags,
    async run(argv, io) {
      const f = parseFlags(argv, v.flags, v.name);
      expectPositionals(f, 1, Infinity, v.name);
      const engine = await engineFor(io.env);
      let code = 0;
      for (const id of f.positionals) {
        const r = await v.each(engine, id, f, io);
        if (typeof r === "number") code = r;
      }
      return code;
    },
  };
}

export const containerVerbCommands: Command[] = VERBS.map(makeVerb);
