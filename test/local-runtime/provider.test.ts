import t from "tap";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { randomBytes } from "node:crypto";
import { createLocalRuntimeProvider } from "../../src/providers/local-runtime/local-runtime-provider.js";
import { resolveLayout } from "../../src/providers/local-runtime/layout.js";
import { removeCgroupParent } from "../../src/providers/local-runtime/container/cgroups.js";
import { runCommand } from "../../src/providers/local-runtime/host/run-command.js";
import { providerConformance } from "../providers/conformance.js";
import { waitFor } from "./harness.js";

// The engine these start must not create host bridges or nftables tables.
process.env.INFRA_ENGINE_NETWORK = "off";
const entry = fileURLToPath(new URL("../../src/providers/local-runtime/engine/engine-entry.ts", import.meta.url));
const prefix = `lrc${randomBytes(3).toString("hex")}`;
let n = 0;

const dir = await mkdtemp(join(tmpdir(), "infra-prov-"));
const layout = resolveLayout({ root: join(dir, "root"), run: join(dir, "run") });
const opts = { root: layout.root, run: layout.run, entry, execArgv: ["--import", "tsx"] };

t.teardown(async () => {
  const pid = Number(await readFile(layout.enginePidFile, "utf8").catch(() => "0"));
  if (pid > 0) {
    process.kill(pid, "SIGTERM");
    await waitFor(async () => !(await stat(layout.engineSocket).then(() => true, () => false)), 5000);
  }
  const ls = await runCommand("runc", ["--root", layout.runcRoot, "list", "-q"]);
  for (const id of ls.stdout.split("\n").filter(Boolean)) await runCommand("runc", ["--root", layout.runcRoot, "delete", "--force", id]);
  const mounts = (await readFile("/proc/self/mountinfo", "utf8")).split("\n").map((l) => l.split(" ")[4] ?? "").filter((m) => m.startsWith(dir)).reverse();
  for (const m of mounts) await runCommand("umount", ["-l", m]);
  await removeCgroupParent(layout.cgroupParent, await readFile("/proc/self/cgroup", "utf8"));
  await rm(dir, { recursive: true, force: true });
});

await providerConformance(t, "local-runtime", async () => ({ provider: await createLocalRuntimeProvider(opts), cleanup: async () => undefined }), {
  types: ["container", "volume", "image"],
  discoverTypes: ["container", "volume"],
  sampleProps(type) {
    n++;
    if (type === "container") return { name: `${prefix}-c${n}`, image: "busybox", command: ["sleep", "300"], networkMode: "none", stopTimeout: 1 };
    if (type === "volume") return { name: `${prefix}-v${n}`, driver: "local" };
    return { name: "busybox", keepLocally: false };
  },
});

t.test("read reports drift: stopped outside infra, removed outside infra", async (t) => {
  const p = await createLocalRuntimeProvider(opts);
  const props = { name: `${prefix}-drift`, image: "busybox", command: ["sleep", "300"], networkMode: "none", labels: { app: "x" } };
  const owner = { stack: "s1", address: "container.drift" };
  const c = await p.create({ type: "container", address: owner.address, props, owner });
  t.equal(c.outputs.status, "running");
  t.same(c.props.labels, { app: "x" }, "owner labels are not reported as user labels");
  const { EngineClient } = await import("../../src/providers/local-runtime/engine/engine-client.js");
  const client = new EngineClient(layout.engineSocket);
  const raw = await client.call<{ spec: { labels: Record<string, string> } }>("GET", `/containers/${c.id}`);
  t.same(raw.spec.labels, { app: "x", "infra.stack": "s1", "infra.address": "container.drift" }, "labelled with stack and address");
  await client.call("POST", `/containers/${c.id}/stop?t=1`);
  const r = await p.read({ type: "container", address: owner.address, id: c.id, props, outputs: c.outputs });
  t.equal(r.outputs.status, "exited", "stopped outside infra shows in status");
  await client.call("DELETE", `/containers/${c.id}?force=1`);
  await t.rejects(p.read({ type: "container", address: owner.address, id: c.id, props, outputs: c.outputs }), { category: "NotFound" });
  const u = await p.create({ type: "container", address: "container.upd", props: { ...props, name: `${prefix}-upd`, resources: { memory: 32 * 1024 * 1024 } }, owner });
  const d = await p.diff({ type: "container", address: "x", id: u.id, priorProps: u.props, priorOutputs: u.outputs, desiredProps: { ...u.props, resources: { memory: 48 * 1024 * 1024 }, image: "localhost/busybox:latest" } });
  t.same(d.changed, ["image", "resources"]);
  t.same(d.replace, ["image"], "image forces replacement, resources do not");
  await p.delete({ type: "container", address: "container.upd", id: u.id, props: u.props, outputs: u.outputs });
});
