// Orphans: objects labelled with the stack that state does not record, because the apply that
// made them died before writing state. The next plan adopts, replaces or deletes them.
import t from "tap";
import type { StackGraph } from "../../src/graph/resource.js";
import { ref } from "../../src/graph/value.js";
import type { StateFile } from "../../src/state/state-types.js";
import { actions, change, MemoryBackend, res, stack, World } from "./fixtures/stack-builder.js";

/** A network, a volume and two containers using them (the second one uses the first's address). */
function webStack(command = "serve"): StackGraph {
  return stack([
    res("network", "net", { name: "test-net", driver: "bridge" }),
    res("volume", "site", { name: "test-site", driver: "local" }),
    res("container", "db", { name: "test-db", image: "busybox", networks: [{ network: ref("network.net", "name") }] }),
    res("container", "web", {
      name: "test-web",
      image: "busybox",
      command: [command],
      env: { DB: ref("container.db", "ipAddress") },
      networks: [{ network: ref("network.net", "name") }],
      mounts: [{ type: "volume", source: ref("volume.site", "name"), target: "/www" }],
    }),
  ]);
}

/** A backend that stops writing after `n` writes, as a CLI killed at that moment leaves the file. */
class DyingBackend extends MemoryBackend {
  constructor(private readonly n: number) {
    super();
  }
  override async write(state: StateFile): Promise<void> {
    if (this.writes.length < this.n) await super.write(state);
  }
}

/** Applies `graph` with state frozen after `n` writes; returns the world as the next run finds it. */
async function killedAfter(n: number, graph: StackGraph, parallelism = 1): Promise<World> {
  const w = new World();
  const dying = new DyingBackend(n);
  const plan = await w.plan(graph);
  const { applyPlan } = await import("../../src/plan/executor.js");
  const { emptyState } = await import("../../src/state/state-types.js");
  await applyPlan({ plan, state: emptyState(plan.stack, "l", "0"), backend: dying, providers: w.providers, parallelism });
  w.state = await dying.read();
  return w;
}

t.test("an apply killed after its creates, before any state write: the next plan imports everything, no create", async (t) => {
  const w = await killedAfter(0, webStack());
  t.equal(w.state, undefined, "no state was written");
  t.equal(w.provider.list().length, 4, "all four objects exist");
  const p = await w.plan(webStack());
  t.same(actions(p).sort(), [["container.db", "import"], ["container.web", "import"], ["network.net", "import"], ["volume.site", "import"]]);
  t.same(change(p, "container.web").reasons, [{ code: "adopt_orphan" }]);
  t.equal(p.summary.import, 4);
  t.equal(p.summary.add, 0);
  t.equal(p.empty, false, "adopting changes state: --detailed-exitcode says 2");
  const r = await w.apply(p);
  t.equal(r.imported, 4);
  t.equal(r.added, 0);
  t.same(w.provider.list().length, 4, "nothing was created");
  t.same(w.state?.resources.map((x) => x.address).sort(), ["container.db", "container.web", "network.net", "volume.site"]);
  t.equal((await w.plan(webStack())).empty, true, "the next plan is empty");
});

t.test("a killed apply at every moment: the next apply converges and a destroy leaves nothing", async (t) => {
  // 4 creates + 1 final write: every cut from "nothing written" to "everything written".
  for (let n = 0; n <= 5; n++) {
    for (const parallelism of [1, 10]) {
      const w = await killedAfter(n, webStack(), parallelism);
      const p = await w.plan(webStack());
      t.notOk(p.changes.some((c) => c.action === "create"), `cut after ${n} writes (parallelism ${parallelism}): no create for objects that exist`);
      const r = await w.apply(p);
      t.equal(r.failed, 0, `cut ${n}: apply succeeds`);
      t.equal((await w.plan(webStack())).empty, true, `cut ${n}: converged`);
      await w.apply(await w.plan(webStack(), { mode: "destroy" }));
      t.same(w.provider.list(), [], `cut ${n}: destroy leaves nothing`);
    }
  }
});

t.test("an orphan that differs from the stack is replaced, with the reason", async (t) => {
  const w = await killedAfter(0, webStack("serve"));
  const p = await w.plan(webStack("serve --verbose"));
  const web = change(p, "container.web");
  t.equal(web.action, "replace");
  t.equal(web.replaceOrder, "delete-before-create", "a container frees its name first");
  t.same(web.reasons, [{ code: "replace_orphan" }, { code: "replace_because_cannot_update", attribute: "command" }]);
  t.same(web.attributes.map((a) => a.path), ["command"]);
  t.equal(change(p, "container.db").action, "import");
  const oldId = web.before?.id;
  await w.apply(p);
  t.not(w.idOf("container.web"), oldId, "a new container");
  t.equal(w.provider.get(oldId!), undefined, "the orphan is gone");
  t.equal((await w.plan(webStack("serve --verbose"))).empty, true);
});

t.test("an orphan whose address left the stack is deleted; another stack's objects are left alone", async (t) => {
  const w = await killedAfter(0, webStack());
  const other = w.provider.seed("volume", { name: "other-vol", driver: "local" }, { stack: "other", address: "volume.site" });
  const unlabelled = w.provider.seed("volume", { name: "hand-made", driver: "local" });
  const smaller = stack([res("network", "net", { name: "test-net", driver: "bridge" })]);
  const p = await w.plan(smaller);
  t.same(actions(p).sort(), [["container.db", "delete"], ["container.web", "delete"], ["network.net", "import"], ["volume.site", "delete"]]);
  t.same(change(p, "volume.site").reasons, [{ code: "delete_orphan" }]);
  t.same(change(p, "container.web").dependencies, ["network.net", "volume.site"], "what it uses (by name), from the provider");
  await w.apply(p);
  t.same(w.provider.list().map((o) => o.id).sort(), [other, unlabelled, w.idOf("network.net")].sort());
});

t.test("destroy after a killed apply: orphans go, containers before the network they use", async (t) => {
  // Killed after the network was recorded (write 1), before the containers were.
  const w = await killedAfter(1, webStack());
  t.same(w.state?.resources.map((r) => r.address), ["network.net"]);
  const p = await w.plan(webStack(), { mode: "destroy" });
  t.same(actions(p).map((a) => a[1]), ["delete", "delete", "delete", "delete"]);
  const before = w.provider.calls.length;
  const r = await w.apply(p, { parallelism: 10 });
  t.equal(r.destroyed, 4);
  const order = w.provider.calls.slice(before).filter((c) => c.op === "delete").map((c) => c.address);
  t.ok(order.indexOf("container.db") < order.indexOf("network.net"), "db before the network");
  t.ok(order.indexOf("container.web") < order.indexOf("network.net"), "web before the network");
  t.ok(order.indexOf("container.web") < order.indexOf("volume.site"), "web before its volume");
  t.ok(order.indexOf("container.web") < order.indexOf("container.db"), "web before db, whose address it uses");
  t.same(w.provider.list(), []);
  t.same(w.state?.resources, []);
});

t.test("an orphan beside the recorded object at its address is deleted as an extra object", async (t) => {
  const w = new World();
  await w.up(webStack());
  const id = await w.provider.create({ type: "volume", address: "volume.site", props: { name: "test-site-2", driver: "local" }, owner: { stack: "test", address: "volume.site" } });
  const p = await w.plan(webStack());
  const extra = p.changes.find((c) => c.deposed === id.id);
  t.equal(extra?.action, "delete");
  t.same(extra?.reasons, [{ code: "delete_orphan" }]);
  t.equal(change(p, "volume.site").action, "noop", "the recorded one stays");
  await w.apply(p);
  t.equal(w.provider.get(id.id), undefined);
  t.equal(w.state?.resources.find((r) => r.address === "volume.site")?.id !== id.id, true);
  t.equal((await w.plan(webStack())).empty, true);
});

t.test("--refresh=false looks for no orphans; a failed discover is a warning, not a wrong plan", async (t) => {
  const w = await killedAfter(0, webStack());
  const calls = w.provider.discoveries;
  const p = await w.plan(webStack(), { refresh: false });
  t.equal(w.provider.discoveries, calls, "discover not called");
  t.equal(change(p, "container.web").action, "create");
  w.provider.failNext({ op: "discover", category: "Unavailable" });
  const q = await w.plan(webStack());
  t.match(q.diagnostics, [{ severity: "warning", code: "INFRA_PLAN_DISCOVER_FAILED" }]);
});

t.test("an orphan gone between plan and apply: the import fails with a clear error", async (t) => {
  const w = await killedAfter(0, stack([res("volume", "site", { name: "test-site", driver: "local" })]));
  const p = await w.plan(stack([res("volume", "site", { name: "test-site", driver: "local" })]));
  w.provider.simulateDelete(change(p, "volume.site").before!.id!);
  const r = await w.apply(p);
  t.equal(r.failed, 1);
  t.match(r.diagnostics, [{ code: "INFRA_APPLY_ORPHAN_GONE", hint: /infra plan/ }]);
});

t.test("objects let go on purpose are no orphans: a forget (retainOnDelete) and state rm keep them out of later plans", async (t) => {
  const { removeResource } = await import("../../src/state/state-ops.js");
  const w = new World();
  const keep = res("volume", "keep", { name: "test-keep", driver: "local" }, { retainOnDelete: true });
  const site = res("volume", "site", { name: "test-site", driver: "local" });
  await w.up(stack([keep, site]));
  const keepId = w.idOf("volume.keep");
  const siteId = w.idOf("volume.site");
  const p = await w.plan(stack([site]));
  t.same(actions(p).filter((a) => a[1] !== "noop"), [["volume.keep", "forget"]]);
  await w.apply(p);
  t.match(w.state?.released, [{ address: "volume.keep", id: keepId }], "the forget is recorded");
  const later = await w.plan(stack([site]));
  t.equal(later.empty, true, "the kept volume, still labelled with the stack, is neither adopted nor deleted");
  t.ok(w.provider.get(keepId), "and it still exists");

  w.state = removeResource(w.state!, "volume.site");
  const afterRm = await w.plan(stack([]));
  t.same(actions(afterRm), [], "state rm: not deleted though the stack no longer has it");
  t.ok(w.provider.get(siteId));
});

t.test("destroy right after an apply killed before its first state write: no state, and still nothing is left", async (t) => {
  for (const parallelism of [1, 10]) {
    const w = await killedAfter(0, webStack(), parallelism);
    t.equal(w.state, undefined);
    const p = await w.plan(webStack(), { mode: "destroy" });
    t.equal(p.summary.destroy, 4, "every orphan is planned for deletion");
    t.ok(p.changes.every((c) => c.reasons[0]?.code === "delete_orphan"));
    const r = await w.apply(p, { parallelism });
    t.equal(r.failed, 0);
    t.same(w.provider.list(), [], `parallelism ${parallelism}: nothing left`);
  }
});
