// `infra stats --no-stream` on real containers: one without a memory limit is shown against the
// host's memory (Docker's habit), one with `-m 64m` against 64MiB. Runs bin/infra (build first).
import t from "tap";
import { spawn, type ChildProcess } from "node:child_process";
import { totalmem } from "node:os";
import { join } from "node:path";
import { binarySize } from "../../src/cli/commands/stats-table.js";
import { startCliEngine, stopCliEngine, type CliEngine } from "./cli-engine.js";

const bin = join(import.meta.dirname, "..", "..", "bin", "infra");
const prefix = `st${process.pid}`;
let h: CliEngine;
const children = new Set<ChildProcess>();
t.before(async () => { h = await startCliEngine("infra-st-stats-"); });
t.teardown(() => stopCliEngine(h, children));

/** Not spawnSync: the engine runs in this process and must answer meanwhile. */
function infra(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(bin, args, { env: h.env, stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  let out = "";
  let err = "";
  child.stdout!.on("data", (d: Buffer) => { out += d.toString(); });
  child.stderr!.on("data", (d: Buffer) => { err += d.toString(); });
  return new Promise((resolve) => child.on("close", (code) => { children.delete(child); resolve({ code, out, err }); }));
}

t.test("stats: no memory limit shows the host's memory; MEM % against it", async (t) => {
  const free = `${prefix}-free`;
  const capped = `${prefix}-capped`;
  for (const [name, extra] of [[free, []], [capped, ["-m", "64m"]]] as const) {
    const r = await infra(["run", "-d", "--name", name, "--network", "none", ...extra, "busybox", "sleep", "60"]);
    t.equal(r.code, 0, r.err);
  }
  const s = await infra(["stats", "--no-stream", free, capped]);
  t.equal(s.code, 0, s.err);
  const lines = s.out.trimEnd().split("\n");
  t.match(lines[0], /^NAME +CPU % +MEM USAGE \/ LIMIT +MEM % +NET I\/O +BLOCK I\/O +PIDS$/);
  const cells = (name: string) => lines.find((l) => l.startsWith(name))?.split(/ {3,}/) ?? [];
  t.match(cells(free)[2], new RegExp(` / ${binarySize(totalmem()).replace(".", "\\.")}$`), `limit of ${free} is the host's memory: ${s.out}`);
  t.match(cells(capped)[2], / \/ 64MiB$/);
  for (const n of [free, capped]) t.match(cells(n)[3], /^\d+\.\d\d%$/, `${n}: MEM % is a percentage`);
});
