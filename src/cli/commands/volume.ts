/** `infra volume create|ls|inspect|rm|prune`. */
import type { VolumeRecord } from "../../providers/local-runtime/volume/volume-store.js";
import type { Command } from "../command.js";
import { expectPositionals, parseFlags } from "../parse-flags.js";
import { engineFor } from "./engine-session.js";

const e = encodeURIComponent;

export const volumeCommands: Command[] = [
  {
    name: ["volume", "create"], summary: "Create a named volume", usage: "Usage: infra volume create [-l K=V] [NAME]",
    async run(argv, io) {
      const f = parseFlags(argv, { label: { kind: "list", short: "l" } }, "volume create");
      expectPositionals(f, 0, 1, "volume create");
      const labels = Object.fromEntries((f.lists.label ?? []).map((x) => [x.split("=")[0], x.slice(x.indexOf("=") + 1)]));
      const v = await (await engineFor(io.env)).call<VolumeRecord>("POST", "/volumes", { ...(f.positionals[0] ? { name: f.positionals[0] } : {}), labels });
      io.stdout.write(v.name + "\n");
      return 0;
    },
  },
  {
    name: ["volume", "ls"], aliases: [["volume", "list"]], summary: "List volumes", usage: "Usage: infra volume ls [-q] [--json]",
    async run(argv, io) {
      const f = parseFlags(argv, { quiet: { kind: "boolean", short: "q" }, json: { kind: "boolean" } }, "volume ls");
      expectPositionals(f, 0, 0, "volume ls");
      const list = await (await engineFor(io.env)).call<VolumeRecord[]>("GET", "/volumes");
      if (f.booleans.json) io.stdout.write(JSON.stringify(list, null, 2) + "\n");
      else io.stdout.write((f.booleans.quiet ? "" : "DRIVER   VOLUME NAME\n") + list.map((v) => (f.booleans.quiet ? v.name : `local    ${v.name}`) + "\n").join(""));
      return 0;
    },
  },
  {
    name: ["volume", "inspect"], summary: "Show volumes as JSON", usage: "Usage: infra volume inspect NAME...",
    async run(argv, io) {
      const f = parseFlags(argv, {}, "volume inspect");
      expectPositionals(f, 1, Infinity, "volume inspect");
      const c = await engineFor(io.env);
      const out = [];
      for (const n of f.positionals) out.push(await c.call("GET", `/volumes/${e(n)}`));
      io.stdout.write(JSON.stringify(out, null, 2) + "\n");
      return 0;
    },
  },
  {
    name: ["volume", "rm"], summary: "Remove volumes (refuses a volume in use)", usage: "Usage: infra volume rm NAME...",
    async run(argv, io) {
      const f = parseFlags(argv, {}, "volume rm");
      expectPositionals(f, 1, Infinity, "volume rm");
      const c = await engineFor(io.env);
      for (const n of f.positionals) { await c.call("DELETE", `/volumes/${e(n)}`); io.stdout.write(n + "\n"); }
      return 0;
    },
  },
  {
    name: ["volume", "prune"], summary: "Remove unused anonymous volumes (-a: all unused)", usage: "Usage: infra volume prune [-a]",
    async run(argv, io) {
      const f = parseFlags(argv, { all: { kind: "boolean", short: "a" } }, "volume prune");
      expectPositionals(f, 0, 0, "volume prune");
      const r = await (await engineFor(io.env)).call<{ removed: string[] }>("POST", `/volumes/prune?all=${f.booleans.all ? 1 : 0}`);
      io.stdout.write(r.removed.map((n) => n + "\n").join(""));
      return 0;
    },
  },
];
