// `infra logs -f` ends on the first SIGTERM (or Ctrl-C), as `docker logs -f` does: the follow
// stream is closed when the command is aborted, instead of waiting for the container to stop.
// Runs bin/infra (the native launcher, then dist/cli: build first) against a private engine.
import t from "tap";
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { startCliEngine, stopCliEngine, type CliEngine } from "./cli-engine.js";

const bin = join(import.meta.dirname, "..", "..", "bin", "infra");
const prefix = `lf${process.pid}`;
let h: CliEngine;
const children = new Set<ChildProcess>();
t.before(async () => { h = await startCliEngine("infra-lf-logs-"); });
t.teardown(() => stopCliEngine(h, children));

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  t.test(`logs -f exits within a second of one ${signal}`, async (t) => {
    const name = `${prefix}-${signal.toLowerCase()}`;
    // Not spawnSync: the engine runs in this process and must answer meanwhile.
    const run = spawn(bin, ["run", "-d", "--name", name, "--network", "none", "busybox", "sh", "-c", "while :; do echo tick; sleep 0.2; done"], { env: h.env, stdio: ["ignore", "ignore", "pipe"] });
    let runErr = "";
    run.stderr!.on("data", (d: Buffer) => { runErr += d.toString(); });
    t.equal(await new Promise((resolve) => run.on("close", resolve)), 0, runErr);
    const child = spawn(bin, ["logs", "-f", name], { env: h.env, stdio: ["ignore", "pipe", "pipe"] });
    children.add(child);
    let out = "";
    let err = "";
    child.stdout!.on("data", (d: Buffer) => { out += d.toString(); });
    child.stderr!.on("data", (d: Buffer) => { err += d.toString(); });
    const closed = new Promise<{ code: number | null; sig: NodeJS.Signals | null }>((resolve) => child.on("close", (code, sig) => { children.delete(child); resolve({ code, sig }); }));
    for (let i = 0; i < 200 && !out.includes("tick\ntick\n"); i++) await new Promise((r) => setTimeout(r, 50));
    t.match(out, /tick\ntick\n/, "following the output");
    const sent = Date.now();
    child.kill(signal);
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    const end = await closed;
    clearTimeout(timer);
    const took = Date.now() - sent;
    t.ok(took < 1000, `exited ${took} ms after one ${signal} (${JSON.stringify(end)}, stderr: ${err})`);
    t.equal(end.code, signal === "SIGINT" ? 130 : 143, "the exit status of an interrupted command (128 + the signal)");
    t.notMatch(err, /waiting for running operations|state to be written/, "no talk of operations or state: logs has none");
    t.equal(h.engine.ctx.manager.find(name)?.state, "running", "the container keeps running");
  });
}
