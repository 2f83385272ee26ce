// `infra state list` and `infra state show` rendering, deposed objects included.
import t from "tap";
import { secret } from "../../src/graph/value.js";
import type { DeposedObject, ResourceState } from "../../src/state/state-types.js";
import { renderDeposedObject, renderResourceState, renderStateList } from "../../src/views/state-view.js";

const web: ResourceState = {
  address: "container.web",
  type: "container",
  provider: "local-runtime",
  id: "0a1b2c3d4e5f",
  props: { image: "nginx:1.27" },
  outputs: { ipAddress: "10.89.0.5" },
  dependencies: ["network.backend"],
  options: {},
  updatedAt: "2026-01-02T03:04:05.000Z",
};

const deposedWeb: DeposedObject = {
  address: "container.web",
  type: "container",
  provider: "local-runtime",
  id: "3f2a7b1c9d0e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a",
  props: { image: "nginx:1.26", env: { TOKEN: secret("deposed-secret-value") } },
  outputs: { ipAddress: "10.89.0.4" },
  dependencies: ["network.backend"],
  deposedAt: "2026-01-02T03:00:00.000Z",
};

t.test("list: columns, and addresses with deposed objects marked", async (t) => {
  const rows = [
    { address: "network.backend", provider: "local-runtime", id: "net1" },
    { address: "container.web", provider: "local-runtime", id: "0a1b2c3d4e5f" },
  ];
  t.equal(renderStateList(rows, []), "container.web    local-runtime  0a1b2c3d4e5f\nnetwork.backend  local-runtime  net1\n", "unchanged without deposed objects");
  const second = { ...deposedWeb, id: "ffff" };
  const gone = { ...deposedWeb, address: "container.old", id: "eeee" };
  t.equal(
    renderStateList(rows, [deposedWeb, second, gone]),
    [
      "container.old    local-runtime  -             (1 deposed)",
      "container.web    local-runtime  0a1b2c3d4e5f  (2 deposed)",
      "network.backend  local-runtime  net1",
      "",
    ].join("\n"),
  );
  t.equal(renderStateList([], []), "");
});

t.test("show: a deposed object with its id, when it was deposed, and no secret", async (t) => {
  const out = renderDeposedObject(deposedWeb, { color: false });
  t.equal(out.split("\n")[0], "# container.web (deposed object 3f2a7b1c9d0e):");
  t.match(out, /^ {4}id +\= "3f2a7b1c9d0e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a"$/m, "the whole id in the body");
  t.match(out, /^ {4}image +\= "nginx:1\.26"$/m);
  t.match(out, /^# left over from a partially-failed replacement \(deposed 2026-01-02T03:00:00\.000Z\); the next `infra apply` destroys it$/m);
  t.match(out, /^# depends on: network\.backend$/m);
  t.notOk(out.includes("deposed-secret-value"), "secret hidden");
  t.match(out, /TOKEN = \(sensitive value\)/);
});

t.test("show: the current object's block is unchanged", async (t) => {
  t.equal(
    renderResourceState(web, { color: false }),
    [
      "# container.web:",
      'resource "container" "web" {',
      '    id       = "0a1b2c3d4e5f"',
      '    provider = "local-runtime"',
      '    image    = "nginx:1.27"',
      "",
      "    # outputs",
      '    ipAddress = "10.89.0.5"',
      "}",
      "# depends on: network.backend",
      "",
    ].join("\n"),
  );
});
