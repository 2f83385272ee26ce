// Issue 11, part 2: what the CLI writes beside a stack is its user's alone. State and its backup may
// hold secrets, a lock names the process holding it, a saved plan holds every value: 0600 files
// in a 0700 .infra directory, whichever way the file came to be (first write, takeover of a stale lock).
import t from "tap";
import { spawnSync } from "node:child_process";
import { stat, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { LocalStateBackend } from "../../src/state/local-backend.js";
import { acquireFileLock } from "../../src/state/file-lock.js";
import { emptyState } from "../../src/state/state-types.js";
import { writePlanFile } from "../../src/plan/saved-plan.js";
import { PLAN_FORMAT_VERSION, type Plan } from "../../src/plan/plan-types.js";

const me = { pid: process.pid, host: hostname(), command: "infra apply (test)" };
const mode = async (p: string) => (await stat(p)).mode & 0o777;

t.test("state, backup, lock and the .infra directory", async (t) => {
  const dir = join(t.testdir(), ".infra");
  const b = new LocalStateBackend(dir, "app");
  const lock = await b.lock(me, 0);
  t.equal(await mode(dir), 0o700, ".infra is 0700");
  t.equal(await mode(b.lockPath), 0o600, "a new lock is 0600");
  await b.write(emptyState("app", "lin-1", "0.1.0"));
  await b.write({ ...emptyState("app", "lin-1", "0.1.0"), serial: 2 });
  t.equal(await mode(b.location), 0o600, "state 0600");
  t.equal(await mode(b.backupPath), 0o600, "backup 0600");
  await lock.release();
});

t.test("a lock taken over from a dead holder is 0600 too", async (t) => {
  const dir = t.testdir();
  const path = join(dir, "app.lock");
  const dead = spawnSync("true").pid!;
  await writeFile(path, JSON.stringify({ id: "stale", pid: dead, host: hostname(), command: "infra apply (dead)", createdAt: new Date(0).toISOString() }), { mode: 0o644 });
  const lock = await acquireFileLock(path, me, 0, { pollMs: 5 });
  t.equal(await mode(path), 0o600);
  await lock.release();
});

t.test("a saved plan is 0600", async (t) => {
  const f = join(t.testdir(), "plan.json");
  await writePlanFile(f, { formatVersion: PLAN_FORMAT_VERSION } as unknown as Plan);
  t.equal(await mode(f), 0o600);
});
