import t from "tap";
import { readFile, writeFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { hashGraph } from "../../src/graph/graph-hash.js";
import { checkPlanApplicable, readPlanFile, writePlanFile } from "../../src/plan/saved-plan.js";
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
