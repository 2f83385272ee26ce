/**
 * replaceFileNow (run state written without fsync, and without renaming over the old file) and
 * readReplacedFile: the new content replaces the old, nothing else is left in the directory, and
 * what a crash between the two renames would leave (only `path.old`) still reads.
 */
import t from "tap";
import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readReplacedFile, replaceFileNow, writeJsonAtomic } from "../../../src/providers/local-runtime/host/atomic-write.js";

const dir = mkdtempSync(join(tmpdir(), "infra-atomic-"));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

t.test("replaceFileNow: new, then replaced; its mode; nothing else left", async (t) => {
  const f = join(dir, "sub", "state.json");
  replaceFileNow(f, "one\n", 0o600);
  t.equal(readFileSync(f, "utf8"), "one\n", "a new file (its directory made)");
  t.equal(statSync(f).mode & 0o777, 0o600);
  const ino = statSync(f).ino;
  replaceFileNow(f, "two\n", 0o600);
  t.equal(readReplacedFile(f), "two\n", "replaced");
  t.not(statSync(f).ino, ino, "a new file, not the old one rewritten");
  t.same(readdirSync(join(dir, "sub")), ["state.json"], "no temporary or old file left");
});

t.test("readReplacedFile after a crash between the renames; a stale .old is replaced", async (t) => {
  const f = join(dir, "crash.json");
  replaceFileNow(f, "v1");
  renameSync(f, `${f}.old`); // the first rename done, the second not: what a crash leaves
  t.equal(readReplacedFile(f), "v1", "the old version reads");
  replaceFileNow(f, "v2");
  t.equal(readReplacedFile(f), "v2");
  t.same(readdirSync(dir).filter((n) => n.startsWith("crash")), ["crash.json"], "the stale .old went too");
  t.throws(() => readReplacedFile(join(dir, "none.json")), { code: "ENOENT" }, "neither: ENOENT");
});

t.test("writeJsonAtomic without sync goes through replaceFileNow; with sync it is durable", async (t) => {
  const f = join(dir, "rec.json");
  await writeJsonAtomic(f, { a: 1 }, { sync: false });
  await writeJsonAtomic(f, { a: 2 }, { sync: false });
  t.same(JSON.parse(readFileSync(f, "utf8")), { a: 2 });
  await writeJsonAtomic(f, { a: 3 });
  t.same(JSON.parse(readFileSync(f, "utf8")), { a: 3 });
  writeFileSync(join(dir, "marker"), "");
  t.same(readdirSync(dir).filter((n) => n.startsWith("rec")), ["rec.json"], "nothing else");
});
