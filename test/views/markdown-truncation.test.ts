import t from "tap";
import type { PlanChange } from "../../src/plan/plan-types.js";
import { MARKDOWN_LIMIT, renderPlanMarkdown, toDiffSyntax } from "../../src/views/plan-markdown.js";
import { createContainer, makePlan } from "./fixtures/plan-fixtures.js";

function hugePlan(n: number) {
  const changes: PlanChange[] = [];
  for (let i = 0; i < n; i++) {
    changes.push({ ...createContainer, address: `container.c${String(i).padStart(5, "0")}`, attributes: [...createContainer.attributes, { path: "labels", after: { note: "x".repeat(200) }, forcesReplacement: false, sensitive: false }] });
  }
  return makePlan(changes);
}

t.test("a huge plan stays under the limit and says it was cut", async (t) => {
  const md = renderPlanMarkdown(hugePlan(3000));
  t.ok(md.length <= MARKDOWN_LIMIT, `length ${md.length} <= ${MARKDOWN_LIMIT}`);
  t.match(md, /\*\*Plan: 3000 to add, 0 to change, 0 to destroy\.\*\*/);
  t.match(md, /Output truncated/);
  t.match(md, /\d+ table rows and 3000 collapsible sections left out/);
  t.match(md, /\| `container\.c00000` \| create \|/);
  // Every opened details block is closed, and code fences are balanced.
  t.equal((md.match(/<details>/g) ?? []).length, (md.match(/<\/details>/g) ?? []).length);
  t.equal((md.match(/^```/gm) ?? []).length % 2, 0);
});

t.test("a plan that fits is not cut", async (t) => {
  const md = renderPlanMarkdown(hugePlan(5));
  t.notMatch(md, /Output truncated/);
  t.equal((md.match(/<details>/g) ?? []).length, 5);
});

t.test("a smaller limit cuts the details sections first", async (t) => {
  const md = renderPlanMarkdown(hugePlan(20), { limit: 6000 });
  t.ok(md.length <= 6000);
  t.match(md, /Output truncated/);
  t.match(md, /`container\.c00019`/, "the whole table fits");
  t.match(md, /collapsible sections? left out/);
});

t.test("diff syntax moves the symbol to column 0, keeping alignment", async (t) => {
  t.equal(toDiffSyntax("      ~ a = 1 -> 2"), "!       a = 1 -> 2");
  t.equal(toDiffSyntax("      + b = 1"), "+       b = 1");
  t.equal(toDiffSyntax("-/+ resource \"x\" \"y\" {"), "-/+ resource \"x\" \"y\" {");
  t.equal(toDiffSyntax("        # (1 unchanged attribute hidden)"), "        # (1 unchanged attribute hidden)");
});
