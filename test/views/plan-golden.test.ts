// Golden files of the three plan views over hand-built plans; review changes to them like code.
import t from "tap";
import { renderPlanHuman } from "../../src/views/plan-human.js";
import { renderPlanJson } from "../../src/views/plan-json.js";
import { renderPlanMarkdown } from "../../src/views/plan-markdown.js";
import { golden } from "./fixtures/golden.js";
import {
  createContainer,
  createNetwork,
  deleteVolume,
  forgetVolume,
  fullPlan,
  makePlan,
  multilineUpdate,
  noopImage,
  replaceCreateFirst,
  replaceDeleteFirst,
  sensitiveUpdate,
  updateContainer,
} from "./fixtures/plan-fixtures.js";

const plans = {
  full: fullPlan(),
  create: makePlan([createNetwork, createContainer]),
  update: makePlan([updateContainer, multilineUpdate, sensitiveUpdate, noopImage]),
  replace: makePlan([replaceDeleteFirst, replaceCreateFirst]),
  "delete-forget": makePlan([deleteVolume, forgetVolume]),
  "no-changes": makePlan([noopImage]),
  "no-changes-drift": makePlan([noopImage], {
    drift: [{ address: "image.base", kind: "changed", attributes: [{ path: "keepLocally", before: false, after: true, forcesReplacement: false, sensitive: false }] }],
  }),
  "destroy-empty": makePlan([], { options: { mode: "destroy", refresh: true, targets: [], excludes: [], replace: [] } }),
  "outputs-only": makePlan([noopImage], { outputs: [{ name: "greeting", action: "update", before: "hi", after: "hello", sensitive: false }] }),
};

for (const [name, plan] of Object.entries(plans)) {
  t.test(name, async (t) => {
    golden(t, `${name}.txt`, renderPlanHuman(plan, { color: false }));
    golden(t, `${name}.json`, renderPlanJson(plan));
    golden(t, `${name}.md`, renderPlanMarkdown(plan));
  });
}

t.test("the human view ends with exactly one summary line", async (t) => {
  for (const [name, plan] of Object.entries(plans)) {
    const lines = renderPlanHuman(plan, { color: false }).trimEnd().split("\n");
    const last = lines[lines.length - 1] ?? "";
    t.match(last, /^(Plan: \d+ to add, \d+ to change, \d+ to destroy(, \d+ to forget)?\.|No changes\. .*)$/, `${name}: last line`);
    t.equal(lines.filter((l) => /^Plan: /.test(l) || /^No changes\./.test(l)).length, 1, `${name}: one summary line`);
  }
});

t.test("the legend lists only the actions present", async (t) => {
  const out = renderPlanHuman(plans.create, { color: false });
  t.match(out, /^ {2}\+ create$/m);
  t.notMatch(out, /update in-place|destroy and then create|create replacement and then destroy|^ {2}- destroy$/m);
  const replace = renderPlanHuman(plans.replace, { color: false });
  t.match(replace, /^-\/\+ destroy and then create replacement$/m);
  t.match(replace, /^\+\/- create replacement and then destroy$/m);
  t.match(replace, /^-\/\+ resource "container" "api" \{$/m);
  t.match(replace, /^\+\/- resource "container" "worker" \{$/m);
  t.match(replace, /~ image += "api:1" -> "api:2" # forces replacement/);
  t.match(replace, /# container\.worker will be replaced, as requested/);
});

t.test("JSON: Terraform's action lists, reasons and masks", async (t) => {
  const doc = JSON.parse(renderPlanJson(plans.full)) as {
    format_version: string;
    resource_changes: Array<{ address: string; change: { actions: string[]; after_unknown: unknown; after_sensitive: unknown; replace_paths?: string[][] }; action_reason?: string }>;
  };
  t.equal(doc.format_version, "1.0");
  const by = new Map(doc.resource_changes.map((c) => [c.address, c]));
  t.same(by.get("container.api")?.change.actions, ["delete", "create"]);
  t.same(by.get("container.worker")?.change.actions, ["create", "delete"]);
  t.same(by.get("container.api")?.change.replace_paths, [["image"]]);
  t.same(by.get("volume.data")?.change.actions, ["forget"]);
  t.same(by.get("image.base")?.change.actions, ["no-op"]);
  t.equal(by.get("volume.old")?.action_reason, "delete_because_no_resource_config");
  t.match(by.get("container.web")?.change.after_unknown, { id: true, env: { DB_HOST: true } });
  t.match(by.get("container.web")?.change.after_sensitive, { env: { API_KEY: true } });
});
