import t, { type Test } from "tap";
import { execFileSync } from "node:child_process";
import { readFile, writeFile, readdir, stat, truncate } from "node:fs/promises";
import { join } from "node:path";
import { hashGraph } from "../../src/graph/graph-hash.js";
import { ref } from "../../src/graph/value.js";
import { MAX_PLAN_DEPTH } from "../../src/plan/plan-file-schema.js";
import { planDigest } from "../../src/plan/plan-digest.js";
import type { Plan } from "../../src/plan/plan-types.js";
import { checkPlanApplicable, checkPlanSource, MAX_PLAN_FILE_BYTES, readPlanFile, writePlanFile } from "../../src/plan/saved-plan.js";
import { res, stack, World } from "./fixtures/stack-builder.js";

const g1 = stack([res("volume", "a", { name: "a", driver: "local" })]);
const g2 = stack([res("volume", "a", { name: "a2", driver: "local" })]);

t.test("round trip, atomically", async (t) => {
  const dir = t.testdir();
  const w = new World();
  const plan = await w.plan(g1);
  const f = join(dir, "release.plan");
  await writePlanFile(f, plan);
  t.same(await readPlanFile(f), plan);
  t.same(await readdir(dir), ["release.plan"], "no temp file left");
  t.equal((await stat(f)).mode & 0o777, 0o600, "secrets inside: owner only");
});

t.test("wrong format version, corrupt and missing files are refused", async (t) => {
  const dir = t.testdir();
  const w = new World();
  const plan = await w.plan(g1);
  await writeFile(join(dir, "old.plan"), JSON.stringify({ ...plan, formatVersion: "0.1" }));
  await t.rejects(readPlanFile(join(dir, "old.plan")), { code: "INFRA_PLAN_FILE_VERSION" });
  await writeFile(join(dir, "bad.plan"), "{nope");
  await t.rejects(readPlanFile(join(dir, "bad.plan")), { code: "INFRA_PLAN_FILE_CORRUPT" });
  await writeFile(join(dir, "other.json"), JSON.stringify({ hello: 1 }));
  await t.rejects(readPlanFile(join(dir, "other.json")), { code: "INFRA_PLAN_FILE_CORRUPT" });
  await t.rejects(readPlanFile(join(dir, "missing.plan")), { code: "INFRA_PLAN_FILE_NOT_FOUND" });
});

t.test("a stale plan is refused: state serial or lineage changed, or the stack changed", async (t) => {
  const w = new World();
  const first = await w.plan(g1);
  t.doesNotThrow(() => checkPlanApplicable(first, undefined, hashGraph(g1)), "fresh plan, no state");
  await w.apply(first);
  t.throws(() => checkPlanApplicable(first, w.state, hashGraph(g1)), { code: "INFRA_PLAN_STALE", hint: /infra plan/ }, "state written since");
  const second = await w.plan(g2);
  t.doesNotThrow(() => checkPlanApplicable(second, w.state, hashGraph(g2)));
  t.throws(() => checkPlanApplicable(second, w.state, hashGraph(g1)), { code: "INFRA_PLAN_STALE", detail: /stack changed/ });
  t.throws(() => checkPlanApplicable(second, { ...w.state!, lineage: "other" }, hashGraph(g2)), { code: "INFRA_PLAN_STALE", detail: /lineage/ });
  t.throws(() => checkPlanApplicable(second, { ...w.state!, serial: w.state!.serial + 1 }, hashGraph(g2)), { code: "INFRA_PLAN_STALE", detail: /serial/ });
  const f = join(t.testdir(), "p.plan");
  await writePlanFile(f, second);
  t.match(await readFile(f, "utf8"), /"graphHash"/);
});

const webStack = stack([
  res("network", "app", { name: "app-net", driver: "bridge" }),
  res("container", "web", { name: "web", image: "busybox", command: ["httpd", "-f"], networks: [{ network: ref("network.app", "id") }], restart: { policy: "no" } }),
]);

async function savedText(t: Test): Promise<{ dir: string; plan: Plan; text: string }> {
  const dir = t.testdir();
  const plan = await new World().plan(webStack);
  await writePlanFile(join(dir, "release.plan"), plan);
  return { dir, plan, text: await readFile(join(dir, "release.plan"), "utf8") };
}

t.test("an edited plan file (its digest left as it was) is refused", async (t) => {
  const { dir, text } = await savedText(t);
  const f = join(dir, "edited.plan");
  await writeFile(f, text.replace(`"httpd",\n`, `"nc",\n`));
  t.not(await readFile(f, "utf8"), text, "the command was edited");
  await t.rejects(readPlanFile(f), { code: "INFRA_PLAN_EDITED", summary: /edited\.plan was changed after infra wrote it/, detail: /records the digest sha256:[0-9a-f]{64}, but what it holds has the digest sha256:[0-9a-f]{64}[^]*Nothing was applied/, hint: /Do not apply it/ });
  await writeFile(f, text.replace(`"image": "busybox"`, `"image": "evil:latest"`));
  await t.rejects(readPlanFile(f), { code: "INFRA_PLAN_EDITED" });
  await writeFile(f, text.replace(/"serial": 0/, `"serial": 1`));
  await t.rejects(readPlanFile(f), { code: "INFRA_PLAN_EDITED" }, "the state it names");
  await writeFile(f, text.replace(/"state": ""/, `"state": "/etc/other.state.json"`));
  await t.rejects(readPlanFile(f), { code: "INFRA_PLAN_EDITED" }, "the state path it names");
  await writeFile(f, text.replace(/\n  "createdAt": "[^"]*"/, `\n  "createdAt": "2000-01-01T00:00:00.000Z"`));
  t.ok(await readPlanFile(f), "the time is not covered: it does not change what apply does");
});

t.test("truncated, garbage, non-UTF-8, empty, huge and non-regular files get clear errors", async (t) => {
  const { dir, text } = await savedText(t);
  const f = (n: string) => join(dir, n);
  await writeFile(f("cut.plan"), text.slice(0, text.length / 2));
  await t.rejects(readPlanFile(f("cut.plan")), { code: "INFRA_PLAN_FILE_CORRUPT", summary: /cut\.plan:\d+:\d+ is not valid JSON \(it ends too early: truncated\?\)/, hint: /infra plan --out/ });
  await writeFile(f("garbage.plan"), '{\n  "formatVersion": "2.0",\n  oops\n}');
  await t.rejects(readPlanFile(f("garbage.plan")), { code: "INFRA_PLAN_FILE_CORRUPT", summary: /garbage\.plan:3:3 is not valid JSON/ });
  await writeFile(f("empty.plan"), "");
  await t.rejects(readPlanFile(f("empty.plan")), { code: "INFRA_PLAN_FILE_CORRUPT", detail: /empty/ });
  await writeFile(f("latin1.plan"), Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x7d]));
  await t.rejects(readPlanFile(f("latin1.plan")), { code: "INFRA_PLAN_FILE_CORRUPT", summary: /not UTF-8/ });
  await writeFile(f("array.plan"), "[1,2]");
  await t.rejects(readPlanFile(f("array.plan")), { code: "INFRA_PLAN_FILE_CORRUPT", summary: /is not an infra plan file/ });

  // Sparse: 1 byte over the limit without writing 64 MB.
  await writeFile(f("huge.plan"), "{");
  await truncate(f("huge.plan"), MAX_PLAN_FILE_BYTES + 1);
  await t.rejects(readPlanFile(f("huge.plan")), { code: "INFRA_PLAN_FILE_TOO_LARGE", summary: /huge\.plan is 67108865 bytes; infra reads plan files up to 67108864 bytes/ });
  await t.rejects(readPlanFile(f("cut.plan"), { maxBytes: 100 }), { code: "INFRA_PLAN_FILE_TOO_LARGE" });
  t.ok(await readPlanFile(f("release.plan"), { maxBytes: text.length }), "exactly at the limit is fine");

  execFileSync("mkfifo", [f("fifo.plan")]);
  await t.rejects(readPlanFile(f("fifo.plan")), { code: "INFRA_PLAN_FILE_UNREADABLE", summary: /fifo\.plan is not a regular file/ }, "refused without waiting for a writer");
  await t.rejects(readPlanFile(dir), { code: "INFRA_PLAN_FILE_UNREADABLE" }, "a directory");
});

t.test("every field is checked: the bad one is named with its value", async (t) => {
  const { dir, plan } = await savedText(t);
  const f = join(dir, "bad.plan");
  // Digest recomputed each time: the schema check comes first and must stand on its own.
  const write = (edit: (p: Record<string, unknown>) => void, recompute: boolean) => {
    const p = structuredClone(plan) as unknown as Record<string, unknown>;
    edit(p);
    if (recompute) p.digest = planDigest(p as unknown as Plan);
    return writeFile(f, JSON.stringify(p));
  };
  const cases: Array<[string, (p: Record<string, any>) => void, RegExp]> = [
    ["an unknown action", (p) => (p.changes[1].action = "exec"), /changes\[1\]\.action: expected one of create, update, replace, delete, forget, import, noop, found string "exec"/],
    ["an unknown resource type", (p) => (p.changes[0].type = "vm"), /changes\[0\]\.type: expected one of container/],
    ["a missing after", (p) => delete p.changes[1].after, /changes\[1\]\.after: expected an object, found nothing/],
    ["a negative serial", (p) => (p.prior.serial = -1), /prior\.serial: expected a whole number/],
    ["a bad reason", (p) => (p.changes[0].reasons = [{ code: "because" }]), /changes\[0\]\.reasons\[0\]\.code/],
    ["an extra field in a change", (p) => (p.changes[0].run = "rm -rf /"), /changes\[0\]\.run: is not a field of a plan file/],
    ["an extra top-level field", (p) => (p.hooks = []), /^hooks: is not a field/],
    ["a relative stack file", (p) => (p.source.files = ["../evil.ts"]), /source\.files\[0\]: "\.\.\/evil\.ts" is not an absolute path/],
    ["a short digest", (p) => (p.digest = "sha256:abc"), /digest: expected sha256: and 64 hex digits/],
    ["a __proto__ member", (p) => (p.changes[1].after.props = JSON.parse('{"__proto__":{"command":["evil"]}}')), /changes\[1\]\.after\.props\.__proto__: a member named __proto__ is not allowed/],
  ];
  for (const [what, edit, detail] of cases) {
    await write(edit, what !== "a short digest");
    await t.rejects(readPlanFile(f), { code: "INFRA_PLAN_FILE_CORRUPT", summary: /bad\.plan is malformed at /, detail }, what);
  }
  await writeFile(f, JSON.stringify({ ...plan, digest: undefined, deep: 0 }).replace('"deep":0', `"deep":${"[".repeat(MAX_PLAN_DEPTH + 5)}${"]".repeat(MAX_PLAN_DEPTH + 5)}`));
  await t.rejects(readPlanFile(f), { code: "INFRA_PLAN_FILE_CORRUPT", detail: /deep(\[0\])+: nested deeper than 64 levels/ }, "deep nesting");
  await writeFile(f, JSON.stringify(plan).replace('"serial":0', '"serial":1e999'));
  await t.rejects(readPlanFile(f), { code: "INFRA_PLAN_FILE_CORRUPT", detail: /prior\.serial: a number too large/ });
  await writeFile(f, JSON.stringify({ ...plan, formatVersion: "1.0" }));
  await t.rejects(readPlanFile(f), { code: "INFRA_PLAN_FILE_VERSION", summary: /format "1\.0"; this infra reads 2\.0/ }, "plans without a digest are not read");
});

t.test("a plan names the stack files and state it was made from; apply refuses others", async (t) => {
  const w = new World();
  const here = { stack: "test", files: ["/srv/app/infra.ts"], state: "/srv/app/.infra/test.state.json" };
  const plan = { ...(await w.plan(webStack)), source: { files: here.files, state: here.state } };
  t.doesNotThrow(() => checkPlanSource(plan, here));
  t.throws(() => checkPlanSource(plan, { ...here, files: ["/srv/other/infra.ts"] }), {
    code: "INFRA_PLAN_STACK_MISMATCH",
    detail: /stack "test" from \/srv\/app\/infra\.ts with state \/srv\/app\/\.infra\/test\.state\.json; this command reads stack "test" from \/srv\/other\/infra\.ts[^]*Nothing was applied/,
    hint: /-C DIR/,
  });
  t.throws(() => checkPlanSource(plan, { ...here, state: "/tmp/x.state.json" }), { code: "INFRA_PLAN_STACK_MISMATCH" });
  t.throws(() => checkPlanSource(plan, { ...here, stack: "prod" }), { code: "INFRA_PLAN_STACK_MISMATCH" });
  t.throws(() => checkPlanSource(plan, { ...here, files: [...here.files, "/srv/app/override.yml"] }), { code: "INFRA_PLAN_STACK_MISMATCH" });
  const escapes = { ...plan, source: { files: ["/srv/\u001b[2J\u001b[31mapp/infra.ts"], state: here.state } };
  t.throws(() => checkPlanSource(escapes, here), { detail: /from \/srv\/\\u001b\[2J\\u001b\[31mapp\/infra\.ts with/ }, "terminal escapes from the file are printed escaped");
});
