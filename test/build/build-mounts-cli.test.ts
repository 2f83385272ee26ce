// `infra build` with COPY --from (from a stage and from an image) leaves no mount, scratch
// directory or build container behind: after success, after a failing RUN that follows a
// COPY --from, and after one SIGTERM during such a RUN. Runs bin/infra (build first).
import t from "tap";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runCommand } from "../../src/providers/local-runtime/host/run-command.js";
import { startCliEngine, stopCliEngine, type CliEngine } from "../local-runtime/cli-engine.js";

const bin = join(import.meta.dirname, "..", "..", "bin", "infra");
let h: CliEngine;
const children = new Set<ChildProcess>();
t.before(async () => { h = await startCliEngine("infra-bm-build-"); });
t.teardown(() => stopCliEngine(h, children));

/** Not spawnSync: the engine runs in this process and must answer meanwhile. */
function infra(args: string[], onOut?: (out: string, child: ChildProcess) => void): Promise<{ code: number | null; out: string }> {
  const child = spawn(bin, args, { env: h.env, stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  let out = "";
  const take = (d: Buffer) => { out += d.toString(); onOut?.(out, child); };
  child.stdout!.on("data", take);
  child.stderr!.on("data", take);
  return new Promise((resolve) => child.on("close", (code) => { children.delete(child); resolve({ code, out }); }));
}

async function leftovers(): Promise<{ mounts: string[]; buildDirs: string[]; runc: string[] }> {
  const mounts = (await readFile("/proc/self/mountinfo", "utf8")).split("\n").map((l) => l.split(" ")[4] ?? "").filter((m) => m.startsWith(h.dir));
  const ls = await runCommand("runc", ["--root", h.engine.layout.runcRoot, "list", "-q"]);
  return { mounts, buildDirs: await readdir(join(h.engine.layout.root, "build")).catch(() => []), runc: ls.stdout.split("\n").filter((id) => id.startsWith("build-")) };
}

t.test("COPY --from builds leave no mount behind", async (t) => {
  const ctx = join(h.dir, "ctx");
  await mkdir(ctx);
  const cases: Array<[string, string, number]> = [
    ["success", "FROM busybox AS a\nRUN echo hi > /x\nFROM busybox\nCOPY --from=a /x /y\nCOPY --from=busybox /etc/passwd /p\nRUN cat /y\n", 0],
    ["a failing RUN after COPY --from", "FROM busybox AS a\nRUN echo hi > /x\nFROM busybox\nCOPY --from=a /x /y\nRUN cat /y && false\n", 1],
    ["a missing COPY --from source", "FROM busybox AS a\nRUN echo hi > /x\nFROM busybox\nCOPY --from=a /nope /y\n", 1],
    ["one SIGTERM during a RUN after COPY --from", "FROM busybox AS a\nRUN echo hi > /x\nFROM busybox\nCOPY --from=a /x /y\nRUN echo started && sleep 20\n", 1],
  ];
  for (const [what, dockerfile, code] of cases) {
    await writeFile(join(ctx, "Dockerfile"), dockerfile);
    let sent = false;
    const r = await infra(["build", "--no-cache", "-t", "bm:1", ctx], (out, child) => {
      if (!sent && code === 1 && out.includes("started\n")) { sent = true; child.kill("SIGTERM"); }
    });
    t.equal(r.code, code, `${what}: ${r.out}`);
    t.same(await leftovers(), { mounts: [], buildDirs: [], runc: [] }, `${what}: nothing left`);
  }
});
