/** `infra system df`: disk space taken by images, containers, local volumes and the build cache. */
import type { DiskUsage, UsageSummary } from "../../providers/local-runtime/engine/engine-disk-usage.js";
import type { Command } from "../command.js";
import { expectPositionals, parseFlags, usageError } from "../parse-flags.js";
import { engineFor } from "./engine-session.js";
import { humanSize, table } from "./system-format.js";

const pct = (part: number, whole: number) => (whole > 0 ? ` (${Math.round((part / whole) * 100)}%)` : "");

/** Docker's summary table, and with `verbose` one table per kind. Pure. */
export function renderDiskUsage(u: DiskUsage, verbose: boolean): string {
  const row = (name: string, s: UsageSummary) => [name, String(s.total), String(s.active), humanSize(s.size), `${humanSize(s.reclaimable)}${pct(s.reclaimable, s.size)}`];
  let out = table([["TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"], row("Images", u.images), row("Containers", u.containers), row("Local Volumes", u.volumes), row("Build Cache", u.buildCache)]);
  if (verbose) {
    out += "\nImages space usage:\n\n" + table([["REPOSITORY:TAG", "IMAGE ID", "CREATED", "SIZE", "SHARED SIZE", "UNIQUE SIZE", "CONTAINERS"],
      ...u.images.items.map((i) => [i.names.join(", ") || "<none>", i.id.slice(7, 19), i.created, humanSize(i.size), humanSize(i.sharedSize), humanSize(i.size - i.sharedSize), String(i.containers)])]);
    out += "\nContainers space usage:\n\n" + table([["CONTAINER ID", "IMAGE", "STATE", "SIZE", "NAMES"],
      ...u.containers.items.map((c) => [c.id.slice(0, 12), c.image, c.state, humanSize(c.size), c.name])]);
    out += "\nLocal Volumes space usage:\n\n" + table([["VOLUME NAME", "LINKS", "SIZE"], ...u.volumes.items.map((v) => [v.name, String(v.links), humanSize(v.size)])]);
  }
  if (!u.complete) out += "\nSizes are lower bounds: measuring took longer than the engine allows (20 s).\n";
  return out;
}

export const systemDfCommand: Command = {
  name: ["system", "df"],
  summary: "Show disk space used by images, containers, volumes and the build cache",
  usage: [
    "Usage: infra system df [-v] [--format json]",
    "",
    "Sizes are measured by walking the engine's state root (image blobs and unpacked layers,",
    "container upper directories, volume data, build cache entries) within 20 s. ACTIVE counts",
    "images used by a container, running or paused containers, and volumes mounted by a container.",
    "RECLAIMABLE is what removing the unused ones would free (`infra system prune -a` for images",
    "and containers, `infra volume prune -a` for volumes).",
    "-v adds a table per kind.",
  ].join("\n"),
  async run(argv, io) {
    const f = parseFlags(argv, { verbose: { kind: "boolean", short: "v" }, format: { kind: "string" } }, "system df");
    expectPositionals(f, 0, 0, "system df");
    if (f.strings.format !== undefined && f.strings.format !== "json")
      throw usageError("INFRA_CLI_FLAG_VALUE_INVALID", `Flag --format of system df takes json, not "${f.strings.format}"`, "system df");
    const u = await (await engineFor(io.env)).call<DiskUsage>("GET", "/system/df");
    io.stdout.write(f.strings.format === "json" ? JSON.stringify(u, null, 2) + "\n" : renderDiskUsage(u, f.booleans.verbose === true));
    return 0;
  },
};
