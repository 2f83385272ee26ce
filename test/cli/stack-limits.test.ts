// The CLI with a stack that spins, grows or exits: each ends with its coded error within its limit,
// and SIGINT/SIGTERM end a spinning stack at once with one message and the conventional exit status.
import t from "tap";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { collect, runCli, startCli, tempDir } from "./fixtures/run-cli.js";

const STACK = `import { execSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { Container, defineStack } from "infra";
export default defineStack((stack) => {
  new Container(stack, "web", { image: "busybox" });
  const mode = process.env.STACK_MODE;
  if (mode === "spin") {
    if (process.env.STACK_MARK) writeFileSync(process.env.STACK_MARK, "spinning");
    while (true) {}
  }
  if (mode === "grow") {
    const keep: object[] = [];
    while (true) keep.push({ n: Math.random(), s: String(Math.random()) });
  }
  if (mode === "exit") process.exit(3);
  if (mode === "sync") execSync("sleep 60");
});
`;

const env = { INFRA_PROVIDER: "memory" };
const dir = tempDir(t, "limits");
writeFileSync(join(dir, "infra.ts"), STACK);

t.before(async () => {
  // Type-checked once; the runs below reuse the check.
  const r = await runCli(["check"], { cwd: dir, env });
  if (r.code !== 0) throw new Error(r.stderr);
});

t.test("a normal stack still checks", async (t) => {
  const r = await runCli(["check"], { cwd: dir, env });
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /valid: 1 resource/);
});

t.test("while (true) {} under plan ends with the time limit's error within the limit", async (t) => {
  const started = Date.now();
  const r = await runCli(["plan", "--stack-timeout", "2s"], { cwd: dir, env: { ...env, STACK_MODE: "spin" } });
  const took = Date.now() - started;
  t.equal(r.code, 1);
  t.match(r.stderr, /INFRA_LOAD_STACK_TIMEOUT/);
  t.match(r.stderr, `${join(dir, "infra.ts")} ran longer than its time limit of 2s`);
  t.match(r.stderr, /--stack-timeout/);
  t.ok(took < 2000 + 15_000, `ended after ${took} ms (CLI start-up included)`);
  const viaEnv = await runCli(["check"], { cwd: dir, env: { ...env, STACK_MODE: "spin", INFRA_STACK_TIMEOUT: "1500ms" } });
  t.equal(viaEnv.code, 1);
  t.match(viaEnv.stderr, /time limit of 1500ms/, "INFRA_STACK_TIMEOUT sets it too");
});

t.test("a stack held in a synchronous child process (execSync) does not hold the CLI past its limit", async (t) => {
  const started = Date.now();
  const r = await runCli(["check", "--stack-timeout", "2s"], { cwd: dir, env: { ...env, STACK_MODE: "sync" } });
  const took = Date.now() - started;
  t.equal(r.code, 1);
  t.match(r.stderr, /INFRA_LOAD_STACK_TIMEOUT/);
  t.ok(took < 2000 + 15_000, `the CLI exited after ${took} ms, not after the child's 60 s`);
});

for (const [sig, status, word] of [["SIGTERM", 143, "Terminated"], ["SIGINT", 130, "Interrupted"]] as const) {
  t.test(`${sig} ends a spinning stack at once: one message, exit ${status}`, async (t) => {
    const mark = join(dir, `mark-${sig}`);
    const child = startCli(["plan"], { cwd: dir, env: { ...env, STACK_MODE: "spin", STACK_MARK: mark } });
    child.stdin?.end();
    const done = collect(child);
    while (!existsSync(mark)) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 200));
    const sent = Date.now();
    child.kill(sig);
    const r = await done;
    const took = Date.now() - sent;
    t.equal(r.code, status);
    t.ok(took < 3000, `exited ${took} ms after the signal`);
    t.match(r.stderr, /INFRA_LOAD_INTERRUPTED/);
    t.match(r.stderr, `${word}: stopped loading the stack ${join(dir, "infra.ts")}`);
    t.notMatch(r.stderr, /waiting for running operations/, "no graceful stop is announced");
    t.equal(r.stderr.trim().split("\n").length, 1, "one line");
  });
}

t.test("a stack that grows its memory forever ends with the memory limit's error", async (t) => {
  const r = await runCli(["check", "--stack-memory", "64", "--stack-timeout", "2m"], { cwd: dir, env: { ...env, STACK_MODE: "grow" } });
  t.equal(r.code, 1);
  t.match(r.stderr, /INFRA_LOAD_STACK_MEMORY/);
  t.match(r.stderr, /memory limit of 64 MB/);
  t.match(r.stderr, /--stack-memory/);
});

t.test("process.exit in a stack is a clear error, not a silent exit", async (t) => {
  const r = await runCli(["graph"], { cwd: dir, env: { ...env, STACK_MODE: "exit" } });
  t.equal(r.code, 1);
  t.match(r.stderr, /INFRA_LOAD_STACK_EXITED/);
  t.match(r.stderr, /called process\.exit\(3\)/);
  t.equal(r.stdout, "", "no graph");
});

t.test("bad limits are usage errors naming the flag or the variable", async (t) => {
  const small = await runCli(["check", "--stack-memory", "8"], { cwd: dir, env });
  t.equal(small.code, 1);
  t.match(small.stderr, /INFRA_CLI_FLAG_VALUE_INVALID/);
  t.match(small.stderr, /--stack-memory takes a whole number of megabytes, at least 32, not "8"/);
  const bad = await runCli(["check"], { cwd: dir, env: { ...env, INFRA_STACK_TIMEOUT: "soon" } });
  t.equal(bad.code, 1);
  t.match(bad.stderr, /INFRA_STACK_TIMEOUT takes a duration such as 30s, 2m or 500ms, not "soon"/);
});
