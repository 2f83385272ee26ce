import t, { type Test } from "tap";
import { ref } from "../../src/graph/value.js";
import { applyPlan } from "../../src/plan/executor.js";
import type { StateFile } from "../../src/state/state-types.js";
import { change, intercept, res, stack, World } from "./fixtures/stack-builder.js";

// An image is replaced create-before-delete; the container that runs it delete-before-create.
const img = (hash: string) => res("image", "app", { name: "localhost/app:latest", build: { context: "/src", dockerfile: "Dockerfile", contextHash: hash } });
const app = res("container", "app", { name: "app", image: ref("image.app", "id") });
const v = (hash: string) => stack([img(hash), app]);

/** A world with v1 applied; the image's id then. */
async function applied(): Promise<{ w: World; oldId: string }> {
  const w = new World();
  await w.up(v("h1"));
  return { w, oldId: w.idOf("image.app") };
}

/** Dies (throws, recording what was on disk) when the provider is asked to `op` the image. */
function dieDuring(w: World, op: "create" | "delete"): { disk: () => StateFile } {
  let disk: StateFile | undefined;
  w.providers.set(
    "memory",
    intercept(w.provider, op, "image.app", async () => {
      disk = await w.backend.read();
      throw new Error("the process died here");
    }),
  );
  return {
    disk: () => {
      if (disk === undefined) throw new Error(`the image was never ${op}d`);
      return disk;
    },
  };
}

/** What a new process sees: the state on disk and the real provider. */
function restart(w: World, disk: StateFile): void {
  w.providers.set("memory", w.provider);
  w.state = structuredClone(disk);
}

async function converges(t: Test, w: World): Promise<void> {
  const p = await w.plan(v("h2"));
  t.equal(p.empty, true, "the next plan is empty");
  t.equal(w.state?.deposed, undefined, "no deposed record left");
  t.same(w.provider.list().map((o) => o.id).sort(), w.state?.resources.map((r) => r.id).sort(), "state records exactly the objects that exist");
}

t.test("dying between the create and the delete: the next plan deletes the deposed object and converges", async (t) => {
  const { w, oldId } = await applied();
  const death = dieDuring(w, "delete");
  const r = await w.apply(await w.plan(v("h2")));
  t.equal(r.failed, 1);
  const disk = death.disk();
  const newId = disk.resources.find((x) => x.address === "image.app")?.id;
  t.not(newId, oldId, "the replacement was recorded before the delete started");
  t.match(disk.deposed, [{ address: "image.app", id: oldId, type: "image", provider: "memory", dependencies: [] }], "the old image is recorded as deposed");
  t.ok(w.provider.get(oldId), "the old image still exists");

  restart(w, disk);
  const p = await w.plan(v("h2"));
  const d = p.changes.find((c) => c.deposed !== undefined);
  t.match(d, { address: "image.app", action: "delete", deposed: oldId, reasons: [{ code: "delete_because_deposed" }], before: { id: oldId }, after: null });
  t.equal(change(p, "image.app").action, "noop", "the current image is left alone");
  t.equal(p.summary.destroy, 1);
  t.equal(p.empty, false);
  const r2 = await w.apply(p);
  t.equal(r2.failed, 0);
  t.equal(r2.destroyed, 1);
  t.equal(w.provider.get(oldId), undefined, "the old image is deleted");
  t.ok(w.provider.get(newId!), "the new one is kept");
  await converges(t, w);
});

t.test("Ctrl-C after the new image is created: its dependents move over before the deposed image goes", async (t) => {
  const { w, oldId } = await applied();
  const ac = new AbortController();
  const plan = await w.plan(v("h2"));
  const r = await applyPlan({
    plan,
    state: w.state!,
    backend: w.backend,
    providers: w.providers,
    parallelism: 10,
    signal: ac.signal,
    onEvent: (e) => {
      if (e.kind === "start") ac.abort();
    },
  });
  t.equal(r.interrupted, true);
  t.same(w.provider.calls.filter((c) => c.op !== "read").slice(-1), [{ op: "create", address: "image.app" }], "only the new image was made");
  t.match(r.state.deposed, [{ address: "image.app", id: oldId }]);
  t.same(await w.backend.read(), r.state, "the deposed record is on disk");

  w.state = r.state;
  const before = w.provider.calls.length;
  const p = await w.plan(v("h2"));
  t.same(
    p.changes.map((c) => [c.address, c.action, c.deposed ?? null]).sort(),
    [
      ["container.app", "replace", null],
      ["image.app", "delete", oldId],
      ["image.app", "noop", null],
    ],
  );
  await w.apply(p);
  const order = w.provider.calls.slice(before).filter((c) => c.op !== "read").map((c) => `${c.op}:${c.address}`);
  t.same(order, ["delete:container.app", "create:container.app", "delete:image.app"], "the deposed image goes after its container moved");
  t.equal(w.provider.get(oldId), undefined);
  await converges(t, w);
});

t.test("the deposed record is on disk before the create; dying during the create replans the replacement", async (t) => {
  const { w, oldId } = await applied();
  const death = dieDuring(w, "create");
  await w.apply(await w.plan(v("h2")));
  const disk = death.disk();
  t.match(disk.deposed, [{ address: "image.app", id: oldId }], "written before the create was called");
  t.equal(disk.resources.find((x) => x.address === "image.app")?.id, oldId, "the old image is still current");

  restart(w, disk);
  const p = await w.plan(v("h2"));
  t.equal(
    p.changes.some((c) => c.deposed !== undefined),
    false,
    "a record naming the current object is no leftover",
  );
  t.equal(change(p, "image.app").action, "replace", "the replacement is planned again");
  await w.apply(p);
  t.equal(w.provider.get(oldId), undefined);
  await converges(t, w);
});

t.test("a failed create takes the deposed record back; the old object stays current", async (t) => {
  const { w, oldId } = await applied();
  w.provider.failNext({ op: "create", category: "Invalid", address: "image.app" });
  const r = await w.apply(await w.plan(v("h2")));
  t.equal(r.failed, 1);
  t.equal(w.state?.deposed, undefined);
  t.equal(w.idOf("image.app"), oldId);
  t.ok(w.provider.get(oldId));
  t.same(await w.backend.read(), w.state);
  await w.apply(await w.plan(v("h2")));
  await converges(t, w);
});

t.test("a replacement that comes back as the same object is not deleted", async (t) => {
  const { w, oldId } = await applied();
  const old = w.provider.get(oldId)!;
  // A content-addressed image built again from the same content: the engine returns the same image.
  w.providers.set("memory", intercept(w.provider, "create", "image.app", async () => ({ id: oldId, props: old.props, outputs: old.outputs })));
  const p = await w.plan(v("h2"));
  t.equal(change(p, "image.app").replaceOrder, "create-before-delete");
  const r = await w.apply(p);
  t.equal(r.failed, 0);
  t.equal(w.provider.calls.filter((c) => c.op === "delete" && c.address === "image.app").length, 0, "no delete of the image");
  t.ok(w.provider.get(oldId), "the image is still there");
  t.equal(w.idOf("image.app"), oldId);
  t.equal(w.state?.deposed, undefined);
});

t.test("deposed objects in destroy mode, with targets and excludes, and without refresh", async (t) => {
  const { w, oldId } = await applied();
  const death = dieDuring(w, "delete");
  await w.apply(await w.plan(v("h2")));
  restart(w, death.disk());
  const reads = w.provider.calls.filter((c) => c.op === "read").length;
  const noRefresh = await w.plan(v("h2"), { refresh: false });
  t.equal(w.provider.calls.filter((c) => c.op === "read").length, reads, "--refresh=false reads nothing");
  t.equal(noRefresh.changes.filter((c) => c.deposed === oldId).length, 1, "the deposed object is planned without a refresh");
  const excluded = await w.plan(v("h2"), { excludes: ["image.app"] });
  t.equal(excluded.changes.length, 0, "excluding the address leaves its deposed object alone");
  const targeted = await w.plan(v("h2"), { targets: ["container.app"] });
  t.same(
    targeted.changes.map((c) => [c.address, c.action, c.deposed ?? null]).sort(),
    [
      ["container.app", "noop", null],
      ["image.app", "delete", oldId],
      ["image.app", "noop", null],
    ],
    "a target takes its dependencies, and a selected address its deposed objects",
  );

  const p = await w.plan(v("h2"), { mode: "destroy" });
  t.same(p.changes.map((c) => [c.address, c.action, c.deposed ?? null, c.reasons[0]?.code]).sort(), [
    ["container.app", "delete", null, "delete_because_destroy"],
    ["image.app", "delete", null, "delete_because_destroy"],
    ["image.app", "delete", oldId, "delete_because_deposed"],
  ]);
  const r = await w.apply(p);
  t.equal(r.destroyed, 3);
  t.same(w.provider.list(), []);
  t.same(w.state?.resources, []);
  t.equal(w.state?.deposed, undefined);
});

t.test("no replacement is created when the deposed record cannot be written", async (t) => {
  const w = new World();
  await w.up(stack([img("h1")]));
  const oldId = w.idOf("image.app");
  const write = w.backend.write.bind(w.backend);
  w.backend.write = async (s) => {
    if (s.deposed !== undefined) throw new Error("disk full");
    return write(s);
  };
  const creates = () => w.provider.calls.filter((c) => c.op === "create").length;
  const before = creates();
  const r = await w.apply(await w.plan(stack([img("h2")])));
  t.equal(r.failed, 1);
  t.same(r.diagnostics.map((d) => d.code).sort(), ["INFRA_APPLY_STATE_WRITE_FAILED", "INFRA_APPLY_STATE_WRITE_FAILED"], "the write and the step both say so");
  t.equal(creates(), before, "the new image was not created");
  t.ok(w.provider.get(oldId), "the old image is untouched");
  t.equal((await w.backend.read())?.resources[0]?.id, oldId);
});
