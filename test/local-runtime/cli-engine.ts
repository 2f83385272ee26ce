/**
 * An engine in this test process for tests that drive the CLI as a child process: its own temp
 * roots, networking off; and the teardown that stops exactly what the test made.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEngine, type RunningEngine } from "../../src/providers/local-runtime/engine/engine-server.js";
import { removeCgroupParent } from "../../src/providers/local-runtime/container/cgroups.js";
import { runCommand } from "../../src/providers/local-runtime/host/run-command.js";

export interface CliEngine {
  dir: string;
  engine: RunningEngine;
  /** The environment a CLI child needs to reach this engine. */
  env: NodeJS.ProcessEnv;
}

export async function startCliEngine(tmpPrefix: string): Promise<CliEngine> {
  const dir = await mkdtemp(join(tmpdir(), tmpPrefix));
  const engine = await startEngine({ root: join(dir, "root"), run: join(dir, "run"), network: false });
  const env = { ...process.env, INFRA_ROOT: engine.layout.root, INFRA_RUN: engine.layout.run, INFRA_ENGINE_NETWORK: "off", NO_COLOR: "1" };
  return { dir, engine, env };
}

export async function stopCliEngine(h: Pick<CliEngine, "dir" | "engine">, children: ReadonlySet<ChildProcess>): Promise<void> {
  // A CLI still running (a failed test) must not outlive the engine and start one of its own.
  for (const c of children) c.kill("SIGKILL");
  const { engine } = h;
  for (const c of engine.ctx.manager.list(true)) await engine.ctx.manager.remove(c.id, { force: true }).catch(() => undefined);
  await engine.close();
  const ls = await runCommand("runc", ["--root", engine.layout.runcRoot, "list", "-q"]);
  for (const id of ls.stdout.split("\n").filter(Boolean)) await runCommand("runc", ["--root", engine.layout.runcRoot, "delete", "--force", id]);
  await removeCgroupParent(engine.layout.cgroupParent, await readFile("/proc/self/cgroup", "utf8"));
  await rm(h.dir, { recursive: true, force: true });
}
