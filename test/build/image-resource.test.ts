import t from "tap";
import { mkdtemp, mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { randomBytes } from "node:crypto";
import { createLocalRuntimeProvider } from "../../src/providers/local-runtime/local-runtime-provider.js";
import { resolveLayout } from "../../src/providers/local-runtime/layout.js";
import { removeCgroupParent } from "../../src/providers/local-runtime/container/cgroups.js";
import { runCommand } from "../../src/providers/local-runtime/host/run-command.js";
import { EngineClient } from "../../src/providers/local-runtime/engine/engine-client.js";
import { hashBuildContext } from "../../src/dsl/loader/host-inputs.js";

// The engine these start must not create host bridges or nftables tables.
process.env.INFRA_ENGINE_NETWORK = "off";
const entry = fileURLToPath(new URL("../../src/providers/local-runtime/engine/engine-entry.ts", import.meta.url));
const dir = await mkdtemp(join(tmpdir(), "infra-imgres-"));
const layout = resolveLayout({ root: join(dir, "root"), run: join(dir, "run") });
const opts = { root: layout.root, run: layout.run, entry, execArgv: ["--import", "tsx"] };
const name = `localhost/ir${randomBytes(3).toString("hex")}:1`;

t.teardown(async () => {
  const pid = Number(await readFile(layout.enginePidFile, "utf8").catch(() => "0"));
  if (pid > 0) {
    process.kill(pid, "SIGTERM");
    for (let i = 0; i < 100 && (await stat(layout.engineSocket).then(() => true, () => false)); i++) await new Promise((r) => setTimeout(r, 50));
  }
  const ls = await runCommand("runc", ["--root", layout.runcRoot, "list", "-q"]);
  for (const id of ls.stdout.split("\n").filter(Boolean)) await runCommand("runc", ["--root", layout.runcRoot, "delete", "--force", id]);
  const mounts = (await readFile("/proc/self/mountinfo", "utf8")).split("\n").map((l) => l.split(" ")[4] ?? "").filter((m) => m.startsWith(dir)).reverse();
  for (const m of mounts) await runCommand("umount", ["-l", m]);
  await removeCgroupParent(layout.cgroupParent, await readFile("/proc/self/cgroup", "utf8"));
  await rm(dir, { recursive: true, force: true });
});

t.test("Image with build: create builds, read sees drift, a context change replaces it", async (t) => {
  const ctx = join(dir, "ctx");
  await mkdir(ctx);
  await writeFile(join(ctx, "Dockerfile"), "FROM busybox\nCOPY page.html /www/index.html\nCMD [\"httpd\", \"-f\", \"-h\", \"/www\"]\n");
  await writeFile(join(ctx, "page.html"), "v1\n");
  const build = { context: ctx, dockerfile: "Dockerfile", contextHash: await hashBuildContext(ctx, "Dockerfile", { args: null, target: null }) };
  const props = { name, build };
  const p = await createLocalRuntimeProvider(opts);
  const owner = { stack: "s", address: "image.web" };
  const created = await p.create({ type: "image", address: owner.address, props, owner });
  t.match(created.outputs, { id: /^sha256:/, digest: /^sha256:/, name });
  const read = await p.read({ type: "image", address: owner.address, id: created.id, props, outputs: created.outputs });
  t.equal(read.id, created.id, "read finds the built image");
  t.same(p.diff({ type: "image", address: owner.address, priorProps: props, desiredProps: props }).changed, [], "same context: no change");

  await writeFile(join(ctx, "page.html"), "v2\n");
  const build2 = { ...build, contextHash: await hashBuildContext(ctx, "Dockerfile", { args: null, target: null }) };
  const d = p.diff({ type: "image", address: owner.address, priorProps: props, desiredProps: { name, build: build2 } });
  t.same(d.replace, ["build"], "a changed context replaces the image (and so its containers)");
  const rebuilt = await p.create({ type: "image", address: owner.address, props: { name, build: build2 }, owner });
  t.not(rebuilt.id, created.id);
  await p.delete({ type: "image", address: owner.address, id: created.id, props, outputs: created.outputs });
  const still = await p.read({ type: "image", address: owner.address, id: rebuilt.id, props: { name, build: build2 }, outputs: rebuilt.outputs });
  t.equal(still.id, rebuilt.id, "deleting the replaced image leaves the name on the new one");

  const client = new EngineClient(layout.engineSocket);
  await client.call("DELETE", `/images/${encodeURIComponent(name)}`);
  await t.rejects(p.read({ type: "image", address: owner.address, id: rebuilt.id, props: { name, build: build2 }, outputs: rebuilt.outputs }), { category: "NotFound" }, "removed outside infra: drift");
});

t.test("a broken Dockerfile fails create with its line", async (t) => {
  const ctx = join(dir, "bad");
  await mkdir(ctx);
  await writeFile(join(ctx, "Dockerfile"), "FROM busybox\nFROBNICATE x\n");
  const p = await createLocalRuntimeProvider(opts);
  await t.rejects(p.create({ type: "image", address: "image.bad", props: { name: "localhost/bad:1", build: { context: ctx, dockerfile: "Dockerfile" } }, owner: { stack: "s", address: "image.bad" } }), { category: "Invalid", message: /Dockerfile:2/ });
});
