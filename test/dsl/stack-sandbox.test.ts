// The stack program runs in a worker with a time and a memory limit: a stack that spins, grows,
// exits or never settles ends with a coded error (and the test process lives on); a signal stops it at once.
import t, { type Test } from "tap";
import { existsSync, promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Interrupt } from "../../src/diag/interrupt.js";
import type { InfraError } from "../../src/diag/infra-error.js";
import { loadStack } from "../../src/dsl/loader/index.js";
import type { StackLimits } from "../../src/dsl/loader/stack-limits.js";

const RUN = `infra-sandbox-${process.pid}-${Date.now().toString(36)}`;

/** One stack whose behaviour MODE picks (the worker gets a copy of process.env), so that it is type-checked once. */
const STACK = `import { writeFileSync } from "node:fs";
import { Container, defineStack } from "infra";
export default defineStack(async (stack) => {
  new Container(stack, "web", { image: "busybox" });
  const mode = process.env.INFRA_TEST_MODE;
  if (mode === "spin") {
    if (process.env.INFRA_TEST_MARK) writeFileSync(process.env.INFRA_TEST_MARK, "spinning");
    while (true) {}
  }
  if (mode === "heap") {
    const keep: object[] = [];
    while (true) keep.push({ n: Math.random(), s: String(Math.random()) });
  }
  if (mode === "buffers") {
    const keep: Buffer[] = [];
    while (true) keep.push(Buffer.alloc(1 << 20, 1));
  }
  if (mode === "exit") process.exit(7);
  if (mode === "exit0") process.exit();
  if (mode === "never") await new Promise<void>(() => {});
  if (mode === "late") {
    setTimeout(() => { throw new Error("late boom"); }, 1);
    await new Promise((r) => setTimeout(r, 200));
  }
  if (mode === "timers") {
    setInterval(() => undefined, 1000);
    await new Promise((r) => setTimeout(r, 10));
    new Container(stack, "db", { image: "busybox" });
  }
});
`;

let shared: Promise<string> | undefined;
/** The stack's directory, made (and type-checked) once for the whole file. */
function stackDir(): Promise<string> {
  shared ??= (async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), `${RUN}-`));
    t.teardown(() => fs.rm(dir, { recursive: true, force: true }));
    await fs.writeFile(path.join(dir, "infra.ts"), STACK);
    await load(dir, "none");
    return dir;
  })();
  return shared;
}

function load(dir: string, mode: string, limits: Partial<StackLimits> = {}, signal?: AbortSignal) {
  process.env.INFRA_TEST_MODE = mode;
  return loadStack({ file: path.join(dir, "infra.ts"), stackName: "s", cacheDir: path.join(dir, ".infra", "cache"), limits, ...(signal ? { signal } : {}) });
}

async function rejection(p: Promise<unknown>): Promise<InfraError> {
  try {
    await p;
  } catch (e) {
    return e as InfraError;
  }
  throw new Error("expected a rejection");
}

t.test("while (true) {} ends with the time limit's error, within the limit", async (t) => {
  const dir = await stackDir();
  const started = Date.now();
  const e = await rejection(load(dir, "spin", { timeoutMs: 1500 }));
  const took = Date.now() - started;
  t.equal(e.code, "INFRA_LOAD_STACK_TIMEOUT");
  t.match(e.summary, path.join(dir, "infra.ts"), "names the stack file");
  t.match(e.summary, "time limit of 1500ms");
  t.match(e.hint, "--stack-timeout");
  t.match(e.hint, "INFRA_STACK_TIMEOUT");
  t.ok(took >= 1400 && took < 1500 + 5000, `stopped after ${took} ms`);
});

t.test("a stack that grows its heap forever ends with the memory limit's error", async (t) => {
  const e = await rejection(load(await stackDir(), "heap", { memoryMb: 64, timeoutMs: 120_000 }));
  t.equal(e.code, "INFRA_LOAD_STACK_MEMORY");
  t.match(e.summary, "memory limit of 64 MB");
  t.match(e.summary, "infra.ts");
  t.match(e.hint, "--stack-memory");
  t.match(e.hint, "INFRA_STACK_MEMORY_MB");
});

t.test("buffers (outside the heap) that grow forever end with the memory limit's error too", async (t) => {
  const e = await rejection(load(await stackDir(), "buffers", { memoryMb: 64, timeoutMs: 120_000 }));
  t.equal(e.code, "INFRA_LOAD_STACK_MEMORY");
  t.match(e.detail, "resident memory grew");
});

t.test("process.exit in a stack is an error, not the end of the caller", async (t) => {
  const dir = await stackDir();
  const e = await rejection(load(dir, "exit"));
  t.equal(e.code, "INFRA_LOAD_STACK_EXITED");
  t.match(e.summary, "called process.exit(7)");
  t.match(e.hint, "throw");
  t.match(await rejection(load(dir, "exit0")), { code: "INFRA_LOAD_STACK_EXITED", summary: /process\.exit\(0\)/ }, "exit code 0 is no success either");
});

t.test("a definition that waits on a promise that never settles is an error", async (t) => {
  const e = await rejection(load(await stackDir(), "never"));
  t.equal(e.code, "INFRA_LOAD_STACK_UNSETTLED");
});

t.test("a throw after the definition returned (from a timer) is the stack's error", async (t) => {
  const dir = await stackDir();
  const e = await rejection(load(dir, "late"));
  t.equal(e.code, "INFRA_LOAD_STACK_THREW");
  t.match(e.summary, "late boom");
  t.match(e.detail, `${path.join(dir, "infra.ts")}:22:`, "the .ts line of the throw");
});

for (const sig of ["SIGINT", "SIGTERM"] as const) {
  t.test(`an abort with ${sig} stops a spinning stack at once`, async (t) => {
    const dir = await stackDir();
    const controller = new AbortController();
    const mark = path.join(dir, `spinning-${sig}`);
    process.env.INFRA_TEST_MARK = mark;
    const p = rejection(load(dir, "spin", { timeoutMs: 60_000 }, controller.signal));
    while (!existsSync(mark)) await new Promise((r) => setTimeout(r, 20));
    const reason = new Interrupt(sig);
    const started = Date.now();
    controller.abort(reason);
    const e = await p;
    t.ok(Date.now() - started < 1000, `stopped in ${Date.now() - started} ms`);
    t.equal(e.code, "INFRA_LOAD_INTERRUPTED");
    t.equal(e.exitCode, sig === "SIGINT" ? 130 : 143);
    t.match(e.summary, path.join(dir, "infra.ts"));
    t.equal(reason.taken, true, "the CLI is told not to announce a graceful stop");
  });
}

t.test("a stack that logs, uses timers and env still loads; its leftover timers do not hold the caller", async (t) => {
  const r = await load(await stackDir(), "timers");
  t.same(r.diagnostics, []);
  t.same(r.graph.resources.map((x) => x.address), ["container.web", "container.db"]);
});
