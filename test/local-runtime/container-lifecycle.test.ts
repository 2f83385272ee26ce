import t from "tap";
import { makeHarness, waitFor, type Harness } from "./harness.js";
import { containerLogs, execCollect, containerStats } from "../../src/providers/local-runtime/container/container-ops.js";
import type { ContainerSpec } from "../../src/graph/specs.js";
import { containerPaths } from "../../src/providers/local-runtime/layout.js";
import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join } from "node:path";

let h: Harness;
t.before(async () => { h = await makeHarness(); });
t.teardown(() => h.cleanup());

async function runToEnd(spec: Omit<ContainerSpec, "image"> & { image?: string }, timeoutMs = 15000) {
  const c = await h.manager.create({ image: "busybox", networkMode: "none", ...spec });
  await h.manager.start(c.id);
  await h.manager.waitExit(c.id, timeoutMs);
  const rec = h.manager.get(c.id);
  const out = (await containerLogs(h.manager, c.id, {})).map((l) => l.text).join("\n");
  return { rec, out };
}

t.test("env, entrypoint and cmd merging; hostname; user by name", async (t) => {
  const a = await runToEnd({ name: "merge1", entrypoint: ["echo"], env: { FOO: "bar" } });
  t.equal(a.out, "", "an entrypoint drops the image's CMD");
  const b = await runToEnd({ name: "merge2", command: ["sh", "-c", "echo $FOO $HOSTNAME $(hostname) $(id -u):$(id -g) $PWD"], env: { FOO: "bar" }, user: "www-data", workingDir: "/tmp" });
  t.equal(b.out, "bar merge2 merge2 33:33 /tmp");
  await t.rejects(h.manager.create({ name: "merge3", image: "busybox", user: "nosuchuser", networkMode: "none" }).then((c) => h.manager.start(c.id)), { code: "INFRA_RUNTIME_UNKNOWN_USER" });
});

t.test("read-only rootfs; init runs tini as PID 1", async (t) => {
  const r = await runToEnd({ name: "ro", command: ["sh", "-c", "touch /x 2>&1; echo rc=$?"], readOnlyRootfs: true });
  t.match(r.out, /Read-only file system[\s\S]*rc=1/);
  const i = await runToEnd({ name: "init", command: ["sh", "-c", "cat /proc/1/cmdline | tr '\\0' ' '"], init: true });
  t.match(i.out, /^\/sbin\/docker-init -- sh/);
});

t.test("stop: SIGTERM ignored, SIGKILL after the timeout; kill with a signal", async (t) => {
  const c = await h.manager.create({ name: "stubborn", image: "busybox", networkMode: "none", command: ["sh", "-c", "trap '' TERM; while true; do sleep 0.1; done"] });
  await h.manager.start(c.id);
  const t0 = Date.now();
  const s = await h.manager.stop(c.id, 1);
  const took = Date.now() - t0;
  t.equal(s.state, "exited");
  t.equal(s.exitCode, 137);
  t.ok(took >= 900 && took < 8000, `took ${took} ms`);
  const k = await h.manager.create({ name: "killme", image: "busybox", networkMode: "none", command: ["sh", "-c", "trap 'echo got-usr1; exit 7' USR1; while true; do sleep 0.1; done"] });
  await h.manager.start(k.id);
  await new Promise((r) => setTimeout(r, 300));
  await h.manager.kill(k.id, "SIGUSR1");
  await h.manager.waitExit(k.id, 5000);
  t.equal(h.manager.get(k.id).exitCode, 7);
  t.match((await containerLogs(h.manager, k.id, {})).map((l) => l.text), ["got-usr1"]);
});

t.test("exec returns the exit code; pause and unpause; live memory update", async (t) => {
  const c = await h.manager.create({ name: "longrun", image: "busybox", networkMode: "none", command: ["sleep", "300"], resources: { memory: 64 * 1024 * 1024 } });
  await h.manager.start(c.id);
  const e = await execCollect(h.manager, c.id, { cmd: ["sh", "-c", "echo $X; exit 5"], env: { X: "from-exec" } });
  t.equal(e.exitCode, 5);
  t.equal(e.stdout.trim(), "from-exec");
  const u = await execCollect(h.manager, c.id, { cmd: ["id", "-un"], user: "nobody" });
  t.equal(u.stdout.trim(), "nobody");
  const st = await containerStats(h.manager, c.id);
  t.equal(st.memoryLimit, 64 * 1024 * 1024);
  t.ok(st.pids >= 1);
  await h.manager.update(c.id, { resources: { memory: 96 * 1024 * 1024 } });
  t.equal((await containerStats(h.manager, c.id)).memoryLimit, 96 * 1024 * 1024, "memory limit changed live");
  await h.manager.pause(c.id);
  t.equal(h.manager.get(c.id).state, "paused");
  await t.rejects(h.manager.pause(c.id), { code: "INFRA_RUNTIME_CONTAINER_STATE" });
  await h.manager.unpause(c.id);
  t.equal(h.manager.get(c.id).state, "running");
  await t.rejects(h.manager.remove(c.id), { code: "INFRA_RUNTIME_CONTAINER_STATE" });
  await h.manager.remove(c.id, { force: true });
  t.notOk(h.manager.find("longrun"));
});

t.test("memory hog is OOM-killed (137 + OOMKilled); fork bomb stops at the pids limit", async (t) => {
  const oom = await runToEnd({ name: "hog", command: ["sh", "-c", "x=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa; while true; do x=$x$x; done"], resources: { memory: 16 * 1024 * 1024 } }, 30000);
  t.equal(oom.rec.exitCode, 137);
  t.equal(oom.rec.oomKilled, true);
  const bomb = await runToEnd({ name: "bomb", command: ["sh", "-c", "sh -c 'for i in $(seq 1 40); do sleep 5 & done' 2>&1; n=0; for p in /proc/[0-9]*; do n=$((n+1)); done; echo count=$n"], resources: { pidsLimit: 10 } }, 30000);
  const n = Number(/count=(\d+)/.exec(bomb.out)?.[1]);
  t.match(bomb.out, /can't fork|Resource temporarily unavailable/, "forks were refused");
  t.ok(n > 1 && n <= 10, `processes inside: ${n}`);
});

t.test("escape attempts from a default container fail", async (t) => {
  const host = (await import("node:os")).hostname();
  const script = [
    "mount -t tmpfs none /mnt 2>/dev/null && echo MOUNT-OK || echo mount-denied",
    "echo 1 > /proc/sys/kernel/panic_on_oops 2>/dev/null && echo PROCSYS-OK || echo procsys-denied",
    "echo h > /proc/sysrq-trigger 2>/dev/null && echo SYSRQ-OK || echo sysrq-denied",
    "insmod /nonexistent.ko 2>/dev/null; modprobe dummy 2>/dev/null && echo MODULE-OK || echo module-denied",
    "echo procs=$(ls /proc | grep -c '^[0-9]')",
    "hostname evil 2>/dev/null; echo hn=$(hostname)",
    "head -c 16 /proc/kcore 2>/dev/null | wc -c | sed 's/^/kcore=/'",
    "unshare -U true 2>/dev/null && echo USERNS-OK || echo userns-denied",
  ].join("; ");
  const r = await runToEnd({ name: "escape", command: ["sh", "-c", script] });
  t.match(r.out, /mount-denied/);
  t.match(r.out, /procsys-denied/);
  t.match(r.out, /sysrq-denied/);
  t.match(r.out, /module-denied/);
  t.match(r.out, /userns-denied/);
  t.match(r.out, /kcore=0/);
  const procs = Number(/procs=(\d+)/.exec(r.out)?.[1]);
  t.ok(procs <= 5, `sees ${procs} processes (its own shell and pipeline only)`);
  t.equal((await import("node:os")).hostname(), host, "host hostname unchanged");
});

t.test("restart policy on-failure brings a failing container back with backoff", async (t) => {
  const c = await h.manager.create({ name: "flaky", image: "busybox", networkMode: "none", command: ["sh", "-c", "echo run; exit 1"], restart: { policy: "on-failure", maxRetries: 3 } });
  await h.manager.start(c.id);
  t.ok(await waitFor(() => h.manager.get(c.id).restartCount === 3 && h.manager.get(c.id).state === "exited", 20000), "restarted 3 times, then gave up");
  const runs = (await containerLogs(h.manager, c.id, {})).filter((l) => l.text === "run");
  t.equal(runs.length, 4);
  const times = runs.map((l) => Date.parse(l.time.slice(0, 23) + "Z"));
  const gaps = times.slice(1).map((x, i) => x - times[i]!);
  // Each gap is at least the backoff delay (100, 200, 400 ms); start-up time comes on top.
  t.ok(gaps.every((g, i) => g >= [100, 200, 400][i]!), `backoff applied: ${gaps.join(", ")} ms`);
});

t.test("volumes persist across container deletion; image content copied into an empty volume", async (t) => {
  await runToEnd({ name: "writer", command: ["sh", "-c", "echo persisted > /data/f"], mounts: [{ type: "volume", source: "keep", target: "/data" }] });
  await h.manager.remove("writer");
  const r = await runToEnd({ name: "reader", command: ["cat", "/data/f"], mounts: [{ type: "volume", source: "keep", target: "/data" }] });
  t.equal(r.out, "persisted");
  const init = await runToEnd({ name: "etcvol", command: ["sh", "-c", "test -f /etc/passwd && echo copied"], mounts: [{ type: "volume", source: "etccopy", target: "/etc" }] });
  t.equal(init.out, "copied");
  await t.rejects(h.volumes.remove("keep", h.manager.volumeUsers("keep")), { code: "INFRA_RUNTIME_VOLUME_IN_USE" });
  await t.rejects(h.manager.create({ name: "badbind", image: "busybox", mounts: [{ type: "bind", source: "/nonexistent/infra-test", target: "/x" }] }), { code: "INFRA_RUNTIME_BIND_SOURCE_MISSING" });
  t.notOk(h.manager.find("badbind"), "nothing created");
});

t.test("rm takes the container's directory away at once and deletes it after", async (t) => {
  const { rec } = await runToEnd({ name: "trashed", command: ["sh", "-c", "echo x > /f"] });
  const dir = containerPaths(h.layout, rec.id).dir;
  t.ok(existsSync(dir), "the directory exists before rm");
  await h.manager.remove(rec.id);
  t.notOk(existsSync(dir), "gone from the containers directory when rm returns");
  t.notOk(h.manager.find("trashed"), "the name is free");
  await waitFor(async () => (await readdir(h.layout.trashDir).catch(() => [])).length === 0, 5000);
  t.same(await readdir(h.layout.trashDir), [], "the trash is emptied");
});

t.test("at start, a container directory without a readable record is discarded; records are kept", async (t) => {
  const { ContainerManager } = await import("../../src/providers/local-runtime/container/container-manager.js");
  const { mkdir, writeFile } = await import("node:fs/promises");
  const kept = await h.manager.create({ name: "kept", image: "busybox", networkMode: "none", command: ["true"] });
  const lost = containerPaths(h.layout, "f".repeat(64)).dir;
  const torn = containerPaths(h.layout, "e".repeat(64)).dir;
  await mkdir(join(lost, "upper"), { recursive: true });
  await mkdir(torn, { recursive: true });
  await writeFile(containerPaths(h.layout, "e".repeat(64)).record, '{"id": "eee'); // cut short by a host crash
  const second = new ContainerManager({ layout: h.layout, images: h.images, volumes: h.volumes });
  await second.init();
  t.teardown(() => second.close());
  t.ok(second.find("kept"), "a readable record is loaded");
  t.notOk(existsSync(lost), "no record: discarded");
  t.notOk(existsSync(torn), "torn record: discarded");
  t.ok(existsSync(containerPaths(h.layout, kept.id).dir), "the real container's directory stays");
  await h.manager.remove(kept.id);
});
