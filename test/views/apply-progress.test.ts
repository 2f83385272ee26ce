import t from "tap";
import { formatApplyEvent, formatDuration, formatRunning, progressKey, renderApplySummary } from "../../src/views/apply-progress.js";

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

t.test("a deposed object's steps name it as Terraform does", async (t) => {
  const id = "3f2a7b1c9d0e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a";
  t.equal(formatApplyEvent({ kind: "start", address: "container.web", action: "delete", deposed: id, elapsedMs: 0 }, plain), "container.web (deposed object 3f2a7b1c9d0e): Destroying...");
  t.equal(
    formatApplyEvent({ kind: "done", address: "container.web", action: "delete", deposed: id, elapsedMs: 800 }, plain),
    "container.web (deposed object 3f2a7b1c9d0e): Destruction complete after 0.8s",
  );
  t.equal(
    formatApplyEvent({ kind: "failed", address: "volume.v", action: "delete", deposed: "app-v-old", elapsedMs: 100, error: "busy" }, plain),
    "volume.v (deposed object app-v-old): Destruction failed after 0.1s: busy",
  );
  t.same(formatRunning([{ address: "container.web", action: "delete", deposed: id, elapsedMs: 3000 }], plain), ["container.web (deposed object 3f2a7b1c9d0e): Still destroying... [3.0s elapsed]"]);
  t.not(progressKey({ address: "container.web", deposed: id }), progressKey({ address: "container.web" }), "a deposed delete and the current object's change are told apart");
  t.equal(progressKey({ address: "container.web" }), "container.web");
});
