/** `infra ps`: containers as a table (health shown with the status) or JSON. */
import type { ContainerRecord } from "../../providers/local-runtime/container/container-record.js";
import type { Command } from "../command.js";
import { expectPositionals, parseFlags } from "../parse-flags.js";
import { engineFor } from "./engine-session.js";
import { portsColumn } from "./port.js";

export function statusText(r: ContainerRecord, now = Date.now()): string {
  const ago = (t?: string) => {
    const s = t ? Math.max(0, Math.round((now - Date.parse(t)) / 1000)) : 0;
    return s < 60 ? `${s} seconds` : s < 3600 ? `${Math.round(s / 60)} minutes` : `${Math.round(s / 3600)} hours`;
  };
  if (r.state === "running") return `Up ${ago(r.startedAt)}${r.health ? ` (${r.health.status})` : ""}`;
  if (r.state === "paused") return `Up ${ago(r.startedAt)} (Paused)`;
  if (r.state === "exited") return `Exited (${r.exitCode ?? 0}) ${ago(r.finishedAt)} ago${r.oomKilled ? " (OOMKilled)" : ""}`;
  return "Created";
}

export const psCommand: Command = {
  name: ["ps"],
  aliases: [["container", "ls"]],
  summary: "List containers",
  usage: "Usage: infra ps [-a] [-q] [--json]",
  async run(argv, io) {
    const f = parseFlags(argv, { all: { kind: "boolean", short: "a" }, quiet: { kind: "boolean", short: "q" }, json: { kind: "boolean" } }, "ps");
    expectPositionals(f, 0, 0, "ps");
    const list = await (await engineFor(io.env)).call<ContainerRecord[]>("GET", `/containers?all=${f.booleans.all ? 1 : 0}`);
    if (f.booleans.json) { io.stdout.write(JSON.stringify(list, null, 2) + "\n"); return 0; }
    if (f.booleans.quiet) { io.stdout.write(list.map((r) => r.id.slice(0, 12) + "\n").join("")); return 0; }
    const rows = [["CONTAINER ID", "IMAGE", "COMMAND", "STATUS", "PORTS", "NAMES"],
      ...list.map((r) => [r.id.slice(0, 12), r.spec.image, JSON.stringify((r.spec.command ?? []).join(" ")).slice(0, 22), statusText(r), portsColumn(r.network?.ports ?? []), r.name])];
    const w = rows[0]!.map((_, i) => Math.max(...rows.map((x) => x[i]!.length)));
    io.stdout.write(rows.map((x) => x.map((c, i) => c.padEnd(w[i]!)).join("   ").trimEnd() + "\n").join(""));
    return 0;
  },
};
