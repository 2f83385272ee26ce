import t from "tap";
import { listResources, moveResource, removeResource, showResource } from "../../src/state/state-ops.js";
import { emptyState, type ResourceState, type StateFile } from "../../src/state/state-types.js";

const r = (address: string, deps: string[] = []): ResourceState => ({
  address,
  type: address.split(".")[0] as ResourceState["type"],
  provider: "memory",
  id: `id-${address}`,
  props: { name: address },
  outputs: {},
  dependencies: deps,
  options: {},
  updatedAt: "",
});
const state = (): StateFile => ({ ...emptyState("s", "l", "0"), serial: 4, resources: [r("network.n"), r("container.web", ["network.n"]), r("container.db")] });

t.test("list and show", async (t) => {
  t.same(listResources(state()).map((x) => x.address), ["container.db", "container.web", "network.n"]);
  t.same(listResources(undefined), []);
  t.equal(showResource(state(), "container.web").id, "id-container.web");
  t.throws(() => showResource(state(), "container.nope"), { code: "INFRA_STATE_UNKNOWN_ADDRESS", detail: /container\.db/ });
  t.throws(() => showResource(undefined, "x.y"), { code: "INFRA_STATE_UNKNOWN_ADDRESS" });
});

t.test("rm forgets one address and bumps the serial, leaving the input alone", async (t) => {
  const s = state();
  const next = removeResource(s, "container.db");
  t.same(next.resources.map((x) => x.address), ["network.n", "container.web"]);
  t.equal(next.serial, 5);
  t.equal(s.resources.length, 3, "input unchanged");
  t.throws(() => removeResource(s, "container.nope"), { code: "INFRA_STATE_UNKNOWN_ADDRESS" });
});

t.test("mv renames an address and the dependencies on it", async (t) => {
  const next = moveResource(state(), "network.n", "network.front");
  t.same(next.resources.map((x) => x.address), ["network.front", "container.web", "container.db"]);
  t.same(next.resources[1]?.dependencies, ["network.front"]);
  t.equal(next.serial, 5);
  t.throws(() => moveResource(state(), "network.n", "container.db"), { code: "INFRA_STATE_DUPLICATE_ADDRESS" });
  t.throws(() => moveResource(state(), "network.x", "network.y"), { code: "INFRA_STATE_UNKNOWN_ADDRESS" });
  t.throws(() => moveResource(state(), "network.n", "volume.n"), { code: "INFRA_STATE_BAD_ADDRESS" });
});
