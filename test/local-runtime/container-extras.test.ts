import t from "tap";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { makeHarness, type Harness } from "./harness.js";
import { containerLogs, execCollect } from "../../src/providers/local-runtime/container/container-ops.js";
import type { ContainerSpec } from "../../src/graph/specs.js";

let h: Harness;
t.before(async () => { h = await makeHarness("infra-d3-extras-"); });
t.teardown(() => h.cleanup());

async function runToEnd(spec: Omit<ContainerSpec, "image">) {
  const c = await h.manager.create({ image: "busybox", networkMode: "none", ...spec });
  await h.manager.start(c.id);
  await h.manager.waitExit(c.id, 20000);
  return { rec: h.manager.get(c.id), out: (await containerLogs(h.manager, c.id, {})).map((l) => l.text).join("\n") };
}

t.test("tmpfs: mounted with its size and mode, full at the limit, gone with the container", async (t) => {
  const r = await runToEnd({
    name: "tmpfs1", command: ["sh", "-c", "grep ' /scratch ' /proc/mounts; stat -c %a /scratch; dd if=/dev/zero of=/scratch/big bs=1024 count=2048 2>&1 | tail -1; echo small > /scratch/ok && cat /scratch/ok"],
    mounts: [{ type: "tmpfs", target: "/scratch", tmpfsSize: 1024 * 1024 }, { type: "tmpfs", target: "/ro", readOnly: true }],
  });
  t.match(r.out, /^tmpfs \/scratch tmpfs rw,nosuid,nodev,.*size=1024k/m, "tmpfs of 1 MiB");
  t.match(r.out, /^1777$/m, "mode 1777 by default");
  t.match(r.out, /No space left on device/, "writes stop at the size");
  const ro = await runToEnd({ name: "tmpfs2", command: ["sh", "-c", "touch /ro/x 2>&1; grep ' /ro ' /proc/mounts"], mounts: [{ type: "tmpfs", target: "/ro", readOnly: true }] });
  t.match(ro.out, /Read-only file system/);
  t.match(ro.out, /tmpfs \/ro tmpfs ro,/);
});

t.test("volumes-from: named, anonymous and bind mounts of the donor, read-only on request, tmpfs not shared", async (t) => {
  const bindDir = join(h.dir, "bindsrc");
  await mkdir(bindDir);
  await writeFile(join(bindDir, "host.txt"), "from-host\n");
  await runToEnd({
    name: "donor", command: ["sh", "-c", "echo named > /data/n.txt; echo anon > /anon/a.txt; echo tmp > /t/x"],
    mounts: [{ type: "volume", source: "vf-named", target: "/data" }, { type: "volume", target: "/anon" }, { type: "bind", source: bindDir, target: "/b" }, { type: "tmpfs", target: "/t" }],
  });
  const rw = await runToEnd({ name: "taker", volumesFrom: [{ container: "donor" }], command: ["sh", "-c", "cat /data/n.txt /anon/a.txt /b/host.txt; ls /t 2>&1 | head -1; echo more >> /data/n.txt && echo wrote"] });
  t.equal(rw.out.split("\n").slice(0, 3).join("\n"), "named\nanon\nfrom-host");
  t.match(rw.out, /No such file|^$/m, "the donor's tmpfs is not shared");
  t.match(rw.out, /wrote/);
  const ro = await runToEnd({ name: "taker-ro", volumesFrom: [{ container: "donor", readOnly: true }], command: ["sh", "-c", "cat /data/n.txt; echo x >> /data/n.txt 2>&1; echo x > /b/new 2>&1; true"] });
  t.match(ro.out, /^named\nmore$/m, "sees the other container's write");
  t.equal((ro.out.match(/Read-only file system/g) ?? []).length, 2, "volume and bind are read-only");
  t.notOk(existsSync(join(bindDir, "new")));
  t.same(h.manager.volumeUsers("vf-named").sort(), ["donor", "taker", "taker-ro"], "the volume counts as used by all three");
  await t.rejects(h.manager.create({ name: "orphan", image: "busybox", volumesFrom: [{ container: "nosuch" }] }), { code: "INFRA_RUNTIME_CONTAINER_NOT_FOUND" });
});

t.test("stop uses the spec's stop timeout and stop signal", async (t) => {
  const c = await h.manager.create({ name: "stubborn2", image: "busybox", networkMode: "none", stopTimeout: 1, command: ["sh", "-c", "trap '' TERM; while true; do sleep 0.1; done"] });
  await h.manager.start(c.id);
  const t0 = Date.now();
  const s = await h.manager.stop(c.id);
  const took = Date.now() - t0;
  t.equal(s.exitCode, 137, "killed after the timeout");
  t.ok(took >= 900 && took < 5000, `took ${took} ms (spec says 1 s; the default would be 10 s)`);
  const u = await h.manager.create({ name: "usr1", image: "busybox", networkMode: "none", stopSignal: "SIGUSR1", command: ["sh", "-c", "trap 'exit 42' USR1; while true; do sleep 0.1; done"] });
  await h.manager.start(u.id);
  await new Promise((r) => setTimeout(r, 300));
  t.equal((await h.manager.stop(u.id)).exitCode, 42, "stopped by the spec's signal");
});

t.test("the engine's cgroup parent is removed a moment after its last container, and only its own", async (t) => {
  const other = await makeHarness("infra-d3-cg-");
  t.teardown(() => other.cleanup());
  const a = await h.manager.create({ name: "cg-a", image: "busybox", networkMode: "none", command: ["sleep", "300"] });
  const b = await other.manager.create({ name: "cg-b", image: "busybox", networkMode: "none", command: ["sleep", "300"] });
  const ra = await h.manager.start(a.id);
  const rb = await other.manager.start(b.id);
  const parentsA = [...new Set(Object.values(ra.cgroupDirs ?? {}).map((d) => dirname(d)))].filter((d) => existsSync(d));
  const parentsB = [...new Set(Object.values(rb.cgroupDirs ?? {}).map((d) => dirname(d)))].filter((d) => existsSync(d));
  t.ok(parentsA.length > 0 && parentsB.length > 0, `parents exist: ${parentsA.join(", ")}`);
  t.ok(parentsA.every((p) => p.endsWith(h.layout.cgroupParent)));
  // Remove everything the first engine has: its parents go, the other engine's stay.
  for (const c of h.manager.list(true)) await h.manager.remove(c.id, { force: true });
  t.ok(parentsA.some((p) => existsSync(p)), "kept for the next container of a back-to-back run");
  await new Promise((r) => setTimeout(r, 1500));
  t.same(parentsA.filter((p) => existsSync(p)), [], "no empty infra-<hash> directories left after a second without containers");
  t.same(parentsB.filter((p) => !existsSync(p)), [], "the other engine's parents untouched");
  t.equal((await execCollect(other.manager, b.id, { cmd: ["true"] })).exitCode, 0, "the other engine's container still runs");
});
