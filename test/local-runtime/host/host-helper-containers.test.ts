/**
 * The container manager with the engine's infra-host: the overlay root mounted and unmounted by
 * it; a `--network none` container in a namespace it pinned (lo only), gone at the exit; a bridge
 * container of an engine without networking keeps its pinned namespace until rm. Root only.
 */
import t from "tap";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readlinkSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ContainerManager } from "../../../src/providers/local-runtime/container/container-manager.js";
import { HostHelper, findHostHelper } from "../../../src/providers/local-runtime/host/host-helper.js";
import { containerPaths } from "../../../src/providers/local-runtime/layout.js";
import { hostHardLimits } from "../../../src/providers/local-runtime/host/rlimits.js";
import { makeHarness, waitFor } from "../harness.js";

if (process.getuid?.() !== 0) {
  t.plan(0, "needs root");
  process.exit(0);
}

const repo = fileURLToPath(new URL("../../../", import.meta.url));
const mounted = (path: string) => readFileSync("/proc/self/mountinfo", "utf8").split("\n").some((l) => l.split(" ")[4] === path);

t.test("rootfs and namespaces through the helper", async (t) => {
  const r = spawnSync("make", ["-s", "-C", join(repo, "native"), "../dist/native/infra-host"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`building infra-host failed: ${r.stderr}`);
  const helper = new HostHelper(findHostHelper({})!);
  const h = await makeHarness("infra-hh-");
  const manager = new ContainerManager({ layout: h.layout, images: h.images, volumes: h.volumes, hostHardLimits: hostHardLimits(), hostHelper: helper });
  await manager.init();
  t.teardown(async () => {
    for (const c of manager.list(true)) await manager.remove(c.id, { force: true }).catch(() => undefined);
    await manager.close();
    helper.close();
    await h.cleanup();
  });

  const none = await manager.create({ name: "none", image: "busybox", command: ["sh", "-c", "cat /proc/net/dev; sleep 30"], networkMode: "none" });
  const run = await manager.start(none.id);
  const ns = join(h.layout.run, "netns", none.id);
  t.equal(run.netnsPath, ns, "a namespace pinned by the engine, not one runc makes");
  t.equal(readlinkSync(`/proc/${run.pid}/ns/net`), `net:[${statSync(ns).ino}]`, "the container runs in it");
  t.ok(mounted(containerPaths(h.layout, none.id).rootfs), "rootfs mounted by the helper");
  const devs = () => readFileSync(containerPaths(h.layout, none.id).log, "utf8").split("\n").filter((l) => /^\S+ stdout \S+ +\w+:/.test(l)).map((l) => l.split(/\s+/)[3]);
  await waitFor(() => devs().length > 0, 5000);
  t.same(devs(), ["lo:"], "loopback only");
  await manager.kill(none.id);
  t.ok(await manager.waitExit(none.id, 10000));
  t.notOk(existsSync(ns), "its namespace went at the exit");
  t.notOk(mounted(containerPaths(h.layout, none.id).rootfs), "rootfs unmounted");
  await manager.start(none.id);
  t.ok(existsSync(ns), "a restart pins a new one");
  await manager.remove(none.id, { force: true });
  t.notOk(existsSync(ns), "rm removes it");

  // No NetworkManager (networking off): the bridge container's namespace stays until rm.
  const br = await manager.create({ name: "br", image: "busybox", command: ["true"] });
  await manager.start(br.id);
  t.ok(await manager.waitExit(br.id, 10000));
  const brNs = join(h.layout.run, "netns", br.id);
  t.ok(mounted(brNs), "pinned and kept after the exit");
  t.notOk(mounted(containerPaths(h.layout, br.id).rootfs), "rootfs unmounted");
  await manager.remove(br.id);
  t.notOk(existsSync(brNs), "gone with rm");
});
