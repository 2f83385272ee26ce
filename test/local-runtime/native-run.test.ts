/**
 * The native launcher (dist/native/infra): `infra run` as one argv-form `POST /run` to a real
 * engine (this process's, with the CLI's run parser), everything else through the Node CLI
 * (dist/cli/main.js: build it first, `npm run -s build`). INFRA_NODE=/bin/false in a child's env
 * proves the fast path was taken: a hand-over to Node would fail there.
 */
import t from "tap";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startEngine, type RunningEngine } from "../../src/providers/local-runtime/engine/engine-server.js";
import { EngineClient } from "../../src/providers/local-runtime/engine/engine-client.js";
import { resolveLayout } from "../../src/providers/local-runtime/layout.js";
import { removeCgroupParent } from "../../src/providers/local-runtime/container/cgroups.js";
import { runCommand } from "../../src/providers/local-runtime/host/run-command.js";
import { runArgvHandler } from "../../src/cli/run-argv.js";
import { stopCliEngine } from "./cli-engine.js";
import { waitFor } from "./harness.js";

process.env.INFRA_ENGINE_NETWORK = "off";
const repo = fileURLToPath(new URL("../../", import.meta.url));
const launcher = join(repo, "dist/native/infra");
const nodeCli = join(repo, "dist/cli/main.js");
let dir: string;
let engine: RunningEngine;
let env: NodeJS.ProcessEnv;
let fast: NodeJS.ProcessEnv; // the fast path only: Node cannot start
const children = new Set<ChildProcess>();

t.before(async () => {
  const r = spawnSync("make", ["-s", "-C", join(repo, "native"), "../dist/native/infra"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`building the launcher failed: ${r.stderr}`);
  if (!existsSync(nodeCli)) throw new Error(`${nodeCli} is missing: run \`npm run -s build\` first`);
  dir = await mkdtemp(join(tmpdir(), "infra-nr-"));
  engine = await startEngine({ root: join(dir, "root"), run: join(dir, "run"), network: false, runArgv: runArgvHandler });
  env = { ...process.env, INFRA_ROOT: engine.layout.root, INFRA_RUN: engine.layout.run, INFRA_ENGINE_NETWORK: "off", NO_COLOR: "1" };
  fast = { ...env, INFRA_NODE: "/bin/false" };
});
t.teardown(() => stopCliEngine({ dir, engine }, children));

interface Result { code: number | null; signal: NodeJS.Signals | null; out: Buffer; err: string }

function launch(args: string[], o: { env?: NodeJS.ProcessEnv; cwd?: string; file?: string; onStart?: (c: ChildProcess) => void } = {}): Promise<Result> {
  const file = o.file ?? launcher;
  const child = spawn(file, file === launcher ? args : ["--", nodeCli, ...args], { env: o.env ?? fast, cwd: o.cwd ?? dir, stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  const out: Buffer[] = [];
  let err = "";
  child.stdout!.on("data", (d: Buffer) => out.push(d));
  child.stderr!.on("data", (d: Buffer) => { err += d.toString(); });
  const timer = setTimeout(() => child.kill("SIGKILL"), 30000);
  o.onStart?.(child);
  return new Promise((resolve) => child.on("close", (code, signal) => {
    clearTimeout(timer);
    children.delete(child);
    resolve({ code, signal, out: Buffer.concat(out), err });
  }));
}
const viaNode = (args: string[], o: { env?: NodeJS.ProcessEnv; cwd?: string } = {}) => launch(args, { ...o, env: o.env ?? env, file: process.execPath });

t.test("run --rm: the container's stdout, stderr and exit code; nothing left", async (t) => {
  const r = await launch(["run", "--rm", "--network", "none", "busybox", "sh", "-c", "echo out; echo err >&2; exit 3"]);
  t.equal(r.code, 3, r.err);
  t.equal(r.out.toString(), "out\n");
  t.equal(r.err, "err\n");
  t.same(engine.ctx.manager.list(true), [], "removed");
  const alias = await launch(["container", "run", "--rm", "--network", "none", "busybox", "echo", "alias"]);
  t.equal(alias.code, 0, alias.err);
  t.equal(alias.out.toString(), "alias\n");
  // `ps -a` through the launcher goes to Node (the real one), and lists nothing.
  const ps = await launch(["ps", "-a", "--json"], { env });
  t.equal(ps.code, 0, ps.err);
  t.same(JSON.parse(ps.out.toString()), []);
});

t.test("-d prints the id and returns while it runs; --rm removes it at the exit", async (t) => {
  const r = await launch(["run", "-d", "--rm", "--network", "none", "busybox", "sleep", "0.5"]);
  t.equal(r.code, 0, r.err);
  const id = r.out.toString().trim();
  t.match(r.out.toString(), /^[0-9a-f]{64}\n$/);
  t.equal(engine.ctx.manager.find(id)?.state, "running");
  t.ok(await waitFor(() => engine.ctx.manager.find(id) === undefined, 10000), "removed by the engine when it exited");
});

t.test("-e VAR from the client's environment, --env-file relative to its cwd", async (t) => {
  const cwd = join(dir, "client");
  await mkdir(cwd, { recursive: true });
  await writeFile(join(cwd, "vars.env"), "# a comment\nFROM_FILE=file value\n");
  t.equal(process.env.NR_CLIENT_ONLY, undefined, "the engine's process does not have it");
  const r = await launch(["run", "--rm", "--network", "none", "-e", "NR_CLIENT_ONLY", "--env-file", "vars.env", "busybox", "sh", "-c", "echo \"$NR_CLIENT_ONLY/$FROM_FILE\""], { cwd, env: { ...fast, NR_CLIENT_ONLY: "client value" } });
  t.equal(r.code, 0, r.err);
  t.equal(r.out.toString(), "client value/file value\n");
});

t.test("a bad flag, a missing --env-file, an unknown image: the Node CLI's text and exit code; nothing created", async (t) => {
  for (const args of [["run", "--bogus", "busybox", "true"], ["run", "--env-file", "nope.env", "busybox", "true"], ["run", "--rm", "--pull", "never", "--network", "none", "nosuch:image", "true"], ["run"]]) {
    const native = await launch(args, { env });
    const node = await viaNode(args);
    t.equal(native.code, node.code, `${args.join(" ")}: exit code`);
    t.not(native.code, 0);
    t.equal(native.err, node.err, `${args.join(" ")}: stderr`);
    t.equal(native.out.toString(), node.out.toString());
  }
  t.same(engine.ctx.manager.list(true), []);
  // The unknown image is rendered by the engine: no hand-over to Node needed.
  const unknown = await launch(["run", "--rm", "--pull", "never", "--network", "none", "nosuch:image", "true"]);
  t.equal(unknown.code, 125, "infra failed: Docker's 125");
  t.match(unknown.err, /nosuch.*\[INFRA_RUNTIME_IMAGE_NOT_FOUND\]/);
  // A failed start (after the container was made): rendered, 127 (not found), removed with --rm.
  const start = await launch(["run", "--rm", "--network", "none", "busybox", "/no/such/binary"]);
  const startNode = await viaNode(["run", "--rm", "--network", "none", "busybox", "/no/such/binary"]);
  t.equal(start.code, 127);
  t.equal(start.err, startNode.err);
  t.match(start.err, /no\/such\/binary/);
  t.same(engine.ctx.manager.list(true), []);
});

t.test("Docker's exit codes, the same through the launcher and Node: 125 infra failed, 126 cannot invoke, 127 not found", async (t) => {
  const cases: [string[], number, RegExp][] = [
    [["run", "--rm", "--network", "none", "busybox", "nosuch"], 127, /^\nError: "nosuch": executable file not found in \$PATH \[INFRA_RUNTIME_COMMAND_NOT_FOUND\]\n$/],
    [["run", "--rm", "--network", "none", "busybox", "/no/such"], 127, /no such file or directory \[INFRA_RUNTIME_COMMAND_NOT_FOUND\]/],
    [["run", "--rm", "--network", "none", "busybox", "/etc/passwd"], 126, /^\nError: "\/etc\/passwd" cannot be run: permission denied \[INFRA_RUNTIME_COMMAND_NOT_EXECUTABLE\]\n$/],
    [["run", "--rm", "--network", "none", "busybox", "/etc"], 126, /INFRA_RUNTIME_COMMAND_NOT_EXECUTABLE/],
    [["run", "--rm", "--bogus", "busybox"], 125, /INFRA_CLI_UNKNOWN_FLAG/],
    [["run", "--rm", "-xz", "busybox"], 125, /INFRA_CLI_UNKNOWN_FLAG/],
    [["run", "--rm", "--pull", "never", "--network", "none", "nosuch:image"], 125, /INFRA_RUNTIME_IMAGE_NOT_FOUND/],
    [["create", "--pull", "never", "--network", "none", "nosuch:image"], 125, /INFRA_RUNTIME_IMAGE_NOT_FOUND/],
    [["run", "--rm", "--network", "none", "busybox", "sh", "-c", "exit 3"], 3, /^$/],
    [["run", "--rm", "--network", "none", "busybox", "sh", "-c", "exit 125"], 125, /^$/],
  ];
  for (const [args, code, err] of cases) {
    const native = await launch(args, { env });
    const node = await viaNode(args);
    t.equal(native.code, code, `${args.join(" ")}: ${code} through the launcher (${native.err})`);
    t.equal(node.code, code, `${args.join(" ")}: ${code} through Node`);
    t.match(native.err, err);
    t.equal(native.err, node.err, "the same text");
  }
  t.same(engine.ctx.manager.list(true), [], "--rm removed what was made");
  const bg = await viaNode(["run", "-d", "--name", "nr-exec", "--network", "none", "busybox", "sleep", "30"]);
  t.equal(bg.code, 0, bg.err);
  const nf = await viaNode(["exec", "nr-exec", "nosuch"]);
  t.equal(nf.code, 127, "exec of a missing command: 127");
  t.equal(nf.err, '\nError: "nosuch" in container nr-exec: executable file not found in $PATH [INFRA_RUNTIME_COMMAND_NOT_FOUND]\n', "one line, not runc's log line");
  const ne = await viaNode(["exec", "nr-exec", "/etc/passwd"]);
  t.equal(ne.code, 126, "exec of a file that cannot run: 126");
  t.match(ne.err, /cannot be run: permission denied \[INFRA_RUNTIME_COMMAND_NOT_EXECUTABLE\]/);
  t.notMatch(ne.err, /level=error/);
  const own = await viaNode(["exec", "nr-exec", "sh", "-c", "echo x >&2; exit 255"]);
  t.equal(own.code, 255, "a command's own 255 is its code");
  t.equal(own.err, "x\n");
  const nc = await viaNode(["exec", "nosuch-ctr", "true"]);
  t.equal(nc.code, 1, "no such container: an ordinary error");
  await engine.ctx.manager.remove("nr-exec", { force: true });
});

t.test("the engine's answers to the argv form: 400 for a bad command line, 409 for what needs the full CLI", async (t) => {
  const c = new EngineClient(engine.layout.engineSocket);
  const body = (argv: string[]) => ({ argv, cwd: dir, env: {} });
  await t.rejects(c.call("POST", "/run", body(["--bogus", "busybox"])), { category: "Invalid", code: "INFRA_RUNTIME_RUN_BAD_ARGV" });
  await t.rejects(c.call("POST", "/run", body(["-it", "busybox", "sh"])), { category: "Conflict", code: "INFRA_RUNTIME_RUN_NEEDS_CLI" });
  await t.rejects(c.call("POST", "/run", { argv: "not a list", cwd: dir, env: {} }), { category: "Invalid" });
  // -i in the foreground: 409, and the launcher hands over to Node, which attaches stdin.
  const child = spawn(launcher, ["run", "-i", "--rm", "--network", "none", "busybox", "cat"], { env, stdio: ["pipe", "pipe", "pipe"] });
  children.add(child);
  let out = "";
  child.stdout.on("data", (d: Buffer) => { out += d.toString(); });
  child.stdin.end("through node\n");
  const code = await new Promise((r) => child.on("close", r));
  children.delete(child);
  t.equal(code, 0);
  t.equal(out, "through node\n");
});

t.test("--version and other commands go through Node, unchanged", async (t) => {
  for (const args of [["--version"], ["version"], ["help", "run"], ["nosuchcommand"]]) {
    const native = await launch(args, { env });
    const node = await viaNode(args);
    t.equal(native.code, node.code, args.join(" "));
    t.equal(native.out.toString(), node.out.toString());
    t.equal(native.err, node.err);
  }
  const blocked = await launch(["--version"]);
  t.equal(blocked.code, 1, "INFRA_NODE is the node that runs (here /bin/false)");
});

t.test("1 MiB of output arrives complete and in order", async (t) => {
  // 16384 numbered lines of 64 bytes.
  const script = "i=0; while [ $i -lt 16384 ]; do printf '%063d\\n' $i; i=$((i+1)); done";
  const r = await launch(["run", "--rm", "--network", "none", "busybox", "sh", "-c", script]);
  t.equal(r.code, 0, r.err);
  t.equal(r.out.length, 1 << 20);
  const lines = r.out.toString().split("\n");
  t.equal(lines.length, 16385);
  t.ok(lines.slice(0, -1).every((l, i) => Number(l) === i), "every line, in order");
});

t.test("a reader that goes away (EPIPE) does not stop the run or its exit code", async (t) => {
  const r = await launch(["run", "--rm", "--network", "none", "busybox", "sh", "-c", "i=0; while [ $i -lt 3000 ]; do echo line $i; i=$((i+1)); done; exit 4"], {
    onStart: (c) => c.stdout!.once("data", () => c.stdout!.destroy()),
  });
  t.equal(r.code, 4, r.err);
  t.equal(r.err, "");
  t.same(engine.ctx.manager.list(true), []);
});

t.test("signals go to the container; a third Ctrl-C stops waiting and leaves it running", async (t) => {
  let sent = false;
  const trap = await launch(["run", "--rm", "--network", "none", "busybox", "sh", "-c", "trap 'echo got INT; exit 5' INT; echo ready; while :; do sleep 0.1; done"], {
    onStart: (c) => c.stdout!.on("data", () => { if (!sent) { sent = true; c.kill("SIGINT"); } }),
  });
  t.equal(trap.code, 5, trap.err);
  t.equal(trap.out.toString(), "ready\ngot INT\n");
  const term = await launch(["run", "--rm", "--network", "none", "busybox", "sh", "-c", "trap 'echo got TERM; exit 6' TERM; echo ready; while :; do sleep 0.1; done"], {
    onStart: (c) => c.stdout!.once("data", () => c.kill("SIGTERM")),
  });
  t.equal(term.code, 6, term.err);
  // The Node CLI (no launcher built, or an old engine) passes the first Ctrl-C on too.
  let sentNode = false;
  const node = await launch(["run", "--rm", "--network", "none", "busybox", "sh", "-c", "trap 'echo got INT; exit 5' INT; echo ready; while :; do sleep 0.1; done"], {
    env, file: process.execPath, onStart: (c) => c.stdout!.on("data", () => { if (!sentNode) { sentNode = true; c.kill("SIGINT"); } }),
  });
  t.equal(node.code, 5, node.err);
  t.equal(node.out.toString(), "ready\ngot INT\n");
  // PID 1 without a handler ignores SIGINT: the third one ends the wait, the container stays.
  const stuck = await launch(["run", "--rm", "--network", "none", "--name", "nr-stuck", "busybox", "sh", "-c", "echo ready; exec sleep 60"], {
    onStart: (c) => c.stdout!.once("data", async () => {
      for (let i = 0; i < 3; i++) { c.kill("SIGINT"); await new Promise((r) => setTimeout(r, 200)); }
    }),
  });
  t.equal(stuck.code, 130);
  t.match(stuck.err, /three interrupts.*keeps running/);
  t.equal(engine.ctx.manager.find("nr-stuck")?.state, "running");
  await engine.ctx.manager.remove("nr-stuck", { force: true });
});

t.test("no engine running: the Node CLI starts one (with the argv form), then the fast path is used", async (t) => {
  const own = await mkdtemp(join(tmpdir(), "infra-nr-noengine-"));
  const layout = resolveLayout({ root: join(own, "root"), run: join(own, "run") });
  const e2 = { ...env, INFRA_ROOT: layout.root, INFRA_RUN: layout.run };
  t.teardown(async () => {
    const pid = Number((await readFile(layout.enginePidFile, "utf8").catch(() => "")).trim());
    if (pid > 0 && readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("engine")) {
      process.kill(pid, "SIGTERM");
      await waitFor(() => !existsSync(`/proc/${pid}`), 15000);
    }
    const ls = await runCommand("runc", ["--root", layout.runcRoot, "list", "-q"]);
    for (const id of ls.stdout.split("\n").filter(Boolean)) await runCommand("runc", ["--root", layout.runcRoot, "delete", "--force", id]);
    await removeCgroupParent(layout.cgroupParent, await readFile("/proc/self/cgroup", "utf8"));
    await rm(own, { recursive: true, force: true });
  });
  const r = await launch(["run", "--rm", "--network", "none", "busybox", "echo", "started"], { env: e2 });
  t.equal(r.code, 0, r.err);
  t.equal(r.out.toString(), "started\n");
  t.ok(existsSync(layout.engineSocket), "an engine runs now");
  const again = await launch(["run", "--rm", "--network", "none", "busybox", "echo", "fast"], { env: { ...e2, INFRA_NODE: "/bin/false" } });
  t.equal(again.code, 0, again.err);
  t.equal(again.out.toString(), "fast\n", "`infra engine` serves the argv form");
  const ps = await launch(["ps", "-a", "--json"], { env: e2 });
  t.same(JSON.parse(ps.out.toString()), []);
});

t.test("against a fake engine: frames cut anywhere, an engine that dies, an old engine's 404", async (t) => {
  const { createServer } = await import("node:http");
  const { encodeFrame, FRAME } = await import("../../src/providers/local-runtime/engine/attach-protocol.js");
  const run = join(dir, "fake-run");
  await mkdir(run, { recursive: true });
  let mode = "bytewise";
  const bodies: unknown[] = [];
  const fake = createServer((req, res) => {
    let text = "";
    req.on("data", (d: Buffer) => { text += d.toString(); });
    req.on("end", () => void (async () => {
      bodies.push(JSON.parse(text));
      if (mode === "old") { res.writeHead(404, { "content-type": "application/json" }); res.end("{}"); return; }
      res.writeHead(200, { "x-infra-container": "abc" });
      const bytes = Buffer.concat([encodeFrame(FRAME.stdout, "héllo\n"), encodeFrame(FRAME.stderr, ""), encodeFrame(9, "a frame of a newer engine"), encodeFrame(FRAME.stderr, "e\n"), ...(mode === "dies" ? [] : [encodeFrame(FRAME.exit, JSON.stringify({ exitCode: 42, extra: true }))])]);
      // One byte per write: every read of the launcher may end inside a header or a payload.
      for (const b of bytes) { res.write(Buffer.from([b])); await new Promise((r) => setImmediate(r)); }
      if (mode === "dies") res.destroy(); else res.end();
    })());
  });
  await new Promise<void>((r) => fake.listen(join(run, "engine.sock"), () => r()));
  t.teardown(() => new Promise<void>((r) => fake.close(() => r())));
  const fenv = { ...fast, INFRA_RUN: run, NR_SEEN: "yes" };
  const a = await launch(["run", "--rm", "img", "arg with \"quotes\"\n\ttabs"], { env: fenv });
  t.equal(a.code, 42);
  t.equal(a.out.toString(), "héllo\n");
  t.equal(a.err, "e\n");
  const body = bodies[0] as { argv: string[]; cwd: string; env: Record<string, string>; stdoutTty: boolean };
  t.same(body.argv, ["--rm", "img", "arg with \"quotes\"\n\ttabs"], "the arguments after run, JSON-escaped");
  t.equal(body.cwd, dir);
  t.equal(body.env.NR_SEEN, "yes");
  t.equal(body.stdoutTty, false);
  mode = "dies";
  const b = await launch(["run", "img"], { env: fenv });
  t.equal(b.code, 125, "the engine went away before the exit: Docker's engine-failure code");
  t.equal(b.out.toString(), "héllo\n");
  t.match(b.err, /^e\ninfra: the engine closed the connection while the container ran/);
  mode = "old";
  const c = await launch(["run", "img"], { env: fenv });
  t.equal(c.code, 1, "404: handed over to Node (here INFRA_NODE=/bin/false)");
  t.equal(c.err, "");
  const missing = await launch(["run", "img"], { env: { ...fast, INFRA_RUN: join(dir, "nobody-here"), INFRA_NODE: "/nonexistent/node" } });
  t.equal(missing.code, 127, "nobody listens: Node is run, and a missing Node is named");
  t.match(missing.err, /cannot run \/nonexistent\/node/);
});
