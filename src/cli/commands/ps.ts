/** `infra ps`: containers as a table (health shown with the status), Docker's --format and --filter, or JSON. */
import type { ContainerRecord } from "../../providers/local-runtime/container/container-record.js";
import type { Command } from "../command.js";
import { expectPositionals, parseFlags, type FlagSpecs } from "../parse-flags.js";
import { engineFor } from "./engine-session.js";
import { parseTemplate } from "../go-template.js";
import { filterContainers, parseContainerFilters } from "./container-filter.js";
import { psRow, renderPs } from "./ps-format.js";

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

const DEFAULT_TABLE = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";

const PS_FLAGS: FlagSpecs = { all: { kind: "boolean", short: "a" }, quiet: { kind: "boolean", short: "q" }, json: { kind: "boolean" }, "no-trunc": { kind: "boolean" }, filter: { kind: "list", short: "f" }, format: { kind: "string" } };

export const psCommand: Command = {
  name: ["ps"],
  aliases: [["container", "ls"]],
  summary: "List containers",
  usage: `Usage: infra ps [OPTIONS]

  -a, --all              all containers (only running ones by default)
  -q, --quiet            only the ids
  --no-trunc             full ids and commands
  -f, --filter KEY=VAL   id, name, label (KEY or KEY=VALUE), status, network, ancestor, exited;
                         repeated: every key must match, any value of one key, every label
                         (a status or exited filter implies -a)
  --format FORMAT        a Go template of Docker's fields: {{.ID}} {{.Names}} {{.Image}} {{.Command}}
                         {{.Status}} {{.State}} {{.Ports}} {{.CreatedAt}} {{.RunningFor}} {{.Labels}}
                         {{.Label "k"}} {{.Mounts}} {{.Networks}}; "table ..." for aligned columns with
                         a header, "json" or {{json .}} for a JSON line per container
  --json                 the engine's records as a JSON array`,
  flags: PS_FLAGS,
  async run(argv, io) {
    const f = parseFlags(argv, PS_FLAGS, "ps");
    expectPositionals(f, 0, 0, "ps");
    const filters = parseContainerFilters(f.lists.filter ?? [], "ps");
    const format = f.strings.format;
    if (format !== undefined) parseTemplate(format, "ps"); // a bad template fails before the engine is asked
    const all = f.booleans.all === true || filters.has("status") || filters.has("exited");
    const list = filterContainers(await (await engineFor(io.env)).call<ContainerRecord[]>("GET", `/containers?all=${all ? 1 : 0}`), filters);
    if (f.booleans.json) { io.stdout.write(JSON.stringify(list, null, 2) + "\n"); return 0; }
    const noTrunc = f.booleans["no-trunc"] === true;
    if (f.booleans.quiet) { io.stdout.write(list.map((r) => (noTrunc ? r.id : r.id.slice(0, 12)) + "\n").join("")); return 0; }
    io.stdout.write(renderPs(format ?? DEFAULT_TABLE, list.map((r) => psRow(r, statusText(r), noTrunc))));
    return 0;
  },
};
