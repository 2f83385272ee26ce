import t from "tap";
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { startEngine, type RunningEngine } from "../../src/providers/local-runtime/engine/engine-server.js";
import { startCliEngine, stopCliEngine } from "./cli-engine.js";
import { DetachMatcher, parseDetachKeys } from "../../src/cli/commands/attach-session.js";

process.env.INFRA_ENGINE_NETWORK = "off";
const cliEntry = fileURLToPath(new URL("./cli-entry.ts", import.meta.url));
let dir: string;
let engine: RunningEngine;
let env: NodeJS.ProcessEnv;
const prefix = `at${process.pid}`;

t.before(async () => ({ dir, engine, env } = await startCliEngine("infra-at-attach-")));
const children = new Set<ChildProcess>();
t.teardown(() => stopCliEngine({ dir, engine }, children));

interface Cli { child: ChildProcess; out: () => string; done: Promise<number | null> }

/** Starts the CLI with piped stdio; the caller writes to its stdin. */
function cli(args: string[]): Cli {
  const child = spawn("node", ["--import", "tsx", cliEntry, ...args], { env, stdio: ["pipe", "pipe", "pipe"] });
  children.add(child);
  let out = "";
  child.stdout!.on("data", (d: Buffer) => { out += d.toString(); });
  child.stderr!.on("data", (d: Buffer) => { out += d.toString(); });
  const timer = setTimeout(() => child.kill("SIGKILL"), 25000);
  const done = new Promise<number | null>((resolve) => child.on("close", (code) => { clearTimeout(timer); children.delete(child); resolve(code); }));
  return { child, out: () => out, done };
}

async function until(what: string, ok: () => boolean, ms = 15000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const state = (name: string) => engine.ctx.manager.find(name)?.state;

t.test("detach keys: Docker's syntax, and a matcher that holds back a possible prefix", async (t) => {
  t.same(parseDetachKeys("ctrl-p,ctrl-q"), [16, 17]);
  t.same(parseDetachKeys("a,ctrl-@,ctrl-\\,ctrl-_"), [97, 0, 28, 31]);
  t.equal(parseDetachKeys("ctrl-pq"), undefined);
  t.equal(parseDetachKeys("ctrl-1"), undefined);
  t.equal(parseDetachKeys(""), undefined);
  const m = new DetachMatcher([16, 17]);
  t.same(m.push(Buffer.from("ab\x10")), { forward: Buffer.from("ab"), detach: false }, "ctrl-p held back");
  t.same(m.push(Buffer.from("x")), { forward: Buffer.from("\x10x"), detach: false }, "not followed by ctrl-q: sent as typed");
  t.same(m.push(Buffer.from("\x10\x10")), { forward: Buffer.from("\x10"), detach: false }, "a second ctrl-p restarts the match");
  t.same(m.push(Buffer.from("\x11rest")), { forward: Buffer.from(""), detach: true }, "split across chunks");
});

t.test("attach streams a running container's output; ctrl-p ctrl-q detaches and leaves it running", async (t) => {
  const name = `${prefix}-ticker`;
  const d = cli(["run", "-d", "--name", name, "--network", "none", "busybox", "sh", "-c", "while :; do echo tick; sleep 0.2; done"]);
  t.equal(await d.done, 0, d.out());
  const a = cli(["attach", name]);
  await until("two ticks", () => (a.out().match(/tick/g) ?? []).length >= 2);
  a.child.stdin!.write("\x10\x11");
  t.equal(await a.done, 0, a.out());
  t.equal(state(name), "running", "still running after the detach");
  t.match(a.out(), /^(tick\n)+$/, "only the container's output");
  await engine.ctx.manager.remove(name, { force: true });
});

t.test("attach to a TTY container: raw terminal, its window size, typed input, then ctrl-p ctrl-q", async (t) => {
  const name = `${prefix}-tty`;
  const d = cli(["run", "-d", "-it", "--name", name, "--network", "none", "busybox", "sh"]);
  t.equal(await d.done, 0, d.out());
  const cmd = ["node", "--import", "tsx", cliEntry, "attach", name].map((a) => `'${a}'`).join(" ");
  const child = spawn("script", ["-qec", `stty rows 31 cols 97; ${cmd}`, "/dev/null"], { env, stdio: ["pipe", "pipe", "pipe"] });
  children.add(child);
  let out = "";
  child.stdout.on("data", (b: Buffer) => { out += b.toString(); });
  const done = new Promise<number | null>((r) => child.on("close", (c) => { children.delete(child); r(c); }));
  // The shell's prompt was printed before we came: Enter until a new one shows that input goes through.
  await until("a prompt", () => { if (!/# /.test(out)) child.stdin.write("\r"); return /# /.test(out); });
  child.stdin.write("stty size; echo ok-$((3+4))\r");
  await until("the command's output", () => /ok-7/.test(out));
  t.match(out, /31 97/, "the caller's window size");
  child.stdin.write("\x10\x11");
  t.equal(await done, 0, out);
  t.equal(state(name), "running", "the shell runs on");
  await engine.ctx.manager.remove(name, { force: true });
});

t.test("attach exits with the container's exit code; a stopped container is refused", async (t) => {
  const name = `${prefix}-seven`;
  // It ticks until the test says go (once attach is connected), then exits 7.
  const d = cli(["run", "-d", "--name", name, "--network", "none", "busybox", "sh", "-c", "while [ ! -f /tmp/go ]; do echo wait; sleep 0.2; done; echo bye; exit 7"]);
  t.equal(await d.done, 0, d.out());
  const a = cli(["attach", "--no-stdin", name]);
  await until("attached", () => a.out().includes("wait"));
  const { execCollect } = await import("../../src/providers/local-runtime/container/container-ops.js");
  await execCollect(engine.ctx.manager, name, { cmd: ["touch", "/tmp/go"] });
  t.equal(await a.done, 7, a.out());
  t.match(a.out(), /bye\n$/);
  const r = cli(["attach", name]);
  t.equal(await r.done, 1);
  t.match(r.out(), /cannot attach to container '.*-seven': it is exited/);
  t.match(r.out(), /infra start/);
  await engine.ctx.manager.remove(name, { force: true });
});

t.test("-d --rm: removed after its exit even though the engine restarted while it ran", async (t) => {
  const name = `${prefix}-rm`;
  const d = cli(["run", "-d", "--rm", "--name", name, "--network", "none", "busybox", "sleep", "2"]);
  t.equal(await d.done, 0, d.out());
  t.equal(engine.ctx.manager.find(name)?.autoRemove, true, "--rm is kept on the record");
  const opts = { root: engine.layout.root, run: engine.layout.run, network: false as const };
  await engine.close();
  engine = await startEngine(opts);
  t.equal(state(name), "running", "the new engine took it over");
  await until("removal by the new engine", () => engine.ctx.manager.find(name) === undefined, 10000);
  t.pass("removed");
});
