import t from "tap";
import { readFile, readdir, writeFile, stat } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { LocalStateBackend } from "../../src/state/local-backend.js";
import { emptyState, STATE_FORMAT_VERSION } from "../../src/state/state-types.js";
import { spawnTs, waitExit, waitForLine } from "./fixtures/spawn-tsx.js";

const fixtures = join(fileURLToPath(new URL(".", import.meta.url)), "fixtures");
const me = { pid: process.pid, host: hostname(), command: "infra apply (test)" };

t.test("write then read; the previous version is kept as .backup; no temp files left", async (t) => {
  const dir = join(t.testdir(), ".infra");
  const b = new LocalStateBackend(dir, "app");
  t.equal(await b.read(), undefined, "no state yet");
  const s = emptyState("app", "lin-1", "0.1.0");
  s.serial = 1;
  await b.write(s);
  t.same(await b.read(), s);
  await b.write({ ...s, serial: 2 });
  t.equal((await b.read())?.serial, 2);
  t.equal(JSON.parse(await readFile(join(dir, "app.state.json.backup"), "utf8")).serial, 1);
  t.same((await readdir(dir)).sort(), ["app.state.json", "app.state.json.backup"]);
  t.equal((await stat(join(dir, "app.state.json"))).mode & 0o777, 0o600, "state may hold secrets: owner only");
  const withDeposed = { ...s, serial: 3, deposed: [{ address: "image.a", type: "image" as const, provider: "memory", id: "old", props: {}, outputs: {}, dependencies: [], deposedAt: "2026-01-01T00:00:00.000Z" }] };
  await b.write(withDeposed);
  t.same(await b.read(), withDeposed, "deposed objects are kept");
});

t.test("a corrupt file is refused and never overwritten", async (t) => {
  const dir = t.testdir({ "app.state.json": '{"formatVersion": 1, "lineage": "x", ' });
  const b = new LocalStateBackend(dir, "app");
  await t.rejects(b.read(), { code: "INFRA_STATE_CORRUPT" });
  await t.rejects(b.write(emptyState("app", "y", "0")), { code: "INFRA_STATE_CORRUPT" });
  t.equal(await readFile(join(dir, "app.state.json"), "utf8"), '{"formatVersion": 1, "lineage": "x", ');
  const dir2 = t.testdir({ "app.state.json": JSON.stringify({ formatVersion: 1, lineage: "x", serial: 1, stack: "app", resources: [{ address: "a" }], outputs: {} }) });
  await t.rejects(new LocalStateBackend(dir2, "app").read(), { code: "INFRA_STATE_CORRUPT", message: /corrupt/ });
  const dir3 = t.testdir({ "app.state.json": JSON.stringify({ ...emptyState("app", "x", "0"), deposed: [{ address: "image.a", type: "image", provider: "memory", id: "i" }] }) });
  await t.rejects(new LocalStateBackend(dir3, "app").read(), { code: "INFRA_STATE_CORRUPT", detail: /deposed\[0\] \(image\.a\) lacks props/ });
});

t.test("a newer format is refused and never overwritten", async (t) => {
  const text = JSON.stringify({ ...emptyState("app", "x", "9.0.0"), formatVersion: STATE_FORMAT_VERSION + 1 });
  const dir = t.testdir({ "app.state.json": text });
  const b = new LocalStateBackend(dir, "app");
  await t.rejects(b.read(), { code: "INFRA_STATE_TOO_NEW", hint: /9\.0\.0/ });
  await t.rejects(b.write(emptyState("app", "y", "0")), { code: "INFRA_STATE_TOO_NEW" });
  t.equal(await readFile(join(dir, "app.state.json"), "utf8"), text);
});

t.test("a process killed while writing leaves the old or the new file, valid", async (t) => {
  const dir = t.testdir();
  for (let round = 0; round < 4; round++) {
    const child = spawnTs(join(fixtures, "write-loop.ts"), [dir, `kill${round}`]);
    await waitForLine(child, "ready");
    await new Promise((r) => setTimeout(r, 20 + round * 37));
    child.kill("SIGKILL");
    await waitExit(child);
    const b = new LocalStateBackend(dir, `kill${round}`);
    const s = await b.read();
    t.ok(s !== undefined && s.serial >= 1, `round ${round}: state readable (serial ${s?.serial})`);
    t.equal(s?.resources.length, s?.serial, "complete content for its serial");
    // Killed during the second write, before its backup was in place: there is no backup yet.
    const text = await readFile(join(dir, `kill${round}.state.json.backup`), "utf8").catch(() => undefined);
    if (text === undefined) t.equal(s?.serial, 1, "no backup only while there was no previous version");
    else t.ok([(s?.serial ?? 0) - 1, s?.serial].includes(JSON.parse(text).serial), "backup is the previous (or same) version");
    const l = await b.lock(me, 0);
    t.same((await readdir(dir)).filter((f) => f.startsWith(`.kill${round}.`)), [], "the next lock holder removes the killed writer's temp files");
    await l.release();
  }
});

t.test("lock: exclusive, records its holder, released", async (t) => {
  const dir = t.testdir();
  const b = new LocalStateBackend(dir, "app", { pollMs: 20 });
  const l = await b.lock(me, 0);
  const onDisk = JSON.parse(await readFile(join(dir, "app.lock"), "utf8"));
  t.match(onDisk, { pid: process.pid, host: hostname(), command: "infra apply (test)", id: l.info.id });
  t.ok(!Number.isNaN(Date.parse(onDisk.createdAt)));
  const err = await b.lock(me, 100).catch((e: unknown) => e);
  t.match(err, { code: "INFRA_STATE_LOCKED", summary: new RegExp(`pid ${process.pid} on ${hostname()}, running "infra apply \\(test\\)", since `) });
  await l.release();
  await t.resolves(readdir(dir).then((f) => t.same(f, [], "lock file removed")));
  const l2 = await b.lock(me, 0);
  await l2.release();
});

t.test("lock contention between two processes: wait, then time out naming the holder, or get it", async (t) => {
  const dir = t.testdir();
  const child = spawnTs(join(fixtures, "hold-lock.ts"), [dir, "app", "1500"]);
  t.teardown(() => {
    if (child.exitCode === null) child.kill("SIGKILL");
  });
  await waitForLine(child, "locked");
  const b = new LocalStateBackend(dir, "app", { pollMs: 25 });
  const started = Date.now();
  const err = await b.lock(me, 300).catch((e: unknown) => e);
  t.ok(Date.now() - started >= 290, "waited for the timeout");
  t.match(err, { code: "INFRA_STATE_LOCKED", summary: new RegExp(`pid ${child.pid} `) });
  const l = await b.lock(me, 10000);
  t.ok(Date.now() - started >= 1000, "got it once the holder released it");
  t.equal(l.info.pid, process.pid);
  await l.release();
  t.equal(await waitExit(child), 0);
});

t.test("a stale lock (holder dead on this host) is taken over; a live one on another host is not", async (t) => {
  const dir = t.testdir();
  const dead = spawnTs(join(fixtures, "hold-lock.ts"), [dir, "dead", "0"]);
  await waitExit(dead);
  const stale = { id: "old", pid: dead.pid, host: hostname(), command: "infra apply", createdAt: new Date(0).toISOString() };
  await writeFile(join(dir, "app.lock"), JSON.stringify(stale));
  const b = new LocalStateBackend(dir, "app", { pollMs: 20 });
  const l = await b.lock(me, 0);
  t.equal(JSON.parse(await readFile(join(dir, "app.lock"), "utf8")).id, l.info.id);
  await l.release();

  await writeFile(join(dir, "app.lock"), JSON.stringify({ ...stale, host: "elsewhere.example" }));
  await t.rejects(b.lock(me, 50), { code: "INFRA_STATE_LOCKED", summary: /elsewhere\.example/ });

  await writeFile(join(dir, "empty.lock"), "");
  const b2 = new LocalStateBackend(dir, "empty", { pollMs: 20, unreadableStaleMs: 100 });
  await t.rejects(b2.lock(me, 0), { code: "INFRA_STATE_LOCKED" }, "a lock file that is no lock record is respected until it is old");
  await new Promise((r) => setTimeout(r, 150));
  const l3 = await b2.lock(me, 0);
  await l3.release();
  t.same((await readdir(dir)).sort(), ["app.lock"], "only the foreign lock we wrote remains");
});

t.test("taking the lock removes temp files that dead writers left, and only those", async (t) => {
  const dead = spawnTs(join(fixtures, "hold-lock.ts"), ["/nonexistent-dir-for-dead-pid", "x", "0"]);
  await waitExit(dead);
  const files = {
    [`.app.state.json.${dead.pid}.deadbeef.tmp`]: "{",
    [`.app.state.json.backup.${dead.pid}.0badc0de.tmp`]: "{",
    [`.app.lock.${dead.pid}.12345678.tmp`]: "{",
    [`.app.state.json.${process.pid}.00000000.tmp`]: "a live writer's",
    [`.other.state.json.${dead.pid}.aaaaaaaa.tmp`]: "another stack's",
    [`.app.state.json.${dead.pid}.notours.tmp`]: "not our naming",
    "app.state.json": JSON.stringify(emptyState("app", "l", "0")),
  };
  const dir = t.testdir(files);
  const l = await new LocalStateBackend(dir, "app").lock(me, 0);
  t.same((await readdir(dir)).sort(), [
    `.app.state.json.${dead.pid}.notours.tmp`,
    `.app.state.json.${process.pid}.00000000.tmp`,
    `.other.state.json.${dead.pid}.aaaaaaaa.tmp`,
    "app.lock",
    "app.state.json",
  ].sort());
  await l.release();
});
