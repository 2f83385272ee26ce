/**
 * `POST /run` (run in one request), the exit-time release of runc's state without `runc delete`,
 * and which saves of a container record are fsynced.
 */
import t from "tap";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEngine, type RunningEngine } from "../../src/providers/local-runtime/engine/engine-server.js";
import { EngineClient } from "../../src/providers/local-runtime/engine/engine-client.js";
import type { RunEvent } from "../../src/providers/local-runtime/engine/engine-run.js";
import { removeCgroupParent } from "../../src/providers/local-runtime/container/cgroups.js";
import { durableChange } from "../../src/providers/local-runtime/container/container-manager.js";
import type { ContainerRecord } from "../../src/providers/local-runtime/container/container-record.js";
import { releaseRuncState } from "../../src/providers/local-runtime/container/release-runc-state.js";
import { Runc } from "../../src/providers/local-runtime/container/runc.js";
import { runCommand } from "../../src/providers/local-runtime/host/run-command.js";
import { spareShims, waitFor } from "./harness.js";
import { findShim } from "../../src/providers/local-runtime/container/shim.js";

process.env.INFRA_ENGINE_NETWORK = "off";
let dir: string;
let engine: RunningEngine;
let client: EngineClient;

t.before(async () => {
  dir = await mkdtemp(join(tmpdir(), "infra-p-run-"));
  engine = await startEngine({ root: join(dir, "root"), run: join(dir, "run"), network: false });
  client = new EngineClient(engine.layout.engineSocket);
});
t.teardown(async () => {
  for (const c of engine.ctx.manager.list(true)) await engine.ctx.manager.remove(c.id, { force: true }).catch(() => undefined);
  await engine.close();
  const ls = await runCommand("runc", ["--root", engine.layout.runcRoot, "list", "-q"]);
  for (const id of ls.stdout.split("\n").filter(Boolean)) await runCommand("runc", ["--root", engine.layout.runcRoot, "delete", "--force", id]);
  await removeCgroupParent(engine.layout.cgroupParent, await readFile("/proc/self/cgroup", "utf8"));
  await rm(dir, { recursive: true, force: true });
});

async function run(body: unknown): Promise<RunEvent[]> {
  const events: RunEvent[] = [];
  await client.stream("/run", (e) => events.push(e as RunEvent), { method: "POST", body, errorsAsItems: true });
  return events;
}
const kinds = (es: RunEvent[]) => es.map((e) => Object.keys(e)[0]);

t.test("POST /run: created, started, the output in order, the exit code; rm leaves nothing", async (t) => {
  const es = await run({ spec: { name: "one", image: "busybox", networkMode: "none", command: ["sh", "-c", "echo a; echo b >&2; echo c; exit 7"] }, rm: true });
  t.same(kinds(es).filter((k) => k !== "log"), ["created", "started", "exited"]);
  const logs = es.flatMap((e) => ("log" in e ? [`${e.log.stream}:${e.log.text}`] : []));
  t.same(logs.filter((l) => l.startsWith("stdout")), ["stdout:a", "stdout:c"]);
  t.same(logs.filter((l) => l.startsWith("stderr")), ["stderr:b"]);
  const exited = es.find((e): e is { exited: ContainerRecord } => "exited" in e)!.exited;
  t.equal(exited.exitCode, 7);
  t.equal(exited.state, "exited");
  t.same(engine.ctx.manager.list(true), [], "gone from the list before the stream ended");
  // Its clean-up follows the reply; the engine's next request waits for it.
  t.same(await client.call("GET", "/containers?all=1"), []);
  t.same(await readdir(engine.layout.containersDir), [], "its directory is gone");
  t.same(await readdir(engine.layout.runcRoot), [], "runc keeps no state for it");
  t.ok(await waitFor(async () => (await spareShims(findShim()!, join(engine.layout.run, "shim-spares.sock"))).length === 1), "after the reply, a spare shim waits for the next start");
  t.notOk((await readFile("/proc/self/mountinfo", "utf8")).includes(dir), "no mount left");
  const started = es.find((e): e is { started: ContainerRecord } => "started" in e)!.started;
  const own = Object.values(started.cgroupDirs ?? {}).filter((d) => d.endsWith(started.id));
  t.ok(own.length > 0, "the container had cgroups of its own");
  for (const d of own) t.notOk(await stat(d).catch(() => undefined), `${d} removed`);
});

t.test("--rm: wait and stop answer with the exit, restart keeps it, rm -f removes it", async (t) => {
  const m = engine.ctx.manager;
  const started = async (name: string, command: string[]) => {
    const c = await client.call<ContainerRecord>("POST", "/containers?rm=1", { name, image: "busybox", networkMode: "none", command });
    await client.call("POST", `/containers/${c.id}/start`);
    return c;
  };
  const w = await started("rm-wait", ["sh", "-c", "sleep 0.2; exit 5"]);
  const waited = await client.call<ContainerRecord>("POST", `/containers/${w.id}/wait`);
  t.equal(waited.exitCode, 5, "wait: the exit code of a container removed at its exit");
  t.notOk(m.find("rm-wait"), "removed");
  const s = await started("rm-stop", ["sleep", "30"]);
  const stopped = await client.call<ContainerRecord>("POST", `/containers/${s.id}/stop?t=0`);
  t.equal(stopped.state, "exited", "stop: the exited record");
  t.equal(stopped.exitCode, 137);
  t.notOk(m.find("rm-stop"), "removed");
  const r = await started("rm-restart", ["sleep", "30"]);
  const restarted = await client.call<ContainerRecord>("POST", `/containers/${r.id}/restart?t=0`);
  t.equal(restarted.state, "running", "restart: it runs again");
  t.equal(m.find("rm-restart")?.id, r.id, "an --rm container stays through a restart");
  await client.call("DELETE", `/containers/${r.id}?force=1`);
  t.notOk(m.find("rm-restart"), "rm -f removes it");
  t.same(await client.call("GET", "/containers?all=1"), []);
  t.same(await readdir(engine.layout.containersDir), [], "no directory left");
});

t.test("POST /run without rm keeps the exited container; with detach it returns once it runs", async (t) => {
  const es = await run({ spec: { name: "kept", image: "busybox", networkMode: "none", command: ["true"] } });
  t.equal(es.at(-1) && "exited" in es.at(-1)! ? es.at(-1)!.exited.exitCode : undefined, 0);
  t.equal(engine.ctx.manager.get("kept").state, "exited");
  await engine.ctx.manager.remove("kept");
  const d = await run({ spec: { name: "bg", image: "busybox", networkMode: "none", command: ["sleep", "0.3"] }, rm: true, detach: true });
  t.same(kinds(d), ["created", "started"]);
  t.ok(engine.ctx.manager.find("bg"), "running after the response");
  t.ok(await waitFor(() => engine.ctx.manager.find("bg") === undefined, 10000), "-d --rm: removed by the engine when it exits");
});

t.test("POST /run: a bad spec is a plain error; a failed start comes in the stream and rm cleans up", async (t) => {
  await t.rejects(run({ spec: { name: "x", image: "nosuch:image", networkMode: "none" }, pull: "never" }), { category: "NotFound", code: "INFRA_RUNTIME_IMAGE_NOT_FOUND" });
  await t.rejects(run({ spec: { name: "bad name!", image: "busybox", networkMode: "none" } }), { category: "Invalid" });
  const es = await run({ spec: { name: "nocmd", image: "busybox", networkMode: "none", command: ["/no/such/binary"] }, rm: true });
  t.same(kinds(es), ["created", "error"], JSON.stringify(es));
  t.notOk(engine.ctx.manager.find("nocmd"), "removed after the failed start");
});

t.test("an exited container's cgroups and runc state go without runc delete; a busy cgroup falls back to it", async (t) => {
  const base = join(dir, "fake");
  const id = "c0ffee";
  const calls: string[] = [];
  const runc = Object.assign(new Runc(join(base, "runc")), { delete: async (x: string) => { calls.push(x); } });
  // No state: nothing to do.
  await releaseRuncState(runc, id, {});
  t.same(calls, []);
  // Empty cgroup dirs named after the container go; the engine's own (another name) stays.
  await mkdir(join(base, "runc", id), { recursive: true });
  await writeFile(join(base, "runc", id, "state.json"), "{}");
  for (const c of ["memory", "pids"]) await mkdir(join(base, "cg", c, "parent", id), { recursive: true });
  await mkdir(join(base, "cg", "unified", "engine"), { recursive: true });
  const dirs = { memory: join(base, "cg/memory/parent", id), pids: join(base, "cg/pids/parent", id), cpu: join(base, "cg/cpu/parent", id), "": join(base, "cg/unified/engine") };
  await releaseRuncState(runc, id, dirs);
  t.same(calls, [], "no runc process");
  for (const c of ["memory", "pids"]) t.notOk(await stat(join(base, "cg", c, "parent", id)).catch(() => undefined), `${c} cgroup removed`);
  t.ok(await stat(join(base, "cg/unified/engine")), "a directory not named after the container is left alone");
  t.notOk(await stat(join(base, "runc", id)).catch(() => undefined), "state directory removed");
  // A cgroup that still holds something (a process left behind): runc delete --force decides.
  await mkdir(join(base, "runc", id), { recursive: true });
  await mkdir(join(base, "cg/memory/parent", id, "busy"), { recursive: true });
  await releaseRuncState(runc, id, { memory: join(base, "cg/memory/parent", id) });
  t.same(calls, [id], "fell back to runc delete");
  // No cgroup directory of its own known: runc delete.
  await releaseRuncState(runc, id, { "": join(base, "cg/unified/engine") });
  t.same(calls, [id, id]);
});

t.test("fsync only for saves that carry what a host crash would lose", async (t) => {
  const rec = { id: "a", name: "n", spec: { name: "n", image: "busybox" }, manuallyStopped: false, state: "created" } as unknown as ContainerRecord;
  t.equal(durableChange(undefined, rec), true, "a new record");
  t.equal(durableChange(undefined, { ...rec, autoRemove: true }), false, "a new --rm record: nothing to keep after a host crash");
  t.equal(durableChange(rec, { ...rec, state: "running", pid: 5 }), false, "started");
  t.equal(durableChange(rec, { ...rec, state: "exited", exitCode: 0 }), false, "exited");
  t.equal(durableChange(rec, { ...rec, manuallyStopped: true }), true, "a user's stop");
  t.equal(durableChange(rec, { ...rec, spec: { ...rec.spec, labels: { a: "b" } } }), true, "a changed spec");
});

t.test("infra run: one request to the engine; an engine from before /run gets the separate calls", async (t) => {
  const { runContainer } = await import("../../src/cli/commands/run.js");
  const { PassThrough } = await import("node:stream");
  const io = () => {
    const out = new PassThrough(), err = new PassThrough();
    let text = "";
    out.on("data", (d: Buffer) => { text += `out:${d.toString()}`; });
    err.on("data", (d: Buffer) => { text += `err:${d.toString()}`; });
    return { io: { stdout: out, stderr: err, stdin: new PassThrough(), env: { INFRA_ROOT: engine.layout.root, INFRA_RUN: engine.layout.run }, cwd: dir, color: false }, text: () => text };
  };
  const a = io();
  t.equal(await runContainer(["--rm", "--network", "none", "busybox", "sh", "-c", "echo hi; exit 3"], a.io, true, "run"), 3);
  t.equal(a.text(), "out:hi\n");
  t.same(engine.ctx.manager.list(true), []);

  // An older engine: 404 for /run, then create, start, logs -f, wait, rm.
  const { createServer } = await import("node:http");
  const run = join(dir, "old-run");
  await mkdir(run, { recursive: true });
  const seen: string[] = [];
  const old = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    req.resume();
    const json = (status: number, body: unknown) => { res.writeHead(status, { "content-type": "application/json" }); res.end(JSON.stringify(body)); };
    if (req.url === "/run") return json(404, { error: { category: "NotFound", code: "INFRA_RUNTIME_NO_ROUTE", message: "no route POST /run" } });
    if (req.url?.split("?")[0] === "/containers") return json(200, { id: "abc" });
    if (req.url?.includes("/logs")) { res.writeHead(200); res.end(JSON.stringify({ time: "t", stream: "stdout", text: "old" }) + "\n"); return; }
    if (req.url?.endsWith("/wait")) return json(200, { id: "abc", exitCode: 4 });
    return json(200, {});
  });
  await new Promise<void>((r) => old.listen(join(run, "engine.sock"), () => r()));
  t.teardown(() => new Promise<void>((r) => old.close(() => r())));
  const b = io();
  b.io.env = { INFRA_ROOT: join(dir, "old-root"), INFRA_RUN: run };
  t.equal(await runContainer(["--rm", "busybox", "true"], b.io, true, "run"), 4);
  t.equal(b.text(), "out:old\n");
  t.same(seen.filter((s) => s !== "GET /ping"), ["POST /run", "POST /containers?rm=1", "POST /containers/abc/start", "GET /containers/abc/logs?follow=1", "POST /containers/abc/wait", "DELETE /containers/abc?force=1&volumes=1"]);
});
