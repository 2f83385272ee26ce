/**
 * An engine in a child process (as the CLI starts it) on a temp root, for tests that stop and
 * restart it. The teardown it registers removes every container, stops the engine and leaves no
 * runc state, cgroup or file behind.
 */
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Test } from "tap";
import { ensureEngine } from "../../src/providers/local-runtime/engine/ensure-engine.js";
import type { EngineClient } from "../../src/providers/local-runtime/engine/engine-client.js";
import type { ContainerRecord } from "../../src/providers/local-runtime/container/container-record.js";
import { resolveLayout, type Layout } from "../../src/providers/local-runtime/layout.js";
import { removeCgroupParent } from "../../src/providers/local-runtime/container/cgroups.js";
import { runCommand } from "../../src/providers/local-runtime/host/run-command.js";
import { waitFor } from "./harness.js";

const entry = fileURLToPath(new URL("../../src/providers/local-runtime/engine/engine-entry.ts", import.meta.url));

export interface SpawnedEngine {
  layout: Layout;
  /** The running engine, started when none is. */
  ensure(): Promise<EngineClient>;
  /** SIGTERM, then waits until the process and its socket are gone; the pid it had (0 if none). */
  stop(): Promise<number>;
}

export async function spawnedEngine(t: Test, prefix: string): Promise<SpawnedEngine> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const layout = resolveLayout({ root: join(dir, "root"), run: join(dir, "run") });
  const opts = { root: layout.root, run: layout.run, entry, execArgv: ["--import", "tsx"] };
  const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };
  const stop = async () => {
    const pid = Number(await readFile(layout.enginePidFile, "utf8").catch(() => "0"));
    if (pid > 0 && alive(pid)) process.kill(pid, "SIGTERM");
    await waitFor(async () => !(pid > 0 && alive(pid)) && !(await stat(layout.engineSocket).then(() => true, () => false)), 10000);
    return pid;
  };
  t.teardown(async () => {
    try {
      const c = await ensureEngine(opts);
      for (const r of await c.call<ContainerRecord[]>("GET", "/containers?all=1")) await c.call("DELETE", `/containers/${r.id}?force=1`).catch(() => undefined);
    } finally {
      await stop();
      const ls = await runCommand("runc", ["--root", layout.runcRoot, "list", "-q"]);
      for (const id of ls.stdout.split("\n").filter(Boolean)) await runCommand("runc", ["--root", layout.runcRoot, "delete", "--force", id]);
      await removeCgroupParent(layout.cgroupParent, await readFile("/proc/self/cgroup", "utf8"));
      await rm(dir, { recursive: true, force: true });
    }
  });
  return { layout, ensure: () => ensureEngine(opts), stop };
}
