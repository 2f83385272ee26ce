import t from "tap";
import { ref, secret, type Props } from "../../src/graph/value.js";
import { actions, change, output, res, stack, World } from "./fixtures/stack-builder.js";

const net = (props: Props = {}, o = {}) => res("network", "app", { name: "app-net", driver: "bridge", ...props }, o);
const web = (props: Props = {}, o = {}) =>
  res("container", "web", { name: "web", image: "busybox", networks: [{ network: ref("network.app", "id") }], restart: { policy: "no" }, ...props }, o);

t.test("lifecycle: create, noop, update in place, replace with the forcing attribute, delete", async (t) => {
  const w = new World();
  const p1 = await w.plan(stack([net(), web()]));
  t.same(actions(p1), [["network.app", "create"], ["container.web", "create"]], "dependencies first");
  t.same(change(p1, "container.web").reasons, [{ code: "new_in_config" }]);
  t.same(change(p1, "container.web").after?.props.networks, [{ network: ref("network.app", "id") }], "unknown reference kept for apply");
  t.same(change(p1, "container.web").attributes.find((a) => a.path === "networks")?.after, [{ network: { $unknown: true } }], "shown as unknown");
  t.same(p1.summary, { add: 2, change: 0, destroy: 0, replace: 0, forget: 0, import: 0 });
  t.equal(p1.empty, false);
  t.same(p1.prior, { lineage: null, serial: 0 });
  t.match(p1.graphHash, /^sha256:[0-9a-f]{64}$/);
  const r1 = await w.apply(p1);
  t.equal(r1.added, 2);
  t.same(w.state?.resources.find((r) => r.address === "container.web")?.props.networks, [{ network: w.state?.resources.find((r) => r.address === "network.app")?.id }], "reference resolved in state");

  const p2 = await w.plan(stack([net(), web()]));
  t.equal(p2.empty, true, "second plan is empty");
  t.same(actions(p2), [["network.app", "noop"], ["container.web", "noop"]]);

  const p3 = await w.plan(stack([net(), web({ restart: { policy: "always" } })]));
  const u = change(p3, "container.web");
  t.equal(u.action, "update");
  t.same(u.reasons, [{ code: "attributes_changed", attribute: "restart" }]);
  t.same(u.attributes, [{ path: "restart", before: { policy: "no" }, after: { policy: "always" }, forcesReplacement: false, sensitive: false }]);
  t.equal(u.unchangedCount, 3);
  t.equal(u.after?.outputs.id, w.idOf("container.web"), "outputs that do not change on update stay known");
  t.equal(u.after?.outputs.ipAddress, w.state?.resources.find((r) => r.address === "container.web")?.outputs.ipAddress, "addresses stay known when the networks do not change");
  const idBefore = w.idOf("container.web");
  await w.apply(p3);
  t.equal(w.idOf("container.web"), idBefore, "in-place update keeps the id");

  const p4 = await w.plan(stack([net(), web({ restart: { policy: "always" }, image: "alpine" })]));
  const r = change(p4, "container.web");
  t.equal(r.action, "replace");
  t.equal(r.replaceOrder, "delete-before-create", "containers free name and ports first");
  t.same(r.reasons, [{ code: "replace_because_cannot_update", attribute: "image" }]);
  t.same(r.attributes.map((a) => [a.path, a.forcesReplacement]), [["image", true]]);
  t.same(r.after?.outputs.id, { $unknown: true });
  t.same(p4.summary, { add: 1, change: 0, destroy: 1, replace: 1, forget: 0, import: 0 });
  await w.apply(p4);
  t.not(w.idOf("container.web"), idBefore, "replacement has a new id");

  const p5 = await w.plan(stack([net()]));
  const d = change(p5, "container.web");
  t.equal(d.action, "delete");
  t.same(d.reasons, [{ code: "delete_because_no_resource_config" }]);
  t.equal(d.after, null);
  await w.apply(p5);
  t.same(w.provider.list().map((o) => o.owner.address), ["network.app"]);
  t.equal((await w.plan(stack([net()]))).empty, true);
});

t.test("ignoreChanges keeps the recorded value; '*' ignores everything", async (t) => {
  const w = new World();
  await w.up(stack([net(), web({ labels: { a: "1" } }, { ignoreChanges: ["labels"] })]));
  const p = await w.plan(stack([net(), web({ labels: { a: "2" } }, { ignoreChanges: ["labels"] })]));
  t.equal(change(p, "container.web").action, "noop");
  t.same(change(p, "container.web").after?.props.labels, { a: "1" }, "after keeps the recorded value");
  const p2 = await w.plan(stack([net(), web({ labels: { a: "2" }, image: "alpine" }, { ignoreChanges: ["*"] })]));
  t.equal(change(p2, "container.web").action, "noop");
  const p3 = await w.plan(stack([net(), web({ labels: { a: "2" } })]));
  t.equal(change(p3, "container.web").action, "update", "without ignoreChanges the same change is planned");
});

t.test("replaceOnChanges turns an in-place change into a replacement", async (t) => {
  const w = new World();
  await w.up(stack([net(), web({ labels: { a: "1" } })]));
  const p = await w.plan(stack([net(), web({ labels: { a: "2" } }, { replaceOnChanges: ["labels"] })]));
  const c = change(p, "container.web");
  t.equal(c.action, "replace");
  t.same(c.reasons, [{ code: "replace_on_changes", attribute: "labels" }]);
  t.equal(c.attributes[0]?.forcesReplacement, true);
  const p2 = await w.plan(stack([net(), web({ labels: { a: "2" } }, { replaceOnChanges: ["*"] })]));
  t.equal(change(p2, "container.web").action, "replace");
  const p3 = await w.plan(stack([net(), web({ labels: { a: "1" } }, { replaceOnChanges: ["*"] })]));
  t.equal(change(p3, "container.web").action, "noop", "no change, no replacement");
});

t.test("protect refuses a planned replace or delete", async (t) => {
  const w = new World();
  await w.up(stack([net({}, { protect: true }), web({}, { protect: true })]));
  const p = await w.plan(stack([net({}, { protect: true }), web({ image: "alpine" }, { protect: true })]));
  const d = p.diagnostics.find((x) => x.code === "INFRA_PLAN_PROTECTED");
  t.ok(d, "error diagnostic");
  t.equal(d?.severity, "error");
  t.equal(d?.address, "container.web");
  t.match(d?.hint, /Remove `protect`/);
  const p2 = await w.plan(stack([]));
  t.same(p2.diagnostics.filter((x) => x.code === "INFRA_PLAN_PROTECTED").map((x) => x.address).sort(), ["container.web", "network.app"], "recorded protect applies to removed resources");
  const p3 = await w.plan(stack([net({}, { protect: true }), web({ restart: { policy: "always" } }, { protect: true })]));
  t.same(p3.diagnostics, [], "an update of a protected resource is fine");
});

t.test("targets take their dependencies; excludes take their dependents", async (t) => {
  const w = new World();
  const g = stack([
    net(),
    web(),
    res("volume", "data", { name: "data", driver: "local" }),
    res("container", "db", { name: "db", image: "postgres", mounts: [{ type: "volume", source: ref("volume.data", "name"), target: "/d" }] }),
  ]);
  const p = await w.plan(g, { targets: ["container.web"] });
  t.same(actions(p), [["network.app", "create"], ["container.web", "create"]]);
  const p2 = await w.plan(g, { excludes: ["network.app"] });
  t.same(actions(p2), [["volume.data", "create"], ["container.db", "create"]], "web excluded with its network");
  const p3 = await w.plan(g, { targets: ["container.nope"] });
  t.equal(p3.diagnostics[0]?.code, "INFRA_PLAN_UNKNOWN_ADDRESS");
  await w.apply(p);
  const p4 = await w.plan(g);
  t.same(actions(p4).filter(([, a]) => a !== "noop"), [["volume.data", "create"], ["container.db", "create"]], "untargeted resources come later");
});

t.test("--replace forces a replacement", async (t) => {
  const w = new World();
  await w.up(stack([net(), web()]));
  const p = await w.plan(stack([net(), web()]), { replace: ["network.app"] });
  const c = change(p, "network.app");
  t.equal(c.action, "replace");
  t.same(c.reasons, [{ code: "replace_by_request" }]);
  t.equal(c.replaceOrder, "delete-before-create", "a named network keeps its name, so the old one goes first");
  const wc = change(p, "container.web");
  t.equal(wc.action, "update", "networks attribute updates in place with the new network");
  t.same(wc.attributes.map((a) => a.path), ["networks"]);
  const r = await w.apply(p);
  t.equal(r.failed, 0);
  t.equal((await w.plan(stack([net(), web()]))).empty, true, "converged");
});

t.test("destroy mode deletes everything in state, dependents first", async (t) => {
  const w = new World();
  await w.up(stack([net(), web(), res("volume", "keep", { name: "keep", driver: "local" }, { retainOnDelete: true })], [output("ip", ref("container.web", "ipAddress"))]));
  t.equal(w.state?.outputs.ip, "10.88.0.2");
  const p = await w.plan(stack([net(), web()]), { mode: "destroy" });
  t.same(actions(p), [["volume.keep", "forget"], ["container.web", "delete"], ["network.app", "delete"]]);
  t.same(change(p, "network.app").reasons, [{ code: "delete_because_destroy" }]);
  t.same(change(p, "volume.keep").reasons, [{ code: "forget_because_retain_on_delete" }]);
  t.same(p.outputs, [{ name: "ip", action: "delete", before: "10.88.0.2", sensitive: false }]);
  t.same(p.summary, { add: 0, change: 0, destroy: 2, replace: 0, forget: 1, import: 0 });
  const r = await w.apply(p);
  t.equal(r.destroyed, 2);
  t.same(w.state?.resources, []);
  t.same(w.state?.outputs, {});
  t.same(w.provider.list().map((o) => o.owner.address), ["volume.keep"], "retained object left alone");
  const calls = w.provider.calls.filter((c) => c.op === "delete").map((c) => c.address);
  t.same(calls, ["container.web", "network.app"]);
});

t.test("drift: deleted objects are recreated, changed ones converged", async (t) => {
  const w = new World();
  await w.up(stack([net(), web()]));
  w.provider.simulateDelete(w.idOf("network.app"));
  w.provider.simulateModify(w.idOf("container.web"), { props: { restart: { policy: "always" } } });
  const p = await w.plan(stack([net(), web()]));
  t.same(p.drift.map((d) => [d.address, d.kind]), [["container.web", "changed"], ["network.app", "deleted"]]);
  t.same(p.drift[0]?.attributes.map((a) => [a.path, a.before, a.after]), [["restart", { policy: "no" }, { policy: "always" }]]);
  t.same(change(p, "network.app").reasons, [{ code: "missing_live" }]);
  t.equal(change(p, "network.app").action, "create");
  const c = change(p, "container.web");
  t.equal(c.action, "update", "restart converges back in place; networks become unknown");
  t.same(c.attributes.map((a) => a.path), ["networks", "restart"]);
  t.same(c.before?.props.restart, { policy: "always" }, "before is the live value");
  const noRefresh = await w.plan(stack([net(), web()]), { refresh: false });
  t.same(noRefresh.drift, [], "--refresh=false sees no drift");
  t.equal(noRefresh.empty, true);
  await w.apply(p);
  t.equal((await w.plan(stack([net(), web()]))).empty, true, "converged");
});

t.test("references resolve against recorded outputs; unknowns when the referent changes", async (t) => {
  const w = new World();
  const env = (extra = "") => ({ env: { GW: { $template: ["http://", ref("network.app", "gateway"), ":80", extra] } } });
  const g = (o: Props = {}) => stack([net(o), web(env())], [output("gw", ref("network.app", "gateway")), output("pw", secret("s3cret"))]);
  const p1 = await w.plan(g());
  t.same(change(p1, "container.web").attributes.find((a) => a.path === "env")?.after, { GW: { $unknown: true } });
  t.same(p1.outputs.map((o) => [o.name, o.action, o.sensitive]), [["gw", "create", false], ["pw", "create", true]]);
  await w.apply(p1);
  t.same(w.state?.resources.find((r) => r.address === "container.web")?.props.env, { GW: "http://10.200.1.1:80" });
  t.equal(w.state?.outputs.gw, "10.200.1.1");
  t.same(w.state?.outputs.pw, { $secret: "s3cret" }, "secret output kept wrapped");
  const p2 = await w.plan(g());
  t.equal(p2.empty, true, "template resolved from state on the next plan");

  const p3 = await w.plan(g({ subnet: "10.201.0.0/24" }));
  t.equal(change(p3, "network.app").action, "replace");
  const c = change(p3, "container.web");
  t.equal(c.action, "replace");
  t.same(c.reasons, [{ code: "replace_because_dependency_replaced", attribute: "env", dependency: "network.app" }]);
  t.same(p3.outputs.find((o) => o.name === "gw")?.action, "update");
  await w.apply(p3);
  t.same(w.state?.resources.find((r) => r.address === "container.web")?.props.env, { GW: "http://10.201.0.1:80" });
  t.equal(w.state?.outputs.gw, "10.201.0.1");
});

t.test("an image rebuild replaces the containers that run it, naming the image", async (t) => {
  const w = new World();
  const img = (hash: string) => res("image", "app", { name: "localhost/app:latest", build: { context: "/src", dockerfile: "Dockerfile", contextHash: hash } });
  const app = res("container", "app", { name: "app", image: ref("image.app", "id") });
  const other = res("container", "other", { name: "other", image: "busybox" });
  await w.up(stack([img("h1"), app, other]));
  const p = await w.plan(stack([img("h2"), app, other]));
  const i = change(p, "image.app");
  t.equal(i.action, "replace");
  t.equal(i.replaceOrder, "create-before-delete");
  t.same(i.reasons, [{ code: "replace_because_cannot_update", attribute: "build" }]);
  const c = change(p, "container.app");
  t.equal(c.action, "replace");
  t.same(c.reasons, [{ code: "replace_because_dependency_replaced", attribute: "image", dependency: "image.app" }]);
  t.same(c.attributes, [{ path: "image", before: w.state?.resources.find((r) => r.address === "container.app")?.props.image, after: { $unknown: true }, forcesReplacement: true, sensitive: false }]);
  t.equal(change(p, "container.other").action, "noop");
  const r = await w.apply(p);
  t.equal(r.failed, 0);
  const imgId = w.state?.resources.find((r) => r.address === "image.app")?.outputs.id;
  t.equal(w.state?.resources.find((r) => r.address === "container.app")?.props.image, imgId);
  t.equal(w.provider.list().filter((o) => o.type === "image").length, 1, "old image deleted");
  const order = w.provider.calls.filter((x) => x.op !== "read").slice(-4).map((x) => `${x.op}:${x.address}`);
  // The new image and the old container's delete are independent: either may start first.
  t.same([...order].sort(), ["create:container.app", "create:image.app", "delete:container.app", "delete:image.app"]);
  const at = (k: string) => order.indexOf(k);
  t.ok(at("create:image.app") < at("create:container.app"), "the container is created from the new image");
  t.ok(at("delete:container.app") < at("create:container.app"), "containers are replaced delete-first");
  t.equal(order.at(-1), "delete:image.app", "old image goes after its container moved");
});

t.test("validate and preflight problems are collected", async (t) => {
  const w = new World();
  await w.up(stack([res("container", "a", { name: "a", image: "busybox", ports: [{ containerPort: 80, hostPort: 8080, protocol: "tcp" }] })]));
  const p = await w.plan(
    stack([
      res("container", "a", { name: "a", image: "busybox", ports: [{ containerPort: 80, hostPort: 8080, protocol: "tcp" }] }),
      res("container", "b", { name: "b", image: "busybox", colour: "red", ports: [{ containerPort: 81, hostPort: 8080, protocol: "tcp" }] }),
    ]),
  );
  t.same(p.diagnostics.map((d) => [d.code, d.address, d.attribute]), [
    ["INFRA_PROVIDER_UNKNOWN_ATTRIBUTE", "container.b", "colour"],
    ["INFRA_PROVIDER_PORT_IN_USE", "container.b", "ports"],
  ]);
});

t.test("unknown provider and refresh failures are diagnostics", async (t) => {
  const w = new World();
  await w.up(stack([net()]));
  const g = stack([net(), { ...web(), provider: "nope" }]);
  w.provider.failNext({ op: "read", category: "Unavailable" });
  const p = await w.plan(g);
  t.same(p.diagnostics.map((d) => d.code).sort(), ["INFRA_PLAN_PROVIDER_UNKNOWN", "INFRA_PLAN_REFRESH_FAILED"]);
  t.equal(change(p, "network.app").action, "noop", "a failed refresh keeps the recorded resource");
});

t.test("changes are ordered topologically, then by address", async (t) => {
  const w = new World();
  const g = stack([
    res("container", "z", { name: "z", image: "i", env: { A: ref("container.b", "ipAddress") } }),
    res("container", "b", { name: "b", image: "i" }),
    res("volume", "a", { name: "va", driver: "local" }),
    res("network", "m", { name: "m", driver: "bridge" }),
  ]);
  const p = await w.plan(g);
  t.same(p.changes.map((c) => c.address), ["container.b", "container.z", "network.m", "volume.a"]);
  const again = await w.plan({ ...g, resources: [...g.resources].reverse() });
  t.same(again.changes.map((c) => c.address), p.changes.map((c) => c.address), "independent of declaration order");
});

t.test("an output that mirrors a known input is known at plan time", async (t) => {
  const w = new World();
  const p = await w.plan(stack([net(), web({ networks: [{ network: ref("network.app", "name") }] })]));
  t.same(change(p, "container.web").after?.props.networks, [{ network: "app-net" }], "the network's name is resolved before it exists");
  t.same(change(p, "network.app").after?.outputs.name, "app-net");
  t.same(change(p, "network.app").after?.outputs.id, { $unknown: true }, "the id is still known only after apply");
});
