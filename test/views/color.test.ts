import t from "tap";
import { renderApplySummary } from "../../src/views/apply-progress.js";
import { renderDiagnostics } from "../../src/views/diagnostics-view.js";
import { renderPlanHuman } from "../../src/views/plan-human.js";
import { fullPlan } from "./fixtures/plan-fixtures.js";

const ANSI = /\x1b\[/;

t.test("colour only when asked", async (t) => {
  const plan = fullPlan();
  t.notMatch(renderPlanHuman(plan, { color: false }), ANSI);
  t.match(renderPlanHuman(plan, { color: true }), ANSI);
  t.equal(renderPlanHuman(plan, { color: true }).replace(/\x1b\[[0-9;]*m/g, ""), renderPlanHuman(plan, { color: false }), "colour adds escapes only");
  const d = [{ code: "INFRA_X", severity: "error" as const, summary: "bad" }];
  t.notMatch(renderDiagnostics(d, { color: false }), ANSI);
  t.match(renderDiagnostics(d, { color: true }), ANSI);
  t.notMatch(renderApplySummary({ added: 1, changed: 0, destroyed: 0, failed: 0, interrupted: false }, { color: false }), ANSI);
});
