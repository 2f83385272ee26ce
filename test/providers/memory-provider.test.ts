import t, { type Test } from "tap";
import type { ResourceType } from "../../src/graph/resource.js";
import type { Props } from "../../src/graph/value.js";
import { isProviderError } from "../../src/providers/contract.js";
import { MemoryProvider } from "../../src/providers/memory/memory-provider.js";
import { diffProps } from "../../src/providers/schema/diff-props.js";
import { RESOURCE_SCHEMAS } from "../../src/providers/schema/resource-schemas.js";
import { providerConformance } from "./conformance.js";

let n = 0;
const sample = (type: ResourceType): Props => {
  n += 1;
  switch (type) {
    case "container":
      return { name: `conf-c${n}`, image: "busybox", command: ["sleep", "1"], restart: { policy: "no" }, labels: { a: "1" } };
    case "network":
      return { name: `conf-n${n}`, driver: "bridge", subnet: "10.250.0.0/24" };
    case "volume":
      return { name: `conf-v${n}`, driver: "local" };
    case "image":
      return { name: `localhost/conf${n}:latest`, pull: "never" };
  }
};

await providerConformance(t, "memory", async () => ({ provider: new MemoryProvider(), cleanup: async () => {} }), {
  types: ["container", "network", "volume", "image"],
  sampleProps: sample,
});

t.test("diffProps: update vs replace, unknowns, secrets, removed attributes", async (t) => {
  const c = RESOURCE_SCHEMAS.container;
  t.same(diffProps(c, { image: "a", restart: { policy: "no" } }, { image: "a", restart: { policy: "always" } }), { changed: ["restart"], replace: [], unknownOutputs: [] }, "a restart policy change leaves the addresses known");
  t.same(diffProps(c, { image: "a", networks: [{ network: "n1" }] }, { image: "a", networks: [{ network: "n2" }] }), { changed: ["networks"], replace: [], unknownOutputs: ["ipAddress", "ipAddresses"] }, "a network change makes them unknown");
  t.same(diffProps(c, { image: "a" }, { image: "b" }), { changed: ["image"], replace: ["image"], unknownOutputs: [] });
  t.same(diffProps(c, { image: "a" }, { image: { $unknown: true } }).replace, ["image"]);
  t.same(diffProps(c, { env: { A: "x" } }, { env: { $secret: { A: "x" } } }).changed, [], "a secret equals its value");
  t.same(diffProps(c, { image: "a", user: "me" }, { image: "a" }), { changed: ["user"], replace: ["user"], unknownOutputs: [] }, "removal is a change");
  t.same(diffProps(c, { image: "a" }, { image: "a", zz: 1 }).replace, ["zz"], "an attribute the schema does not know replaces (safe side)");
  t.same(diffProps(c, { image: "a", labels: null }, { image: "a" }).changed, [], "null and absent are the same");
});

async function failsWith(t: Test, p: Promise<unknown>, category: string, msg?: string): Promise<void> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  t.ok(isProviderError(e) && e.category === category, msg ?? `fails with ${category}`);
}

t.test("memory provider hooks: outputs, host ports, drift, injected failures", async (t) => {
  const p = new MemoryProvider();
  const c = await p.create({ type: "container", address: "container.a", props: { name: "a", image: "x", ports: [{ containerPort: 80, protocol: "tcp" }, { containerPort: 53, hostPort: 5353, protocol: "udp" }] }, owner: { stack: "s", address: "container.a" } });
  t.match(c.outputs.ipAddress, /^10\.88\.\d+\.\d+$/);
  t.same(c.outputs.hostPorts, { "80/tcp": 32768, "53/udp": 5353 });
  const img1 = await p.create({ type: "image", address: "image.a", props: { name: "x", build: { context: "/a", dockerfile: "D", contextHash: "1" } }, owner: { stack: "s", address: "image.a" } });
  const img2 = await p.create({ type: "image", address: "image.b", props: { name: "x", build: { context: "/a", dockerfile: "D", contextHash: "2" } }, owner: { stack: "s", address: "image.b" } });
  t.not(img1.outputs.id, img2.outputs.id, "image id follows its content");
  t.match(img1.outputs.id, /^sha256:[0-9a-f]{64}$/);
  p.simulateModify(c.id, { props: { image: "y" } });
  t.equal((await p.read({ type: "container", address: "container.a", id: c.id, props: {}, outputs: {} })).props.image, "y");
  p.failNext({ op: "read", category: "Unavailable", address: "container.a", times: 2 });
  for (let i = 0; i < 2; i++) await failsWith(t, p.read({ type: "container", address: "container.a", id: c.id, props: {}, outputs: {} }), "Unavailable");
  await t.resolves(p.read({ type: "container", address: "container.a", id: c.id, props: {}, outputs: {} }), "failures used up");
  await failsWith(t, p.create({ type: "volume", address: "volume.v", props: { name: { $unknown: true } }, owner: { stack: "s", address: "volume.v" } }), "Invalid", "unresolved props refused");
  await failsWith(t, p.update({ type: "container", address: "container.a", id: c.id, priorProps: {}, priorOutputs: {}, props: { image: "z" }, changed: ["image"], owner: { stack: "s", address: "container.a" } }), "Invalid", "replace-mode attributes cannot be updated");
  const pf = await p.preflight({ type: "container", address: "container.b", props: { ports: [{ containerPort: 1, hostPort: 5353, protocol: "udp" }] } });
  t.same(pf.map((d) => [d.code, d.value]), [["INFRA_PROVIDER_PORT_IN_USE", 5353]]);
  p.simulateDelete(c.id);
  await failsWith(t, p.read({ type: "container", address: "container.a", id: c.id, props: {}, outputs: {} }), "NotFound");
});
