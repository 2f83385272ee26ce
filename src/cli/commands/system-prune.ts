/** `infra system prune`: removes stopped containers, unused networks, dangling images and the build cache. */
import { createInterface } from "node:readline";
import { InfraError } from "../../diag/infra-error.js";
import type { PruneResult } from "../../providers/local-runtime/engine/engine-system-prune.js";
import type { Command, CommandIO } from "../command.js";
import { expectPositionals, parseFlags } from "../parse-flags.js";
import { engineFor } from "./engine-session.js";
import { humanSize } from "./system-format.js";

const NAME = "system prune";

/** Docker's warning: what will go. Pure. */
export function pruneWarning(all: boolean, volumes: boolean): string {
  return [
    "WARNING! This will remove:",
    "  - all stopped containers",
    "  - all networks not used by at least one container",
    ...(volumes ? ["  - all anonymous volumes not used by at least one container"] : []),
    all ? "  - all images without at least one container associated to them" : "  - all dangling images",
    "  - all build cache",
    "",
  ].join("\n");
}

/** What was deleted and the space reclaimed, as Docker prints it. Pure. */
export function renderPrune(r: PruneResult): string {
  const section = (title: string, items: string[]) => (items.length > 0 ? `${title}:\n${items.map((x) => x + "\n").join("")}\n` : "");
  return section("Deleted Containers", r.containers)
    + section("Deleted Networks", r.networks)
    + section("Deleted Volumes", r.volumes)
    + section("Deleted Images", [...r.images.untagged.map((n) => `untagged: ${n}`), ...r.images.deleted.map((d) => `deleted: ${d}`)])
    + (r.buildCacheEntries > 0 ? `Deleted build cache entries: ${r.buildCacheEntries}\n\n` : "")
    + `Total reclaimed space: ${humanSize(r.reclaimedBytes)}\n`;
}

async function approved(io: CommandIO, warning: string): Promise<boolean> {
  if (io.stdin.isTTY !== true)
    throw new InfraError("INFRA_CLI_APPROVAL_REQUIRED", `"infra ${NAME}" removes data and needs approval, and there is no terminal to ask on`, { hint: "Run it with -f (--force) to skip the question." });
  io.stdout.write(`${warning}\nAre you sure you want to continue? [y/N] `);
  const rl = createInterface({ input: io.stdin, terminal: false });
  try {
    const answer = await new Promise<string>((resolve) => { rl.once("line", resolve); rl.once("close", () => resolve("")); });
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

export const systemPruneCommand: Command = {
  name: ["system", "prune"],
  summary: "Remove stopped containers, unused networks, dangling images and the build cache",
  usage: [
    "Usage: infra system prune [-a] [--volumes] [-f] [--filter until=TIME|label=KEY[=VALUE]|label!=KEY[=VALUE]]...",
    "",
    "Removes every stopped (exited or created) container, every user network no container refers",
    "to, dangling images (layers and blobs no named image or container holds) and the build cache,",
    "then prints what was deleted and the space reclaimed.",
    "  -a, --all     also every image that no container uses",
    "  --volumes     also anonymous volumes that no container uses (`infra volume prune -a` removes",
    "                named ones too)",
    "  -f, --force   do not ask for confirmation (needed without a terminal)",
    "  --filter      until=TIME (RFC 3339, epoch seconds, or a duration such as 24h: only objects",
    "                created before it), label=KEY[=VALUE], label!=KEY[=VALUE]; with a filter the",
    "                build cache is kept",
  ].join("\n"),
  async run(argv, io) {
    const f = parseFlags(argv, { all: { kind: "boolean", short: "a" }, volumes: { kind: "boolean" }, force: { kind: "boolean", short: "f" }, filter: { kind: "list" } }, NAME);
    expectPositionals(f, 0, 0, NAME);
    const all = f.booleans.all === true;
    const volumes = f.booleans.volumes === true;
    if (!f.booleans.force && !(await approved(io, pruneWarning(all, volumes)))) return 1;
    const q = new URLSearchParams({ all: all ? "1" : "0", volumes: volumes ? "1" : "0" });
    for (const x of f.lists.filter ?? []) q.append("filter", x);
    const r = await (await engineFor(io.env)).call<PruneResult>("POST", `/system/prune?${q}`);
    io.stdout.write(renderPrune(r));
    return 0;
  },
};
