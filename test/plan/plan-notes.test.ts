/**
 * Plan notes: a create (or replace) that will pull an image says so in the plan, in every view,
 * in a saved plan, and in apply's progress; the digest does not cover them.
 */
import t from "tap";
import type { ChangeNote, ValidateRequest } from "../../src/providers/contract.js";
import { planDigest } from "../../src/plan/plan-digest.js";
import { planSchemaProblem } from "../../src/plan/plan-file-schema.js";
import { pullTarget } from "../../src/providers/local-runtime/local-runtime-provider.js";
import { formatNoteLines } from "../../src/views/apply-progress.js";
import { renderPlanHuman } from "../../src/views/plan-human.js";
import { renderPlanJson } from "../../src/views/plan-json.js";
import { renderPlanMarkdown } from "../../src/views/plan-markdown.js";
import { change, res, stack, World } from "./fixtures/stack-builder.js";

const web = (image: string) => res("container", "web", { name: "web", image, restart: { policy: "no" } });

function withNotes(w: World): ValidateRequest[] {
  const asked: ValidateRequest[] = [];
  // The memory provider stands in for the engine: any image named pull:* is not stored.
  Object.assign(w.provider, {
    notes: async (req: ValidateRequest): Promise<ChangeNote[]> => {
      asked.push(req);
      const image = req.props.image;
      return typeof image === "string" && image.startsWith("pull:") ? [{ code: "image_pull", image: `docker.io/library/${image.slice(5)}` }] : [];
    },
  });
  return asked;
}

t.test("a create that pulls carries a note, shown by every view", async (t) => {
  const w = new World();
  const asked = withNotes(w);
  const p = await w.plan(stack([web("pull:alpine")]));
  t.same(change(p, "container.web").notes, [{ code: "image_pull", image: "docker.io/library/alpine" }]);
  t.match(renderPlanHuman(p, { color: false }), "  # container.web will be created\n  # (image docker.io/library/alpine will be pulled)\n");
  t.match(JSON.parse(renderPlanJson(p)).resource_changes[0].notes, [{ code: "image_pull", image: "docker.io/library/alpine" }]);
  t.match(renderPlanMarkdown(p), "new in configuration; image docker.io/library/alpine will be pulled");
  t.equal(planSchemaProblem(JSON.parse(JSON.stringify(p))), undefined, "a saved plan with notes is valid");

  const bad = JSON.parse(JSON.stringify(p));
  bad.changes[0].notes = [{ code: "image_pull", image: "x", extra: 1 }];
  t.match(planSchemaProblem(bad), { path: "changes[0].notes[0]" }, "unknown fields of a note are refused");
  bad.changes[0].notes = [{ code: "rm_rf", image: "x" }];
  t.match(planSchemaProblem(bad), { path: "changes[0].notes[0].code" });

  const { notes: _n, ...bare } = change(p, "container.web");
  t.equal(planDigest({ ...p, changes: [bare] }), p.digest, "the digest leaves notes out: a pull meanwhile changes nothing apply does");

  await w.apply(p);
  const start = w.events.find((e) => e.kind === "start" && e.address === "container.web");
  t.same(start?.notes, [{ code: "image_pull", image: "docker.io/library/alpine" }], "apply's start event carries the notes");
  t.same(formatNoteLines(start!, { color: false }), ["container.web: Pulling docker.io/library/alpine..."]);

  asked.length = 0;
  const again = await w.plan(stack([web("pull:alpine")]));
  t.equal(change(again, "container.web").action, "noop");
  t.equal(change(again, "container.web").notes, undefined);
  t.same(asked, [], "a noop is not asked");
  const stored = await w.plan(stack([web("busybox")]));
  t.equal(change(stored, "container.web").action, "replace");
  t.equal(change(stored, "container.web").notes, undefined, "a replace to a stored image has no note");
});

t.test("which image a local-runtime create may pull", async (t) => {
  t.same(pullTarget("container", { image: "alpine:3.19" }), { image: "alpine:3.19", pull: "missing" });
  t.equal(pullTarget("container", { image: { $unknown: true } }), undefined, "an image the stack builds or pulls is a reference");
  t.same(pullTarget("image", { name: "alpine:3.19", pull: "always" }), { image: "alpine:3.19", pull: "always" });
  t.same(pullTarget("image", { name: "alpine:3.19" }), { image: "alpine:3.19", pull: "missing" });
  t.equal(pullTarget("image", { name: "app", build: { context: "." } }), undefined, "built, not pulled");
  t.equal(pullTarget("volume", { name: "v" }), undefined);
});
