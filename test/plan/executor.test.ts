import t from "tap";
import { ref, secret } from "../../src/graph/value.js";
import { applyPlan } from "../../src/plan/executor.js";
import { emptyState } from "../../src/state/state-types.js";
import { change, res, stack, World } from "./fixtures/stack-builder.js";

const chain = (n: string) => [
  res("network", n, { name: `${n}-net`, driver: "bridge" }),
  res("volume", n, { name: `${n}-vol`, driver: "local" }),
  res("container", n, {
    name: n,
    image: "busybox",
    networks: [{ network: ref(`network.${n}`, "name") }],
    mounts: [{ type: "volume", source: ref(`volume.${n}`, "name"), target: "/data" }],
  }),
];

t.test("creates run after their dependencies; deletes in reverse; state written after every step", async (t) => {
  const w = new World();
  const { result } = await w.up(stack(chain("a")));
  t.equal(result.added, 3);
  const creates = w.provider.calls.filter((c) => c.op === "create").map((c) => c.address);
  t.equal(creates.at(-1), "container.a", "the container comes last");
  t.same(w.backend.writes.map((s) => s.serial), [1, 2, 3, 4], "one write per step, then the final one");
  t.same(w.backend.writes.map((s) => s.resources.length), [1, 2, 3, 3]);
  t.same(w.events.filter((e) => e.kind === "done").map((e) => e.address).at(-1), "container.a");
  t.ok(w.events.every((e) => e.elapsedMs >= 0));

  await w.up(stack([]));
  const deletes = w.provider.calls.filter((c) => c.op === "delete").map((c) => c.address);
  t.equal(deletes[0], "container.a", "the dependent goes first");
  t.same(w.provider.list(), []);
});

t.test("parallelism is bounded", async (t) => {
  const resources = Array.from({ length: 6 }, (_, i) => res("volume", `v${i}`, { name: `v${i}`, driver: "local" }));
  const w = new World({ delayMs: 30 });
  await w.apply(await w.plan(stack(resources)), { parallelism: 2 });
  t.equal(w.provider.maxInFlight, 2);
  const w2 = new World({ delayMs: 30 });
  await w2.apply(await w2.plan(stack(resources)), { parallelism: 10 });
  t.equal(w2.provider.maxInFlight, 6);
});

t.test("a failed step stops only its dependents", async (t) => {
  const w = new World();
  w.provider.failNext({ op: "create", category: "Invalid", address: "network.a" });
  const { result } = await w.up(stack([...chain("a"), ...chain("b")]));
  t.equal(result.failed, 1);
  t.equal(result.added, 4, "chain b and volume a");
  t.same(result.diagnostics.map((d) => [d.code, d.address]), [["INFRA_APPLY_STEP_FAILED", "network.a"]]);
  t.same((result.diagnostics[0]?.value as { category: string }).category, "Invalid");
  t.same(w.events.filter((e) => e.kind === "skipped").map((e) => e.address), ["container.a"]);
  t.same(w.events.filter((e) => e.kind === "failed").map((e) => e.address), ["network.a"]);
  t.same(w.state?.resources.map((r) => r.address).sort(), ["container.b", "network.b", "volume.a", "volume.b"]);
  t.same(await w.backend.read(), w.state, "the last write is the returned state");
  const next = await w.plan(stack([...chain("a"), ...chain("b")]));
  t.same(next.changes.filter((c) => c.action !== "noop").map((c) => [c.address, c.action]), [["network.a", "create"], ["container.a", "create"]]);
  await w.apply(next);
  t.equal((await w.plan(stack([...chain("a"), ...chain("b")]))).empty, true);
});

t.test("Unavailable failures are retried", async (t) => {
  const w = new World();
  w.provider.failNext({ op: "create", category: "Unavailable", address: "volume.a", times: 2 });
  const { result } = await w.up(stack([res("volume", "a", { name: "a", driver: "local" })]));
  t.equal(result.failed, 0);
  t.equal(w.provider.calls.filter((c) => c.op === "create").length, 3);
  w.provider.failNext({ op: "create", category: "Unavailable", address: "volume.b", times: 5 });
  const r2 = await w.up(stack([res("volume", "a", { name: "a", driver: "local" }), res("volume", "b", { name: "b", driver: "local" })]));
  t.equal(r2.result.failed, 1, "gives up after the retries");
  const w3 = new World();
  w3.provider.failNext({ op: "create", category: "Conflict", address: "volume.a" });
  t.equal((await w3.up(stack([res("volume", "a", { name: "a", driver: "local" })]))).result.failed, 1, "other categories are not retried");
  t.equal(w3.provider.calls.filter((c) => c.op === "create").length, 1);
});

t.test("interruption: running steps finish and are recorded; the next plan converges", async (t) => {
  const w = new World({ delayMs: 20 });
  const g = stack([...chain("a"), ...chain("b"), ...chain("c")]);
  const ac = new AbortController();
  const plan = await w.plan(g);
  const seen: string[] = [];
  const r = await applyPlan({
    plan,
    state: emptyState("test", "lin", "0"),
    backend: w.backend,
    providers: w.providers,
    parallelism: 2,
    signal: ac.signal,
    onEvent: (e) => {
      seen.push(`${e.kind}:${e.address}`);
      if (e.kind === "done") ac.abort();
    },
  });
  t.equal(r.interrupted, true);
  t.equal(seen.filter((s) => s.startsWith("start:")).length, 2, "only the first two steps started");
  t.equal(r.added, 2, "both running steps finished");
  t.equal(r.state.resources.length, 2);
  t.same(await w.backend.read(), r.state, "written state matches");
  t.same(w.provider.list().map((o) => o.id).sort(), r.state.resources.map((x) => x.id).sort(), "state records every object that exists");
  w.state = r.state;
  const next = await w.plan(g);
  t.equal(next.summary.add, 7);
  const r2 = await w.apply(next);
  t.equal(r2.interrupted, false);
  t.equal((await w.plan(g)).empty, true);
});

t.test("secrets reach the provider unwrapped and stay wrapped in state", async (t) => {
  const w = new World();
  const g = stack([
    res("network", "n", { name: "n", driver: "bridge" }),
    res("container", "c", { name: "c", image: "busybox", env: { PW: secret("hunter2"), URL: { $template: ["pg://", ref("network.n", "gateway"), "/", ref("container.db", "name")] } } }),
    res("container", "db", { name: "db", image: "postgres", env: { PW: secret("hunter2") } }),
  ]);
  await w.up(g);
  const live = w.provider.list().find((o) => o.owner.address === "container.c");
  t.same(live?.props.env, { PW: "hunter2", URL: "pg://10.200.1.1/db" });
  t.same(w.state?.resources.find((r) => r.address === "container.c")?.props.env, { PW: { $secret: "hunter2" }, URL: "pg://10.200.1.1/db" });
  t.equal((await w.plan(g)).empty, true, "no spurious change from secrets");
});

t.test("a failed delete-before-create leaves the old object recorded", async (t) => {
  const w = new World();
  const c = (image: string) => stack([res("container", "c", { name: "c", image })]);
  await w.up(c("a"));
  const id = w.idOf("container.c");
  w.provider.failNext({ op: "delete", category: "Internal", address: "container.c" });
  const p = await w.plan(c("b"));
  t.equal(change(p, "container.c").action, "replace");
  const r = await w.apply(p);
  t.equal(r.failed, 1);
  t.equal(w.idOf("container.c"), id);
  t.equal(w.provider.calls.filter((x) => x.op === "create").length, 1, "the create was not attempted");
  await w.apply(await w.plan(c("b")));
  t.not(w.idOf("container.c"), id);
});

t.test("a plan with errors is refused", async (t) => {
  const w = new World();
  const p = await w.plan(stack([res("volume", "a", { name: "a", driver: "local", bad: 1 })]));
  await t.rejects(w.apply(p), { code: "INFRA_APPLY_PLAN_HAS_ERRORS" });
  t.same(w.provider.calls, []);
});
