// No view may print a secret: neither `$secret` values nor attributes the schema marks sensitive.
import t, { type Test } from "tap";
import { secret } from "../../src/graph/value.js";
import { renderDiagnostics } from "../../src/views/diagnostics-view.js";
import { renderOutputs } from "../../src/views/outputs-view.js";
import { renderPlanHuman } from "../../src/views/plan-human.js";
import { renderPlanJson } from "../../src/views/plan-json.js";
import { renderPlanMarkdown } from "../../src/views/plan-markdown.js";
import { renderResourceState } from "../../src/views/state-view.js";
import { SECRET_STRINGS, fullPlan } from "./fixtures/plan-fixtures.js";

function assertNoSecret(t: Test, name: string, text: string): void {
  for (const s of SECRET_STRINGS) t.notOk(text.includes(s), `${name} does not contain ${s}`);
}

t.test("plan views", async (t) => {
  const plan = fullPlan();
  const human = renderPlanHuman(plan, { color: false });
  assertNoSecret(t, "human", human);
  assertNoSecret(t, "human (colour)", renderPlanHuman(plan, { color: true }));
  assertNoSecret(t, "json", renderPlanJson(plan));
  assertNoSecret(t, "markdown", renderPlanMarkdown(plan));
  t.match(human, /API_KEY = \(sensitive value\)/);
  t.match(human, /~ password = \(sensitive value\)$/m);
  t.match(human, /~ TOKEN = \(sensitive value\)$/m);
  t.match(human, /~ db_password = \(sensitive value\)$/m);
});

t.test("outputs, state and diagnostics", async (t) => {
  assertNoSecret(t, "outputs", renderOutputs({ token: secret("hunter2"), nested: { a: [secret("s3cr3t-output")] } }, { color: false }));
  const state = renderResourceState(
    {
      address: "container.web",
      type: "container",
      provider: "local-runtime",
      id: "c1",
      props: { env: { API_KEY: secret("hunter2") } },
      outputs: {},
      dependencies: [],
      options: {},
      updatedAt: "2026-01-01T00:00:00Z",
    },
    { color: false },
  );
  assertNoSecret(t, "state show", state);
  t.match(state, /API_KEY = \(sensitive value\)/);
  const diag = renderDiagnostics([{ code: "INFRA_X", severity: "error", summary: "bad", value: { $secret: "hunter2" } }], { color: false });
  assertNoSecret(t, "diagnostics", diag);
});
