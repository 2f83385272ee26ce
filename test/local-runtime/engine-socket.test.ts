// The engine's socket: a file left by a dead engine is taken over; a live listener's is never,
// even when it is too busy to answer a ping (two engines on one root would fight over containers).
import t from "tap";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { connect, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startEngine } from "../../src/providers/local-runtime/engine/engine-server.js";
import { EngineClient } from "../../src/providers/local-runtime/engine/engine-client.js";
import { removeCgroupParent } from "../../src/providers/local-runtime/container/cgroups.js";
import { resolveLayout } from "../../src/providers/local-runtime/layout.js";
import { ensureEngine } from "../../src/providers/local-runtime/engine/ensure-engine.js";
import { engineAlive } from "../../src/providers/local-runtime/engine/engine-pid.js";

const engineEntry = fileURLToPath(new URL("../../src/providers/local-runtime/engine/engine-entry.ts", import.meta.url));

process.env.INFRA_ENGINE_NETWORK = "off";
let dir: string;
t.before(async () => { dir = await mkdtemp(join(tmpdir(), "infra-esock-")); });
t.teardown(async () => {
  for (const name of ["stale", "busy"]) await removeCgroupParent(resolveLayout({ run: join(dir, name, "run") }).cgroupParent, await readFile("/proc/self/cgroup", "utf8"));
  await rm(dir, { recursive: true, force: true });
});

t.test("a socket file nobody listens on (a killed engine's) is replaced", async (t) => {
  const root = join(dir, "stale", "root"), run = join(dir, "stale", "run");
  await mkdir(run, { recursive: true });
  const sock = join(run, "engine.sock");
  // A process killed with SIGKILL leaves its socket file behind.
  const child = spawn(process.execPath, ["-e", `require("net").createServer().listen(${JSON.stringify(sock)}, () => console.log("up"))`], { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise((r) => child.stdout.once("data", r));
  child.kill("SIGKILL");
  await new Promise((r) => child.once("close", r));
  t.ok(existsSync(sock), "the stale file is there");
  const engine = await startEngine({ root, run, network: false });
  t.ok(await new EngineClient(sock).ping(), "the new engine answers on it");
  await engine.close();
});

t.test("a live listener that does not answer a ping keeps its socket", async (t) => {
  const root = join(dir, "busy", "root"), run = join(dir, "busy", "run");
  await mkdir(run, { recursive: true });
  const sock = join(run, "engine.sock");
  const held: Socket[] = [];
  const busy = createServer((c) => { held.push(c); }); // accepts, never answers
  await new Promise<void>((r) => busy.listen(sock, () => r()));
  t.teardown(() => { for (const c of held) c.destroy(); return new Promise<void>((r) => busy.close(() => r())); });
  await t.rejects(startEngine({ root, run, network: false }), { code: "INFRA_RUNTIME_ENGINE_RUNNING" });
  const before = held.length;
  const c = connect(sock);
  await new Promise<void>((resolve, reject) => { c.once("connect", () => resolve()); c.once("error", reject); });
  const end = Date.now() + 5000;
  while (held.length === before && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  c.destroy();
  t.ok(held.length > before, "the socket still leads to the listener");
});

t.test("an engine still starting (no socket yet) is waited for, not started twice", async (t) => {
  const root = join(dir, "starting", "root"), run = join(dir, "starting", "run");
  await mkdir(run, { recursive: true });
  const layout = resolveLayout({ root, run });
  // Stands for an engine busy with its start-up repairs: alive, named "engine", no socket yet.
  const starting = spawn(process.execPath, ["-e", "setTimeout(() => {}, 1500)", "engine"], { stdio: "ignore" });
  t.teardown(() => { starting.kill("SIGKILL"); });
  await writeFile(layout.enginePidFile, String(starting.pid));
  await t.rejects(startEngine({ root, run, network: false }), { code: "INFRA_RUNTIME_ENGINE_RUNNING" }, "a second engine refuses to start beside it");
  t.equal(await readFile(layout.enginePidFile, "utf8"), String(starting.pid), "and leaves its pid file alone");
  // ensureEngine waits for it; once it is gone without answering, an engine is started after all.
  const began = Date.now();
  const client = await ensureEngine({ root, run, entry: engineEntry, execArgv: ["--import", "tsx"], timeoutMs: 20000 });
  t.ok(Date.now() - began >= 1000, `waited for the starting engine first (${Date.now() - began} ms)`);
  t.ok(await client.ping(), "then the new engine answers");
  const pid = Number(await readFile(layout.enginePidFile, "utf8"));
  t.not(pid, starting.pid, "the pid file names the new engine");
  process.kill(pid, "SIGTERM");
  const end = Date.now() + 10000;
  while (engineAlive(pid) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  await removeCgroupParent(layout.cgroupParent, await readFile("/proc/self/cgroup", "utf8"));
});
