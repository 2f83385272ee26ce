import t from "tap";
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { RunningEngine } from "../../src/providers/local-runtime/engine/engine-server.js";
import { startCliEngine, stopCliEngine } from "./cli-engine.js";
import { FRAME, FrameDecoder, encodeFrame } from "../../src/providers/local-runtime/engine/attach-protocol.js";

process.env.INFRA_ENGINE_NETWORK = "off";
const cliEntry = fileURLToPath(new URL("./cli-entry.ts", import.meta.url));
let dir: string;
let engine: RunningEngine;
let env: NodeJS.ProcessEnv;

t.before(async () => ({ dir, engine, env } = await startCliEngine("infra-d3-tty-")));
const children = new Set<import("node:child_process").ChildProcess>();
t.teardown(() => stopCliEngine({ dir, engine }, children));

interface Run { code: number | null; out: string }

/** Runs the CLI; `script` gives it a real pty when `pty` is set. Input is sent once `waitFor` shows up. */
function cli(args: string[], o: { pty?: boolean; input?: string; waitFor?: RegExp; stty?: string } = {}): Promise<Run> {
  const argv = ["node", "--import", "tsx", cliEntry, ...args];
  const quoted = argv.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  const child = o.pty
    ? spawn("script", ["-qec", `${o.stty ? `stty ${o.stty}; ` : ""}${quoted}`, "/dev/null"], { env, stdio: ["pipe", "pipe", "pipe"] })
    : spawn(argv[0]!, argv.slice(1), { env, stdio: ["pipe", "pipe", "pipe"] });
  children.add(child);
  let out = "";
  let sent = false;
  const maybeSend = () => {
    if (sent || o.input === undefined) return;
    if (o.waitFor && !o.waitFor.test(out)) return;
    sent = true;
    child.stdin.write(o.input);
    if (!o.pty) child.stdin.end();
  };
  child.stdout.on("data", (d: Buffer) => { out += d.toString(); maybeSend(); });
  child.stderr.on("data", (d: Buffer) => { out += d.toString(); });
  if (!o.waitFor) maybeSend();
  const timer = setTimeout(() => child.kill("SIGKILL"), 40000);
  return new Promise((resolve) => child.on("close", (code) => { clearTimeout(timer); children.delete(child); child.stdin.destroy(); resolve({ code, out }); }));
}

async function gone(cond: () => boolean, timeoutMs = 15000): Promise<boolean> {
  for (const end = Date.now() + timeoutMs; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) if (cond()) return true;
  return cond();
}

t.test("attach protocol frames round-trip, split anywhere", async (t) => {
  const bytes = Buffer.concat([encodeFrame(FRAME.stdout, "hello"), encodeFrame(FRAME.exit, '{"exitCode":3}'), encodeFrame(FRAME.stdinEnd)]);
  const d = new FrameDecoder();
  const got = [...d.push(bytes.subarray(0, 3)), ...d.push(bytes.subarray(3, 12)), ...d.push(bytes.subarray(12))];
  t.same(got.map((f) => [f.type, f.payload.toString()]), [[2, "hello"], [6, '{"exitCode":3}'], [5, ""]]);
});

t.test("run -i: piped stdin reaches the container, EOF closes it, the exit code comes back", async (t) => {
  const r = await cli(["run", "--rm", "-i", "--network", "none", "busybox", "sh", "-c", "read a; echo got-$a; cat; echo to-stderr >&2; exit 4"], { input: "hello\nworld\n" });
  t.equal(r.code, 4, r.out);
  t.equal(r.out.replace(/\r/g, ""), "got-hello\nworld\nto-stderr\n");
  t.ok(await gone(() => engine.ctx.manager.list(true).length === 0), "--rm: the engine removed it at its exit");
  const fg = await cli(["run", "--rm", "--network", "none", "busybox", "sh", "-c", "echo out; echo err >&2; exit 6"]);
  t.same([fg.code, fg.out.split("\n").sort().join(",")], [6, ",err,out"], "plain foreground run still streams its log and exit code");
});

t.test("run -it: a real terminal inside, window size passed on, input typed, exit code back", async (t) => {
  const r = await cli(["run", "--rm", "-it", "--network", "none", "busybox", "sh", "-c", "tty; sleep 0.3; stty size; read x; echo typed-$x; exit 3"],
    { pty: true, stty: "rows 31 cols 97", input: "abc\r", waitFor: /\d+ \d+/ });
  t.equal(r.code, 3, r.out);
  t.match(r.out, /\/dev\/pts\/\d+/, "the container's stdin is a terminal");
  t.match(r.out, /31 97/, "window size of the caller");
  t.match(r.out, /typed-abc/, "typed input read by the container");
});

t.test("run -it --rm: a detach leaves it running, the engine removes it at its exit; create --rm too", async (t) => {
  const r = await cli(["run", "--rm", "-it", "--name", "rm-detach", "--network", "none", "busybox", "sh", "-c", "echo ready; sleep 2"],
    { pty: true, input: "\x10\x11", waitFor: /ready/ });
  t.equal(r.code, 0, r.out);
  t.equal(engine.ctx.manager.find("rm-detach")?.state, "running", "still running after ctrl-p ctrl-q");
  t.ok(await gone(() => engine.ctx.manager.find("rm-detach") === undefined), "removed when it exited");
  const c = await cli(["create", "--rm", "--name", "rm-created", "--network", "none", "busybox", "true"]);
  t.equal(c.code, 0, c.out);
  t.equal(engine.ctx.manager.get("rm-created").autoRemove, true, "create --rm is kept on the record");
  t.equal((await cli(["start", "rm-created"])).code, 0);
  t.ok(await gone(() => engine.ctx.manager.find("rm-created") === undefined), "removed at its exit");
});

t.test("exec -it: a real terminal in a running container", async (t) => {
  const d = await cli(["run", "-d", "--name", "ttyhost", "--network", "none", "busybox", "sleep", "300"]);
  t.equal(d.code, 0, d.out);
  const r = await cli(["exec", "-it", "ttyhost", "sh", "-c", "tty; read x; echo exec-$x; exit 5"], { pty: true, input: "xyz\r", waitFor: /\/dev\/pts/ });
  t.equal(r.code, 5, r.out);
  t.match(r.out, /\/dev\/pts\/\d+/);
  t.match(r.out, /exec-xyz/);
  const i = await cli(["exec", "-i", "ttyhost", "sh", "-c", "cat; exit 2"], { input: "piped\n" });
  t.equal(i.code, 2);
  t.equal(i.out, "piped\n");
  await cli(["rm", "-f", "ttyhost"]);
});

t.test("CLI: health flags, /health, ps and inspect show the status; wait prints the exit code; cp; logs --tail -t", async (t) => {
  const d = await cli(["run", "-d", "--name", "hc", "--network", "none", "--health-cmd", "test -f /tmp/ok", "--health-interval", "200ms", "--health-retries", "1", "busybox", "sh", "-c", "echo one; echo two; sleep 1; touch /tmp/ok; sleep 300"]);
  t.equal(d.code, 0, d.out);
  const client = await import("../../src/providers/local-runtime/engine/engine-client.js").then((m) => new m.EngineClient(engine.layout.engineSocket));
  t.equal((await client.call<{ status: string }>("GET", "/containers/hc/health")).status, "starting");
  const end = Date.now() + 10000;
  let status = "";
  while (Date.now() < end && status !== "healthy") {
    status = (await client.call<{ status: string }>("GET", "/containers/hc/health")).status;
    await new Promise((r) => setTimeout(r, 100));
  }
  t.equal(status, "healthy");
  t.match((await cli(["ps"])).out, /Up \d+ seconds \(healthy\)\s+hc/);
  const ins = await cli(["inspect", "hc"]);
  t.equal(ins.code, 0, ins.out);
  t.match(JSON.parse(ins.out), [{ health: { status: "healthy", failingStreak: 0 }, State: { Health: { Status: "healthy" } } }]);
  const logs = await cli(["logs", "--tail", "1", "-t", "hc"]);
  t.match(logs.out, /^\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:\d\d) two\n$/, "--tail 1 with -t");
  const hostFile = join(dir, "cp-in.txt");
  await (await import("node:fs/promises")).writeFile(hostFile, "via-cli\n");
  t.equal((await cli(["cp", hostFile, "hc:/tmp/"])).code, 0);
  t.equal((await cli(["cp", "hc:/tmp/cp-in.txt", join(dir, "cp-out.txt")])).code, 0);
  t.equal(await readFile(join(dir, "cp-out.txt"), "utf8"), "via-cli\n");
  const bad = await cli(["cp", "hc:/tmp/../../etc/passwd", join(dir, "x")]);
  t.not(bad.code, 0);
  t.match(bad.out, /outside the container/);

  t.equal((await cli(["run", "-d", "--name", "waiter", "--network", "none", "busybox", "sh", "-c", "sleep 1; exit 7"])).code, 0);
  const w = await cli(["wait", "waiter"]);
  t.same([w.code, w.out], [0, "7\n"], "wait blocks until the exit and prints the code");
  await cli(["rm", "-f", "hc", "waiter"]);
});
