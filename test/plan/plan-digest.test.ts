// The plan digest: canonical, covering every change and what the plan was made against, salted.
import t from "tap";
import { ref } from "../../src/graph/value.js";
import { canonicalJson, planDigest } from "../../src/plan/plan-digest.js";
import type { Plan } from "../../src/plan/plan-types.js";
import { res, stack, World } from "./fixtures/stack-builder.js";

const g = stack([
  res("network", "app", { name: "app-net", driver: "bridge" }),
  res("container", "web", { name: "web", image: "busybox", command: ["httpd", "-f"], networks: [{ network: ref("network.app", "id") }], restart: { policy: "no" } }),
]);

t.test("canonical JSON: RFC 8785 member order, no whitespace, every own member", async (t) => {
  t.equal(canonicalJson({ b: 1, a: [true, null, "x"], c: { z: 1, y: 2 } }), '{"a":[true,null,"x"],"b":1,"c":{"y":2,"z":1}}');
  t.equal(canonicalJson({ b: 1, a: 2 }), canonicalJson({ a: 2, b: 1 }), "key order does not matter");
  // JSON.stringify would put integer-like names first ("9" before "10"); code-unit order puts "10" first.
  t.equal(canonicalJson({ "9": 0, "10": 0, a: 0 }), '{"10":0,"9":0,"a":0}');
  t.equal(canonicalJson({ "é": 1, z: 2, Z: 3 }), '{"Z":3,"z":2,"é":1}');
  t.equal(canonicalJson({ a: undefined, b: 1 }), '{"b":1}', "undefined members are left out");
  t.equal(canonicalJson({ s: "line\n\"q\"\u2028" }), '{"s":"line\\n\\"q\\"\u2028"}');
  t.equal(canonicalJson([1e21, 0.1, -0]), "[1e+21,0.1,0]");
  const smuggled = JSON.parse('{"a":1,"__proto__":{"command":["evil"]}}') as unknown;
  t.equal(canonicalJson(smuggled), '{"__proto__":{"command":["evil"]},"a":1}', "a __proto__ member is digested like any other");
  t.throws(() => canonicalJson({ n: Infinity }), /no form/);
});

t.test("the digest is stable, and every part of every change moves it", async (t) => {
  const w = new World();
  const plan = await w.plan(g);
  t.match(plan.digest, /^sha256:[0-9a-f]{64}$/);
  t.equal(planDigest(plan), plan.digest, "recomputed from the plan");
  t.equal(planDigest(structuredClone(plan)), plan.digest, "from a copy");
  t.equal(planDigest({ ...plan, createdAt: "2000-01-01T00:00:00.000Z", infraVersion: "9.9.9", drift: [], diagnostics: [] } as Plan), plan.digest, "time, version and reports are not covered");

  const edits: Array<[string, (p: Plan) => void]> = [
    ["a command", (p) => (p.changes[1]!.after!.props.command = ["sh", "-c", "evil"])],
    ["an image", (p) => (p.changes[1]!.after!.props.image = "evil")],
    ["an action", (p) => (p.changes[0]!.action = "noop")],
    ["an address", (p) => (p.changes[0]!.address = "network.other")],
    ["a reason", (p) => (p.changes[0]!.reasons = [{ code: "replace_by_request" }])],
    ["a replacement marker", (p) => (p.changes[1]!.attributes[0]!.forcesReplacement = !p.changes[1]!.attributes[0]!.forcesReplacement)],
    ["an unknown marker", (p) => (p.changes[1]!.after!.props.networks = [{ network: "app-net" }])],
    ["the before side", (p) => (p.changes[0]!.before = { id: "x", props: {}, outputs: {} })],
    ["the prior serial", (p) => (p.prior.serial += 1)],
    ["the prior lineage", (p) => (p.prior.lineage = "other")],
    ["the stack's graph", (p) => (p.graphHash = "sha256:" + "0".repeat(64))],
    ["the stack file", (p) => (p.source.files = ["/elsewhere/infra.ts"])],
    ["the state path", (p) => (p.source.state = "/elsewhere/state.json")],
    ["the options", (p) => (p.options.targets = ["container.web"])],
    ["an output", (p) => p.outputs.push({ name: "x", action: "create", after: "y", sensitive: false })],
    ["the order of changes", (p) => p.changes.reverse()],
    ["the nonce", (p) => (p.nonce = "0".repeat(64))],
  ];
  for (const [what, edit] of edits) {
    const copy = structuredClone(plan);
    edit(copy);
    t.not(planDigest(copy), plan.digest, `${what} changes the digest`);
  }
});

t.test("each plan gets its own salt, so a published digest cannot confirm a guessed secret", async (t) => {
  const w = new World();
  const a = await w.plan(g);
  const b = await w.plan(g);
  t.not(a.nonce, b.nonce);
  t.not(a.digest, b.digest, "same changes, different salt");
  t.equal(planDigest({ ...b, nonce: a.nonce }), a.digest, "same changes, same salt: same digest");
});
