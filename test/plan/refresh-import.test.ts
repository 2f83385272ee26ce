import t from "tap";
import { importResource } from "../../src/plan/import-resource.js";
import { refreshState } from "../../src/plan/refresh.js";
import { ref, secret } from "../../src/graph/value.js";
import { emptyState } from "../../src/state/state-types.js";
import { change, res, stack, World } from "./fixtures/stack-builder.js";

t.test("refreshState updates from live objects, drops the gone ones, reports drift", async (t) => {
  const w = new World();
  await w.up(stack([res("volume", "a", { name: "a", driver: "local" }), res("container", "c", { name: "c", image: "x", env: { PW: secret("p") }, restart: { policy: "no" } })]));
  w.provider.simulateDelete(w.idOf("volume.a"));
  w.provider.simulateModify(w.idOf("container.c"), { props: { restart: { policy: "always" } } });
  const before = structuredClone(w.state!);
  const r = await refreshState(w.state!, w.providers);
  t.same(r.drift.map((d) => [d.address, d.kind]), [["container.c", "changed"], ["volume.a", "deleted"]]);
  t.same(r.state.resources.map((x) => x.address), ["container.c"]);
  t.same(r.state.resources[0]?.props.restart, { policy: "always" });
  t.same(r.state.resources[0]?.props.env, { PW: { $secret: "p" } }, "unchanged secret stays wrapped");
  t.equal(r.state.serial, before.serial + 1);
  t.same(w.state, before, "input untouched");
  t.same(r.diagnostics, []);
});

t.test("importResource adopts an existing object", async (t) => {
  const w = new World();
  const id = w.provider.seed("volume", { name: "legacy", driver: "local" });
  const s = emptyState("test", "l", "0");
  const next = await importResource(s, w.providers, { address: "volume.legacy", type: "volume", provider: "memory", id });
  t.same(next.resources.map((r) => [r.address, r.id, r.props.name]), [["volume.legacy", id, "legacy"]]);
  t.equal(next.serial, 1);
  await t.rejects(importResource(next, w.providers, { address: "volume.legacy", type: "volume", provider: "memory", id }), { code: "INFRA_IMPORT_ADDRESS_IN_USE" });
  await t.rejects(importResource(s, w.providers, { address: "volume.x", type: "volume", provider: "memory", id: "nope" }), { code: "INFRA_IMPORT_NOT_FOUND" });
  await t.rejects(importResource(s, w.providers, { address: "volume.x", type: "volume", provider: "other", id }), { code: "INFRA_IMPORT_PROVIDER_UNKNOWN" });
  w.state = next;
  const p = await w.plan(stack([res("volume", "legacy", { name: "legacy", driver: "local" })]));
  t.equal(p.empty, true, "a matching stack adopts it without changes");
});

t.test("refresh reads only the selected resources; --refresh=false reads nothing", async (t) => {
  const w = new World();
  const vol = (n: string) => res("volume", n, { name: n, driver: "local" });
  const app = (policy: string) => res("container", "app", { name: "app", image: "x", restart: { policy }, mounts: [{ type: "volume", source: ref("volume.a", "name"), target: "/d" }] });
  await w.up(stack([vol("a"), vol("b"), vol("gone"), app("no")]));
  const reads = () => w.provider.calls.filter((c) => c.op === "read").map((c) => c.address).sort();
  // Changes of every kind, so that no path of the planner is left out: update, replace, delete, create.
  const next = stack([vol("a"), vol("b"), app("always"), vol("new")]);

  w.provider.calls.length = 0;
  const p = await w.plan(next, { refresh: false, replace: ["volume.b"] });
  t.same(p.changes.map((c) => c.action).sort(), ["create", "delete", "noop", "replace", "update"]);
  t.same(reads(), [], "--refresh=false: no read at all");
  w.provider.simulateDelete(w.idOf("volume.b"));
  t.equal(change(await w.plan(next, { refresh: false }), "volume.b").action, "noop", "so drift stays unseen");

  w.provider.calls.length = 0;
  await w.plan(next, { targets: ["container.app"] });
  t.same(reads(), ["container.app", "volume.a"], "a target and its dependencies");
  w.provider.calls.length = 0;
  await w.plan(next, { excludes: ["volume.a"] });
  t.same(reads(), ["volume.b", "volume.gone"], "an exclude takes its dependents out");
  w.provider.calls.length = 0;
  await w.plan(next);
  t.same(reads(), ["container.app", "volume.a", "volume.b", "volume.gone"], "no selection: everything recorded");
});
