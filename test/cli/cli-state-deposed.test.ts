// `infra state list|show` on a state that holds deposed objects, written by hand as an
// interrupted create-before-delete replacement leaves it.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { runCli, tempDir } from "./fixtures/run-cli.js";

const DEPOSED_ID = "3f2a7b1c9d0e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a";

const object = (address: string, type: string, id: string, props: Record<string, unknown>, dependencies: string[] = []) => ({
  address,
  type,
  provider: "local-runtime",
  id,
  props,
  outputs: {},
  dependencies,
});

function writeState(cwd: string): string {
  const state = {
    formatVersion: 1,
    lineage: "4a6c9c1e-0000-4000-8000-00000000c2d0",
    serial: 3,
    stack: "app",
    infraVersion: "0.1.0",
    resources: [
      { ...object("network.backend", "network", "net-backend", { name: "app-backend" }), options: {}, updatedAt: "2026-01-02T03:00:00.000Z" },
      { ...object("container.web", "container", "0a1b2c3d4e5f", { image: "nginx:1.27" }, ["network.backend"]), options: {}, updatedAt: "2026-01-02T03:04:00.000Z" },
    ],
    outputs: {},
    deposed: [
      { ...object("container.web", "container", DEPOSED_ID, { image: "nginx:1.26", env: { TOKEN: { $secret: "deposed-token-value" } } }, ["network.backend"]), deposedAt: "2026-01-02T03:03:00.000Z" },
      // Its current object already destroyed: the address holds only the deposed one.
      { ...object("volume.cache", "volume", "app-cache-old", { name: "app-cache-old" }), deposedAt: "2026-01-02T03:03:30.000Z" },
      // Names the current object: not a leftover (see pendingDeposed), so never shown as one.
      { ...object("network.backend", "network", "net-backend", { name: "app-backend" }), deposedAt: "2026-01-02T02:59:00.000Z" },
    ],
  };
  mkdirSync(join(cwd, ".infra"));
  const file = join(cwd, ".infra", "app.state.json");
  writeFileSync(file, JSON.stringify(state, null, 2) + "\n");
  return file;
}

t.test("state list marks addresses with deposed objects", async (t) => {
  const cwd = tempDir(t, "deposed-list");
  const file = writeState(cwd);
  const before = readFileSync(file, "utf8");
  const r = await runCli(["-p", "app", "state", "list"], { cwd });
  t.equal(r.code, 0, r.stderr);
  t.equal(
    r.stdout,
    [
      "container.web    local-runtime  0a1b2c3d4e5f  (1 deposed)",
      "network.backend  local-runtime  net-backend",
      "volume.cache     local-runtime  -             (1 deposed)",
      "",
    ].join("\n"),
  );
  t.equal(r.stderr, "");
  t.equal(readFileSync(file, "utf8"), before, "the state file is left as it was");
});

t.test("state show lists the current object, then its deposed ones", async (t) => {
  const cwd = tempDir(t, "deposed-show");
  writeState(cwd);
  const r = await runCli(["-p", "app", "state", "show", "container.web", "--no-color"], { cwd });
  t.equal(r.code, 0, r.stderr);
  const current = r.stdout.indexOf("# container.web:\n");
  const deposed = r.stdout.indexOf("# container.web (deposed object 3f2a7b1c9d0e):\n");
  t.ok(current === 0 && deposed > current, "current block first, then the deposed one");
  t.match(r.stdout, /^ {4}id += "0a1b2c3d4e5f"$/m);
  t.match(r.stdout, new RegExp(`^ {4}id += "${DEPOSED_ID}"$`, "m"), "the deposed object's whole id");
  t.match(r.stdout, /^# left over from a partially-failed replacement \(deposed 2026-01-02T03:03:00\.000Z\); the next `infra apply` destroys it$/m);
  t.notOk(r.stdout.includes("deposed-token-value"), "secret hidden");

  const only = await runCli(["-p", "app", "state", "show", "volume.cache", "--no-color"], { cwd });
  t.equal(only.code, 0, only.stderr);
  t.match(only.stdout, /^# volume\.cache \(deposed object app-cache-old\):\nresource "volume" "cache" \{\n/);
  t.equal(only.stdout.match(/^# volume\.cache/gm)?.length, 1, "one block: no current object");

  const plain = await runCli(["-p", "app", "state", "show", "network.backend", "--no-color"], { cwd });
  t.equal(plain.code, 0, plain.stderr);
  t.notMatch(plain.stdout, /deposed/, "a record naming the current object is no leftover");

  const missing = await runCli(["-p", "app", "state", "show", "container.nope"], { cwd });
  t.equal(missing.code, 1);
  t.match(missing.stderr, /INFRA_STATE_UNKNOWN_ADDRESS/);
  t.equal(missing.stdout, "");
});
