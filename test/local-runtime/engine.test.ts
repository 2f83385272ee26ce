import t from "tap";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { spawnedEngine } from "./spawned-engine.js";
import type { EngineClient } from "../../src/providers/local-runtime/engine/engine-client.js";
import type { ContainerRecord } from "../../src/providers/local-runtime/container/container-record.js";
import { runCommand } from "../../src/providers/local-runtime/host/run-command.js";
import { waitFor } from "./harness.js";

// The engine these start must not create host bridges or nftables tables.
process.env.INFRA_ENGINE_NETWORK = "off";

t.test("engine restart re-adopts running containers; always containers come back", async (t) => {
  const { layout, ensure, stop: stopEngine } = await spawnedEngine(t, "infra-eng-");
  let client: EngineClient = await ensure();
  t.equal((await stat(layout.engineSocket)).mode & 0o777, 0o600, "socket is root-only");
  await client.call("POST", "/containers", { name: "survivor", image: "busybox", networkMode: "none", command: ["sleep", "300"] });
  await client.call("POST", "/containers/survivor/start");
  await client.call("POST", "/containers", { name: "phoenix", image: "busybox", networkMode: "none", command: ["sleep", "300"], restart: { policy: "always" } });
  const ph = await client.call<ContainerRecord>("POST", "/containers/phoenix/start");
  await t.rejects(client.call("POST", "/containers", { name: "survivor", image: "busybox" }), { category: "AlreadyExists" });
  // --pull never: a short name not stored is not asked of Docker Hub (out of reach here).
  await t.rejects(client.call("POST", "/containers?pull=never", { name: "x", image: "nosuch:image" }), { category: "NotFound", code: "INFRA_RUNTIME_IMAGE_NOT_FOUND" });
  await t.rejects(client.call("POST", "/containers?pull=sometimes", { name: "x", image: "busybox" }), { category: "Invalid", code: "INFRA_RUNTIME_BAD_PULL_POLICY" });

  await stopEngine();
  // While no engine runs: the container stays up; phoenix's process dies.
  const st = await runCommand("runc", ["--root", layout.runcRoot, "state", (await readFile(join(layout.containersDir, ph.id, "container.json"), "utf8")).match(/"id": "(\w+)"/)![1]!]);
  t.match(st.stdout, /"status": "running"/);
  process.kill(ph.pid!, "SIGKILL");
  await waitFor(async () => (await stat(join(layout.exitDir, ph.id)).then(() => true, () => false)), 5000);

  client = await ensure();
  const s = await client.call<ContainerRecord>("GET", "/containers/survivor");
  t.equal(s.state, "running", "re-adopted");
  t.ok(await waitFor(async () => {
    const p = await client.call<ContainerRecord>("GET", "/containers/phoenix");
    return p.state === "running" && p.pid !== ph.pid;
  }, 10000), "always-container came back after the engine started", { record: await client.call<ContainerRecord>("GET", "/containers/phoenix") });
  const ex = await client.call<{ exitCode: number; stdout: string }>("POST", "/containers/survivor/exec", { cmd: ["sh", "-c", "echo alive; exit 4"] });
  t.same([ex.exitCode, ex.stdout.trim()], [4, "alive"]);
  const stopped = await client.call<ContainerRecord>("POST", "/containers/survivor/stop?t=1");
  t.equal(stopped.state, "exited");
  const ping = await client.call<{ rssBytes: number }>("GET", "/ping");
  t.ok(ping.rssBytes < 150 * 1024 * 1024, `engine RSS ${Math.round(ping.rssBytes / 1048576)} MB`);
});
