import t from "tap";
import { formatApplyEvent, formatDuration, formatRunning, renderApplySummary } from "../../src/views/apply-progress.js";

const plain = { color: false };

t.test("events in Terraform's words", async (t) => {
  t.equal(formatApplyEvent({ kind: "start", address: "container.web", action: "create", elapsedMs: 0 }, plain), "container.web: Creating...");
  t.equal(formatApplyEvent({ kind: "done", address: "container.web", action: "create", elapsedMs: 1234 }, plain), "container.web: Creation complete after 1.2s");
  t.equal(formatApplyEvent({ kind: "done", address: "volume.v", action: "delete", elapsedMs: 65_000 }, plain), "volume.v: Destruction complete after 1m05s");
  t.equal(
    formatApplyEvent({ kind: "failed", address: "container.db", action: "update", elapsedMs: 300, error: { code: "INFRA_X", summary: "engine said no" } }, plain),
    "container.db: Modification failed after 0.3s: engine said no [INFRA_X]",
  );
  t.equal(formatApplyEvent({ kind: "skipped", address: "container.app", action: "create", elapsedMs: 0 }, plain), "container.app: Skipped: a resource it depends on failed");
  t.same(formatRunning([{ address: "container.web", action: "replace", elapsedMs: 12_000 }], plain), ["container.web: Still replacing... [12.0s elapsed]"]);
  t.equal(formatDuration(400), "0.4s");
});

t.test("final lines", async (t) => {
  t.equal(renderApplySummary({ added: 2, changed: 1, destroyed: 0, failed: 0, interrupted: false }, plain), "Apply complete! Resources: 2 added, 1 changed, 0 destroyed.");
  t.equal(renderApplySummary({ added: 0, changed: 0, destroyed: 3, failed: 0, interrupted: false }, { ...plain, mode: "destroy" }), "Destroy complete! Resources: 3 destroyed.");
  t.equal(renderApplySummary({ added: 1, changed: 0, destroyed: 0, failed: 1, interrupted: false }, plain), "Apply failed! Resources: 1 added, 0 changed, 0 destroyed, 1 failed.");
  t.equal(renderApplySummary({ added: 1, changed: 0, destroyed: 0, failed: 0, interrupted: true }, plain), "Apply interrupted! Resources: 1 added, 0 changed, 0 destroyed.");
});
