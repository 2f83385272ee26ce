import t from "tap";
import { readFile, stat, writeFile, mkdtemp, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeHarness, waitFor } from "./harness.js";
import { containerLogs } from "../../src/providers/local-runtime/container/container-ops.js";
import { LogFollower, followContainerLogs } from "../../src/providers/local-runtime/container/log-follow.js";
import { conmonLogSizeMax, rotatedFiles } from "../../src/providers/local-runtime/container/log-rotation.js";
import { containerPaths } from "../../src/providers/local-runtime/layout.js";
import type { LogLine } from "../../src/providers/local-runtime/container/log-file.js";

t.test("rotation rules: max-file counts the live file; conmon's limit is a backstop", async (t) => {
  t.equal(rotatedFiles({ maxSize: 10, maxFiles: 3 }), 2);
  t.equal(rotatedFiles({ maxSize: 10 }), 0);
  t.equal(conmonLogSizeMax(undefined), undefined);
  t.equal(conmonLogSizeMax({ maxSize: 1000 }), 1000, "one file: conmon truncates at the limit (Docker's max-file 1)");
  t.ok(conmonLogSizeMax({ maxSize: 1000, maxFiles: 2 })! > 2000, "several files: conmon's limit stays out of the way");
});

t.test("LogFollower: follows appends, a rotation, and joins partial records", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "infra-d3-follow-"));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const log = join(dir, "c.log");
  const rec = (s: string, p = "F") => `2024-01-01T00:00:00.000000000Z stdout ${p} ${s}\n`;
  await writeFile(log + ".1", rec("a0"));
  await writeFile(log, rec("a1"));
  const f = new LogFollower(log, 2);
  t.same((await f.initial()).map((l) => l.text), ["a0", "a1"]);
  await writeFile(log, rec("a1") + rec("a2") + rec("par", "P"), { flag: "w" });
  t.same((await f.poll()).map((l) => l.text), ["a2"], "a partial record waits for its end");
  await writeFile(log, rec("a1") + rec("a2") + rec("par", "P") + rec("tial") + rec("a3"));
  // Rotate twice between polls: the old live file is now .2.
  await rename(log + ".1", log + ".2");
  await rename(log, log + ".1");
  await writeFile(log + ".1", rec("a4"), { flag: "a" });
  await rename(log + ".1", log + ".2");
  await writeFile(log + ".1", rec("b0"));
  await writeFile(log, rec("c0"));
  const got = (await f.poll()).map((l) => l.text);
  t.same(got, ["partial", "a3", "a4", "c0"], "rest of the old file, then the new live file");
  t.same(await f.poll(), []);
});

t.test("LogFollower: a rotation with no new live file (the monitor exited, or has not reopened yet)", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "infra-d3-follow-gone-"));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const log = join(dir, "c.log");
  const rec = (s: string) => `2024-01-01T00:00:00.000000000Z stdout F ${s}\n`;
  await writeFile(log, rec("a0"));
  const f = new LogFollower(log, 2);
  t.same((await f.initial()).map((l) => l.text), ["a0"]);
  await writeFile(log, rec("a1"), { flag: "a" });
  await rename(log, log + ".1");
  t.same(f.poll().map((l) => l.text), ["a1"], "the lines written before the rename are read from log.1");
  await writeFile(log + ".1", rec("a2"), { flag: "a" });
  t.same(f.poll().map((l) => l.text), ["a2"], "the old file is still followed until a new one appears");
  await writeFile(log + ".1", rec("a3"), { flag: "a" });
  await writeFile(log, rec("b0"));
  t.same(f.poll().map((l) => l.text), ["a3", "b0"], "then the rest of the old file and the new one");
  t.same(f.poll(), []);
});

t.test("LogFollower: a large backlog comes in pieces of whole lines, multi-byte text intact", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "infra-follow-big-"));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const log = join(dir, "c.log");
  await writeFile(log, "");
  const f = new LogFollower(log, 1);
  t.same(await f.initial(), []);
  // ~2.6 MB of records with two- and three-byte characters: more than one poll reads (1 MiB).
  const texts = Array.from({ length: 20000 }, (_, i) => `line ${i} é€ ${"x".repeat(100)}`);
  await writeFile(log, texts.map((s) => `2024-01-01T00:00:00.000000000Z stdout F ${s}\n`).join(""));
  const got: string[] = [];
  let polls = 0;
  do {
    got.push(...(await f.poll()).map((l) => l.text));
    polls++;
  } while (f.behind && polls < 100);
  t.ok(polls >= 3, `read in pieces (${polls} polls)`);
  t.notOk(f.behind, "all of it read");
  t.equal(got.length, texts.length, "every line once");
  t.same(got, texts, "in order, no line or character split");
});

t.test("engine: a chatty container's log is rotated by size and count; logs and logs -f read across files", async (t) => {
  const h = await makeHarness("infra-d3-logrot-");
  t.teardown(() => h.cleanup());
  const c = await h.manager.create({
    name: "chatty", image: "busybox", networkMode: "none",
    command: ["sh", "-c", "i=0; while [ $i -lt 300 ]; do echo line-$i; i=$((i+1)); usleep 12000; done"],
    logging: { maxSize: 3000, maxFiles: 3 },
  });
  await h.manager.start(c.id);
  const followed: LogLine[] = [];
  const following = followContainerLogs(h.manager, c.id, {}, (l) => followed.push(l), () => false, 100);
  const p = containerPaths(h.layout, c.id);
  t.ok(await waitFor(async () => (await stat(p.log + ".1").catch(() => undefined)) !== undefined, 10000), "rotated while running");
  t.ok(await waitFor(async () => (await stat(p.log).catch(() => undefined)) !== undefined, 3000), "conmon reopened a new live file");
  await h.manager.waitExit(c.id, 30000);
  await following;
  t.ok((await stat(p.log + ".1")).isFile(), "log.1 exists");
  t.ok((await stat(p.log + ".2")).isFile(), "log.2 exists");
  await t.rejects(stat(p.log + ".3"), "no more than max-file files");
  for (const f of [p.log + ".1", p.log + ".2"]) t.ok((await stat(f)).size < 3000 + 2000, `${f} near the limit`);

  const nums = (ls: LogLine[]) => ls.map((l) => Number(/^line-(\d+)$/.exec(l.text)?.[1]));
  const all = nums(await containerLogs(h.manager, c.id, {}));
  t.equal(all.at(-1), 299, "ends with the last line");
  t.ok(all[0]! > 0, `old lines dropped (first kept: ${all[0]})`);
  t.ok(all.every((n, i) => i === 0 || n === all[i - 1]! + 1), "the kept lines are contiguous and in order");
  t.same(nums(await containerLogs(h.manager, c.id, { tail: 3 })), [297, 298, 299], "--tail 3");
  const f = nums(followed);
  t.equal(f.length, 300, "logs -f saw every line once, across rotations");
  t.ok(f.every((n, i) => n === i), "in order");
  const mid = (await containerLogs(h.manager, c.id, {})).at(-10)!;
  t.same(nums(await containerLogs(h.manager, c.id, { since: mid.time })).slice(0, 1), nums([mid]), "--since a line's time starts at it");
  // The sweep may rotate once more just as the container exits: then no monitor opens a new live file.
  const newest = (await stat(p.log).catch(() => undefined)) !== undefined ? p.log : p.log + ".1";
  t.match(await readFile(newest, "utf8"), /stdout F line-299/, "the newest file ends with the last line");
});
