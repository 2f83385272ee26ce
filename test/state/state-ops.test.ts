import t from "tap";
import { listResources, moveResource, removeResource, showResource } from "../../src/state/state-ops.js";
import { addDeposed, pendingDeposed, removeDeposed } from "../../src/state/deposed-objects.js";
import { emptyState, type DeposedObject, type ResourceState, type StateFile } from "../../src/state/state-types.js";

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

const deposed = (address: string, id: string, deps: string[] = []): DeposedObject => ({
  address,
  type: address.split(".")[0] as DeposedObject["type"],
  provider: "memory",
  id,
  props: {},
  outputs: {},
  dependencies: deps,
  deposedAt: "",
});

t.test("deposed objects: pending ones, added and removed, kept by rm and mv", async (t) => {
  const s = state();
  t.same(pendingDeposed(s), [], "none recorded");
  s.deposed = [deposed("network.n", "old-n"), deposed("container.web", "id-container.web", ["network.n"]), deposed("container.db", "old-db", ["network.n"])];
  t.same(pendingDeposed(s).map((d) => d.id), ["old-n", "old-db"], "a record naming the current object is not pending");
  addDeposed(s, deposed("network.n", "old-n"));
  t.equal(s.deposed.length, 3, "recording the same object twice keeps one record");
  removeDeposed(s, "network.n", "old-n");
  removeDeposed(s, "network.n", "not-there");
  t.same(s.deposed?.map((d) => d.id), ["id-container.web", "old-db"]);

  const moved = moveResource(s, "network.n", "network.front");
  t.same(moved.deposed?.map((d) => d.dependencies), [["network.front"], ["network.front"]], "mv renames dependencies of deposed objects too");
  const movedDb = moveResource(s, "container.db", "container.pg");
  t.same(movedDb.deposed?.map((d) => d.address), ["container.web", "container.pg"], "and their address");
  const removed = removeResource(s, "container.db");
  t.same(removed.deposed?.map((d) => d.id), ["id-container.web"], "rm forgets the address's deposed objects too");
  removeDeposed(removed, "container.web", "id-container.web");
  t.equal("deposed" in removed, false, "the field goes with its last record");
  t.equal(s.deposed?.length, 2, "input unchanged");
});
