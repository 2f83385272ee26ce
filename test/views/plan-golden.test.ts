// Golden files of the three plan views over hand-built plans; review changes to them like code.
import t from "tap";
import { renderPlanHuman } from "../../src/views/plan-human.js";
import { renderPlanJson } from "../../src/views/plan-json.js";
import { renderPlanMarkdown } from "../../src/views/plan-markdown.js";
import { golden } from "./fixtures/golden.js";
import {
  createContainer,
  DEPOSED_WEB_ID,
  createNetwork,
  deleteDeposedVolume,
  deleteDeposedWeb,
  deleteOrphanNetwork,
  deleteVolume,
  forgetVolume,
  fullPlan,
  importOrphanVolume,
  makePlan,
  multilineUpdate,
  noopImage,
  replaceCreateFirst,
  replaceDeleteFirst,
  replaceOrphanContainer,
  sensitiveUpdate,
  updateContainer,
  updateCurrentWeb,
} from "./fixtures/plan-fixtures.js";

const plans = {
  full: fullPlan(),
  create: makePlan([createNetwork, createContainer]),
  update: makePlan([updateContainer, multilineUpdate, sensitiveUpdate, noopImage]),
  replace: makePlan([replaceDeleteFirst, replaceCreateFirst]),
  "delete-forget": makePlan([deleteVolume, forgetVolume]),
  // Deposed objects listed before the current one on purpose: the views put the current one first.
  deposed: makePlan([deleteDeposedWeb, deleteDeposedVolume, updateCurrentWeb, noopImage]),
  // Objects an interrupted apply made: adopted as they are, replaced where they differ, deleted where the stack has no place for them.
  orphans: makePlan([replaceOrphanContainer, importOrphanVolume, deleteOrphanNetwork]),
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
    t.match(last, /^(Plan: (\d+ to import, )?\d+ to add, \d+ to change, \d+ to destroy(, \d+ to forget)?\.|No changes\. .*)$/, `${name}: last line`);
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
  t.equal(doc.format_version, "1.1");
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

t.test("deposed objects: Terraform's header and reason, after the current object, full id in JSON", async (t) => {
  const human = renderPlanHuman(plans.deposed, { color: false });
  t.match(human, /^ {2}# container\.web \(deposed object 3f2a7b1c9d0e\) will be destroyed\n {2}# \(left over from a partially-failed replacement\)\n {2}- resource "container" "web" \{$/m);
  t.match(human, /^ {2}# volume\.cache \(deposed object app-cache-old\) will be destroyed$/m, "a short id is shown whole");
  t.ok(human.indexOf("# container.web will be updated") < human.indexOf("# container.web (deposed object"), "current object first");
  t.match(human, /^Plan: 0 to add, 1 to change, 2 to destroy\.$/m);

  const doc = JSON.parse(renderPlanJson(plans.deposed)) as { resource_changes: Array<{ address: string; deposed?: string; action_reason?: string; change: { actions: string[] } }> };
  const web = doc.resource_changes.filter((c) => c.address === "container.web");
  t.same(web.map((c) => c.change.actions), [["update"], ["delete"]], "current object first");
  t.notOk("deposed" in web[0]!, "no deposed field for the current object");
  t.equal(web[1]?.deposed, DEPOSED_WEB_ID, "the whole id");
  t.equal(web[1]?.action_reason, "delete_because_deposed");

  const md = renderPlanMarkdown(plans.deposed);
  t.match(md, /^\| 🔴 \| `container\.web` \(deposed object `3f2a7b1c9d0e`\) \| destroy \| left over from a partially-failed replacement \|$/m);
  t.match(md, /<summary><code>container\.web<\/code> \(deposed object <code>3f2a7b1c9d0e<\/code>\) destroy<\/summary>/);
});
