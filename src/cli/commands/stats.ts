/** `infra stats`: CPU %, memory usage/limit, pids, network and block I/O of containers. */
import type { ContainerRecord } from "../../providers/local-runtime/container/container-record.js";
import { cpuPercent, type ContainerStats } from "../../providers/local-runtime/container/container-ops.js";
import type { Command } from "../command.js";
import { parseFlags } from "../parse-flags.js";
import { engineFor } from "./engine-session.js";

const mb = (n: number) => (Number.isFinite(n) ? `${(n / 1048576).toFixed(1)}MiB` : "unlimited");

export const statsCommand: Command = {
  name: ["stats"],
  aliases: [["container", "stats"]],
  summary: "Show resource usage of containers",
  usage: "Usage: infra stats [--no-stream] [--json] [NAME...]",
  flags: { "no-stream": { kind: "boolean" }, json: { kind: "boolean" } },
  async run(argv, io) {
    const f = parseFlags(argv, { "no-stream": { kind: "boolean" }, json: { kind: "boolean" } }, "stats");
    const c = await engineFor(io.env);
    const names = f.positionals.length ? f.positionals : (await c.call<ContainerRecord[]>("GET", "/containers")).map((r) => r.name);
    for (;;) {
      const a = await Promise.all(names.map((n) => c.call<ContainerStats>("GET", `/containers/${encodeURIComponent(n)}/stats`)));
      await new Promise((r) => setTimeout(r, 1000));
      const b = await Promise.all(names.map((n) => c.call<ContainerStats>("GET", `/containers/${encodeURIComponent(n)}/stats`)));
      const rows = b.map((s, i) => ({ ...s, cpuPercent: cpuPercent(a[i]!, s) }));
      if (f.booleans.json) io.stdout.write(JSON.stringify(rows, null, 2) + "\n");
      else io.stdout.write("NAME                CPU %    MEM USAGE / LIMIT        PIDS   NET I/O            BLOCK I/O\n" + rows.map((s) =>
        `${s.name.padEnd(20)}${s.cpuPercent.toFixed(2).padStart(6)}%   ${`${mb(s.memoryUsage)} / ${mb(s.memoryLimit)}`.padEnd(25)}${String(s.pids).padEnd(7)}${`${s.netRx}B / ${s.netTx}B`.padEnd(19)}${s.blkRead}B / ${s.blkWrite}B\n`).join(""));
      if (f.booleans["no-stream"] || f.booleans.json) return 0;
    }
  },
};
