import t from "tap";
import { spawn, spawnSync } from "node:child_process";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { readFileSync } from "node:fs";
import { mkdtemp, readFile, readlink, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { makeHarness, spareShims, waitFor, type Harness } from "./harness.js";
import { containerPaths } from "../../src/providers/local-runtime/layout.js";
import { chooseShim } from "../../src/providers/local-runtime/container/monitor.js";
import { findShim, shimArgs } from "../../src/providers/local-runtime/container/shim.js";
import { parseSyncMessage, runcErrorText } from "../../src/providers/local-runtime/container/sync-pipe.js";
import { containerLogs } from "../../src/providers/local-runtime/container/container-ops.js";
import { askConmonToReopenLog } from "../../src/providers/local-runtime/container/log-rotation.js";
import { attachConmon } from "../../src/providers/local-runtime/container/conmon-attach.js";
import { spawnedEngine } from "./spawned-engine.js";
import type { EngineClient } from "../../src/providers/local-runtime/engine/engine-client.js";
import type { ContainerRecord } from "../../src/providers/local-runtime/container/container-record.js";
import { runCommand } from "../../src/providers/local-runtime/host/run-command.js";

process.env.INFRA_ENGINE_NETWORK = "off";
const repo = fileURLToPath(new URL("../../", import.meta.url));
const LOG_LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}[+-]\d\d:\d\d (stdout|stderr) (F|P) (.*)$/;

// Running, not a zombie: an orphan's zombie waits for PID 1, which may be slow to reap it.
const alive = (pid: number) => { try { return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8")); } catch { return false; } };
const exe = (pid: number) => readlink(`/proc/${pid}/exe`).catch(() => "");
const ppid = async (pid: number) => Number(/^PPid:\s+(\d+)/m.exec(await readFile(`/proc/${pid}/status`, "utf8"))?.[1]);
const exists = (p: string) => stat(p).then(() => true, () => false);

let shim: string;
t.before(() => {
  // Built by `npm run build`; the test builds just this target when it is missing or stale.
  const r = spawnSync("make", ["-s", "-C", join(repo, "native"), "../dist/native/infra-shim"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`building infra-shim failed: ${r.stderr}`);
  shim = findShim()!;
});

t.test("monitor choice, sync messages and runc's errors (pure)", async (t) => {
  const found = () => "/x/infra-shim";
  t.equal(chooseShim({ terminal: false, stdin: false }, { needsCreatedState: false, env: {} }, found), "/x/infra-shim");
  t.equal(chooseShim({ terminal: true, stdin: false }, { needsCreatedState: false, env: {} }, found), undefined, "-t: conmon");
  t.equal(chooseShim({ terminal: false, stdin: true }, { needsCreatedState: false, env: {} }, found), undefined, "-i: conmon");
  t.equal(chooseShim({}, { needsCreatedState: true, env: {} }, found), undefined, "an attach before start: conmon");
  t.equal(chooseShim({}, { needsCreatedState: false, env: { INFRA_MONITOR: "conmon" } }, found), undefined, "forced conmon");
  t.equal(chooseShim({}, { needsCreatedState: false, env: {} }, () => undefined), undefined, "not built: conmon, no error");
  t.match(shim, /dist\/native\/infra-shim$/, "found next to the package");
  const args = shimArgs({ id: "i", name: "n", bundle: "/b", pidFile: "/p", conmonPidFile: "/c", logPath: "/l", exitDir: "/e", socketDir: "/s", persistDir: "/pd", runcRoot: "/r", terminal: true, stdin: true });
  t.notOk(args.includes("-t") || args.includes("-i"), "never -t/-i");
  t.same(parseSyncMessage('{"data": 42}'), { pid: 42 });
  t.same(parseSyncMessage('{"data": -1, "message": "boom"}'), { error: "boom" });
  t.equal(parseSyncMessage("not json"), undefined);
  t.equal(runcErrorText('time="2026-01-01T00:00:00Z" level=error msg="runc run failed: exec: \\"x\\": executable file not found in $PATH"\n'),
    'runc run failed: exec: "x": executable file not found in $PATH');
  t.equal(runcErrorText("plain text\n"), "plain text");
});

t.test("the shim refuses -t, -i and unknown flags with a clear message", async (t) => {
  const base = ["-c", "x", "-b", "/nonexistent", "-p", "/tmp/p", "-l", "k8s-file:/tmp/l", "--exit-dir", "/tmp", "--socket-dir-path", "/tmp"];
  for (const [flag, msg] of [["-t", /-t is not supported.*conmon/], ["-i", /-i is not supported.*conmon/], ["--bogus", /unknown flag '--bogus'/]] as const) {
    const r = spawnSync(shim, [...base, flag], { encoding: "utf8" });
    t.equal(r.status, 1, `${flag}: exit 1`);
    t.match(r.stderr, msg);
  }
  const r = spawnSync(shim, ["-c", "x"], { encoding: "utf8" });
  t.match(r.stderr, /missing flags/);
});

t.test("--spare-socket: it says its pid, takes its flags on the socket, reports there; EOF ends it quietly", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "infra-spare-sock-"));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, "s.sock");
  const conns: Socket[] = [];
  const server = createServer((s) => conns.push(s));
  await new Promise<void>((r) => server.listen(path, () => r()));
  t.teardown(() => server.close());
  const session = async (send: (s: Socket) => void) => {
    const child = spawn(shim, ["--spare-socket", path], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
    await waitFor(() => conns.length > 0);
    const sock = conns.shift()!;
    let got = "";
    sock.on("data", (d: Buffer) => (got += d.toString()));
    await waitFor(() => got.includes("\n"));
    send(sock);
    const code = await exited;
    await waitFor(() => sock.readableEnded || sock.destroyed, 1000);
    return { hello: got.split("\n")[0], rest: got.slice(got.indexOf("\n") + 1), code, stderr, pid: child.pid };
  };
  const released = await session((s) => s.end());
  t.equal(released.hello, `spare ${released.pid}`, "it says its pid");
  t.equal(released.code, 0, "released unused: exit 0");
  t.equal(released.rest, "", "and nothing said");
  const bad = await session((s) => { const p = "-c\0x\0--bogus\0"; s.write(`${p.length}\n${p}`); });
  t.equal(bad.code, 1);
  t.match(bad.rest, /"data": -1, "message": "infra-shim: unknown flag '--bogus'/, "the flags come on the socket, the failure goes back on it");
  const cut = await session((s) => s.end("100\n-c\0"));
  t.equal(cut.code, 1);
  t.match(cut.rest, /closed the socket within the arguments/);
  t.equal(spawnSync(shim, ["--spare-socket", join(dir, "nobody")]).status, 0, "no engine listening: nothing to do");
});

const spares = (h: Harness) => spareShims(shim, join(h.layout.run, "shim-spares.sock"));

t.test("the engine's spare shim: a start takes it, another waits for the next, close ends it", async (t) => {
  const h: Harness = await makeHarness("infra-shim-spare-", { spareShim: true });
  let closed = false;
  t.teardown(() => (closed ? undefined : h.cleanup()));
  t.ok(await waitFor(async () => (await spares(h)).length === 1), "one spare after init");
  const [first] = await spares(h);
  const c = await h.manager.create({ name: "sp", image: "busybox", networkMode: "none", command: ["sh", "-c", "echo from-spare; sleep 30"] });
  const started = await h.manager.start(c.id);
  t.equal(started.conmonPid, first, "the container's monitor is the spare that waited");
  const cmdline = (await readFile(`/proc/${first}/cmdline`, "utf8")).split("\0");
  t.equal(cmdline[cmdline.indexOf("-c") + 1], c.id, "it runs as any monitor: its flags name the container");
  t.notOk(cmdline.includes("--spare-socket"), "no longer a spare");
  await h.manager.kill(c.id, "SIGKILL");
  t.ok(await h.manager.waitExit(c.id, 10000), "it exits");
  t.equal(h.manager.get(c.id).exitCode, 137);
  t.match((await containerLogs(h.manager, c.id, {})).map((l) => l.text), ["from-spare"], "its output is logged as usual");
  t.same(await spares(h), [], "taken: none waits until the engine's reply has gone");
  h.manager.refillSpare(); // what the engine does once a reply has gone
  t.ok(await waitFor(async () => { const s = await spares(h); return s.length === 1 && s[0] !== first; }), "then a new spare waits");
  const [second] = await spares(h);
  closed = true;
  await h.cleanup();
  t.ok(await waitFor(() => !alive(second!)), "close() ends the spare");
});

t.test("containers under the shim (real runc)", async (t) => {
  const h: Harness = await makeHarness("infra-shim-");
  t.teardown(() => h.cleanup());
  const run = async (name: string, command: string[], extra: Record<string, unknown> = {}) => {
    const c = await h.manager.create({ name, image: "busybox", networkMode: "none", command, ...extra });
    return h.manager.start(c.id);
  };
  const exited = async (id: string) => {
    if (!(await h.manager.waitExit(id, 10000))) throw new Error(`container ${id} did not exit`);
    return h.manager.get(id);
  };

  t.test("exit codes are kept; the monitor is the shim, the container's parent", async (t) => {
    const long = await run("sh-long", ["sleep", "300"]);
    t.match(await exe(long.conmonPid!), /infra-shim$/, "the monitor is infra-shim");
    t.equal(await ppid(long.pid!), long.conmonPid, "the container's init is the shim's child (subreaper)");
    t.equal((await h.manager.runc.state(long.id))?.status, "running", "runc run started it: no runc start");
    await h.manager.kill(long.id, "SIGKILL");
    t.equal((await exited(long.id)).exitCode, 137, "SIGKILL: 128+9");
    t.ok(await waitFor(() => !alive(long.conmonPid!), 2000), "the shim exited with its container");
    t.equal((await exited((await run("sh-true", ["true"])).id)).exitCode, 0);
    t.equal((await exited((await run("sh-three", ["sh", "-c", "exit 3"])).id)).exitCode, 3);
    // PID 1 ignores SIGTERM without a handler: through tini, the signal kills the command.
    const term = await run("sh-term", ["sleep", "300"], { init: true });
    await h.manager.kill(term.id, "SIGTERM");
    t.equal((await exited(term.id)).exitCode, 143, "SIGTERM: 128+15");
    const p = containerPaths(h.layout, term.id);
    t.notOk(await exists(p.exitFile), "the engine consumed the exit file");
    t.notOk(await exists(join(h.layout.socketDir, term.id)), "the attach socket went with the shim");
    t.notOk(await exists(join(p.bundle, "ctl")), "so did the ctl fifo");
  });

  t.test("a container gone before runc returns: output and exit file before the sync message", async (t) => {
    // The shim writes the exit file first when it can; either way the log is whole once it exists.
    let early = 0;
    for (let i = 0; i < 5; i++) {
      const c = await run(`sh-quick${i}`, ["sh", "-c", "echo out; echo err >&2"]);
      const p = containerPaths(h.layout, c.id);
      if (await exists(p.exitFile)) {
        early++;
        const log = await readFile(p.log, "utf8");
        t.match(log, / stdout F out\n/, `run ${i}: stdout in the log when the exit file is there`);
        t.match(log, / stderr F err\n/, `run ${i}: stderr too`);
      }
      t.equal((await exited(c.id)).exitCode, 0);
      t.same((await containerLogs(h.manager, c.id, {})).map((l) => `${l.stream}:${l.text}`).sort(), ["stderr:err", "stdout:out"]);
      t.ok(await waitFor(() => !alive(c.conmonPid!), 2000), "the shim is gone");
      t.notOk(await exists(join(h.layout.socketDir, c.id)), "its attach socket too");
    }
    t.comment(`${early} of 5 exit files were there when the start returned`);
  });

  t.test("stdout and stderr in conmon's k8s-file format, a partial last line", async (t) => {
    const c = await run("sh-log", ["sh", "-c", "echo out1; echo err1 >&2; usleep 100000; echo out2; printf tail"]);
    await exited(c.id);
    const raw = (await readFile(containerPaths(h.layout, c.id).log, "utf8")).split("\n").filter(Boolean);
    t.ok(raw.every((l) => LOG_LINE.test(l)), "every record: time with nanoseconds and offset, stream, F|P, text", { raw });
    const recs = raw.map((l) => LOG_LINE.exec(l)!.slice(1));
    t.same(recs.filter((r) => r[0] === "stdout"), [["stdout", "F", "out1"], ["stdout", "F", "out2"], ["stdout", "P", "tail"]]);
    t.same(recs.filter((r) => r[0] === "stderr"), [["stderr", "F", "err1"]]);
    const lines = await containerLogs(h.manager, c.id, {});
    t.same(lines.map((l) => `${l.stream}:${l.text}`).sort(), ["stderr:err1", "stdout:out1", "stdout:out2", "stdout:tail"]);
  });

  t.test("a 100 KB line: P records at buffer boundaries, joined back whole, not overtaken by stderr", async (t) => {
    const c = await run("sh-long-line", ["sh", "-c", "head -c 100000 /dev/zero | tr '\\0' a; echo; echo bye >&2"]);
    await exited(c.id);
    const raw = (await readFile(containerPaths(h.layout, c.id).log, "utf8")).split("\n").filter(Boolean).map((l) => LOG_LINE.exec(l)!.slice(1, 3).join(" "));
    t.ok(raw.filter((r) => r === "stdout P").length >= 12, "cut at the 8 KB reads");
    t.same(raw.slice(-2), ["stdout F", "stderr F"], "the line ends before stderr's");
    const lines = await containerLogs(h.manager, c.id, {});
    t.same(lines.map((l) => [l.stream, l.text.length]), [["stdout", 100000], ["stderr", 3]]);
  });

  t.test("runc failing (no such command): a clear error, nothing left behind", async (t) => {
    const c = await h.manager.create({ name: "sh-bad", image: "busybox", networkMode: "none", command: ["nosuchcmd"] });
    await t.rejects(h.manager.start(c.id), { code: "INFRA_RUNTIME_COMMAND_NOT_FOUND", category: "Invalid", message: /"nosuchcmd": executable file not found/ });
    const p = containerPaths(h.layout, c.id);
    t.equal(h.manager.get(c.id).state, "created");
    t.equal((await runCommand("runc", ["--root", h.layout.runcRoot, "list", "-q"])).stdout.trim(), "", "no runc state");
    t.notOk(await exists(join(h.layout.socketDir, c.id)), "no socket directory");
    t.notOk(await exists(join(p.bundle, "ctl")), "no ctl fifo");
    t.notOk(await exists(p.exitFile), "no exit file");
    t.notOk(await exists(p.conmonPid), "no monitor pid file");
    t.notOk((await readFile("/proc/self/mountinfo", "utf8")).includes(` ${p.rootfs} `), "root filesystem unmounted");
    t.equal(await readFile(p.log, "utf8").catch(() => ""), "", "runc's error is not container output");
  });

  t.test("log reopen through the ctl fifo (rotation)", async (t) => {
    const c = await run("sh-rot", ["sh", "-c", "i=0; while [ $i -lt 100 ]; do echo line-$i; i=$((i+1)); usleep 30000; done"]);
    const p = containerPaths(h.layout, c.id);
    t.ok(await waitFor(async () => (await readFile(p.log, "utf8").catch(() => "")).includes("line-3")));
    await rename(p.log, `${p.log}.1`);
    t.ok(await askConmonToReopenLog(p.bundle), "the shim listens on ctl");
    t.ok(await waitFor(() => exists(p.log), 3000), "a new live file");
    const before = (await stat(`${p.log}.1`)).size;
    await exited(c.id);
    t.equal((await stat(`${p.log}.1`)).size, before, "the old file no longer grows");
    const nums = (await containerLogs(h.manager, c.id, {})).map((l) => Number(l.text.slice(5)));
    t.same(nums, [...Array(100).keys()], "every line once, in order, across both files");
  });

  t.test("--log-size-max: a file that would pass the limit starts again (one log file)", async (t) => {
    const c = await run("sh-max", ["sh", "-c", "i=0; while [ $i -lt 150 ]; do echo line-$i; i=$((i+1)); usleep 3000; done"], { logging: { maxSize: 1000 } });
    await exited(c.id);
    const p = containerPaths(h.layout, c.id);
    t.ok((await stat(p.log)).size <= 1000, `the file kept under 1000 bytes (${(await stat(p.log)).size})`);
    const texts = (await containerLogs(h.manager, c.id, {})).map((l) => l.text);
    t.equal(texts.at(-1), "line-149", "ends with the last line");
    t.notOk(texts.includes("line-0"), "older lines were dropped");
    const st = await stat(`${p.log}.1`).catch(() => undefined);
    t.equal(st, undefined, "no rotated file: truncation, as conmon does");
  });

  t.test("attach socket: output packets by stream, closed at the exit", async (t) => {
    const c = await run("sh-att", ["sh", "-c", "sleep 0.5; echo to-out; echo to-err >&2; sleep 0.3"]);
    const att = await attachConmon(h.layout.socketDir, c.id);
    const got: string[] = [];
    att.onOutput((stream, data) => got.push(`${stream}:${data.toString()}`));
    const ended = new Promise<void>((r) => att.onEnd(r));
    await exited(c.id);
    await Promise.race([ended, new Promise((r) => setTimeout(r, 3000))]);
    t.same(got.sort(), ["2:to-out\n", "3:to-err\n"]);
    let end = false;
    att.onEnd(() => { end = true; });
    t.ok(end, "the shim closed the socket");
    att.close();
  });

  t.test("stop, pause, unpause", async (t) => {
    const c = await run("sh-pause", ["sleep", "300"]);
    await h.manager.pause(c.id);
    t.equal((await h.manager.runc.state(c.id))?.status, "paused");
    t.equal(h.manager.get(c.id).state, "paused");
    await h.manager.unpause(c.id);
    t.equal((await h.manager.runc.state(c.id))?.status, "running");
    const s = await h.manager.stop(c.id, 1);
    t.equal(s.state, "exited");
    t.equal(s.exitCode, 137, "sleep as PID 1 ignores SIGTERM: killed after the timeout");
  });
});

t.test("an engine restart re-adopts a shim container, then sees its exit", async (t) => {
  const { layout, ensure, stop: stopEngine } = await spawnedEngine(t, "infra-shim-eng-");
  let client: EngineClient = await ensure();
  await client.call("POST", "/containers", { name: "adoptee", image: "busybox", networkMode: "none", command: ["sh", "-c", "echo before; sleep 300"] });
  const c = await client.call<ContainerRecord>("POST", "/containers/adoptee/start");
  t.match(await exe(c.conmonPid!), /infra-shim$/);
  const oldEngine = await stopEngine();
  t.notOk(alive(oldEngine), "the engine is gone");
  t.ok(alive(c.conmonPid!) && alive(c.pid!), "the shim and its container outlived the engine");
  client = await ensure();
  t.equal((await client.call<ContainerRecord>("GET", "/containers/adoptee")).state, "running", "re-adopted");
  process.kill(c.pid!, "SIGKILL");
  t.ok(await waitFor(async () => (await client.call<ContainerRecord>("GET", "/containers/adoptee")).state === "exited", 10000), "the new engine saw the exit");
  const done = await client.call<ContainerRecord>("GET", "/containers/adoptee");
  t.equal(done.exitCode, 137);
  t.ok(await waitFor(() => !alive(c.conmonPid!), 2000), "the shim is gone");
  const logs = await client.call<Array<{ text: string }>>("GET", "/containers/adoptee/logs");
  t.same(logs.map((l) => l.text), ["before"]);
});
