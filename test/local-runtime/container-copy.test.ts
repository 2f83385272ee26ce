import t from "tap";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { lstat, mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { makeHarness, type Harness } from "./harness.js";
import { copyContainer } from "../../src/providers/local-runtime/container/container-copy.js";
import { execCollect, containerLogs } from "../../src/providers/local-runtime/container/container-ops.js";
import { resolveInRoot } from "../../src/providers/local-runtime/container/resolve-in-root.js";
import { parseCpArg } from "../../src/cli/commands/cp.js";

const tag = `infra-d3-cp-${randomBytes(4).toString("hex")}`;
let h: Harness;
t.before(async () => { h = await makeHarness("infra-d3-cp-"); });
t.teardown(() => h.cleanup());

t.test("cp argument parsing (Docker's rule for colons)", async (t) => {
  t.same(parseCpArg("web:/etc/hosts"), { container: "web", path: "/etc/hosts" });
  t.same(parseCpArg("./a:b"), { path: "./a:b" });
  t.same(parseCpArg("/tmp/x"), { path: "/tmp/x" });
});

t.test("resolveInRoot: links resolve inside the root; climbing out is refused", async (t) => {
  const root = join(h.dir, "fakeroot");
  await mkdir(join(root, "etc"), { recursive: true });
  await symlink("/etc", join(root, "abs"));
  await symlink("../../../../../etc", join(root, "etc", "up"));
  await symlink("loop2", join(root, "loop1"));
  await symlink("loop1", join(root, "loop2"));
  t.same(await resolveInRoot(root, "/abs/passwd"), { hostPath: join(root, "etc/passwd"), inside: "/etc/passwd" });
  t.same((await resolveInRoot(root, "/abs", false)).inside, "/abs", "followLast false keeps the link");
  await t.rejects(resolveInRoot(root, "/etc/up/passwd"), { code: "INFRA_RUNTIME_CP_ESCAPE" });
  await t.rejects(resolveInRoot(root, "/../etc"), { code: "INFRA_RUNTIME_CP_ESCAPE" });
  await t.rejects(resolveInRoot(root, "/loop1"), { code: "INFRA_RUNTIME_CP_SYMLINK_LOOP" });
});

t.test("cp into and out of a running container, tmpfs included; symlink escapes refused", async (t) => {
  const c = await h.manager.create({
    name: "cpbox", image: "busybox", networkMode: "none",
    command: ["sh", "-c", "ln -s /../../../../etc /tmp/evil; ln -s ../../../../../../etc /tmp/rel; ln -s /etc /tmp/abs; echo inside > /tmp/hello; exec sleep 300"],
    mounts: [{ type: "tmpfs", target: "/scratch", tmpfsSize: 1024 * 1024 }],
  });
  await h.manager.start(c.id);
  await new Promise((r) => setTimeout(r, 300));
  const src = join(h.dir, "src");
  await mkdir(join(src, "sub"), { recursive: true });
  await writeFile(join(src, "a.txt"), "alpha\n");
  await writeFile(join(src, "sub", "b.sh"), "#!/bin/sh\necho beta\n", { mode: 0o755 });
  await symlink("/etc/passwd", join(src, "link"));

  await copyContainer(h.manager, "cpbox", { direction: "in", hostPath: src, containerPath: "/scratch" });
  const r = await execCollect(h.manager, c.id, { cmd: ["sh", "-c", "cat /scratch/src/a.txt; /scratch/src/sub/b.sh; readlink /scratch/src/link; mount | grep -c ' /scratch '"] });
  t.equal(r.stdout, "alpha\nbeta\n/etc/passwd\n1\n", "tree copied into the tmpfs; the symlink copied as a link; mode kept");
  t.equal(h.manager.get(c.id).state, "running");
  t.equal((await h.manager.runc.state(c.id))?.status, "running", "thawed after the copy");

  await copyContainer(h.manager, "cpbox", { direction: "in", hostPath: join(src, "a.txt"), containerPath: "/tmp/renamed.txt" });
  t.equal((await execCollect(h.manager, c.id, { cmd: ["cat", "/tmp/renamed.txt"] })).stdout, "alpha\n", "file copied to a new name");

  const out = join(h.dir, "out");
  await mkdir(out);
  await copyContainer(h.manager, "cpbox", { direction: "out", containerPath: "/tmp/hello", hostPath: out });
  t.equal(await readFile(join(out, "hello"), "utf8"), "inside\n", "copied out into a host directory");
  await copyContainer(h.manager, "cpbox", { direction: "out", containerPath: "/etc/hostname", hostPath: join(out, "hn") });
  t.equal(await readFile(join(out, "hn"), "utf8"), "cpbox\n", "the container's view (engine-managed /etc/hostname bind)");
  await copyContainer(h.manager, "cpbox", { direction: "out", containerPath: "/tmp/abs", hostPath: join(out, "abs") });
  t.ok((await lstat(join(out, "abs"))).isDirectory(), "an absolute link resolves to the container's /etc, copied as a directory");
  t.ok(existsSync(join(out, "abs", "passwd")));

  // Escape attempts: links that climb above '/' are refused both ways; nothing lands on the host.
  const marker = join(h.dir, `${tag}`);
  await writeFile(marker, "x");
  for (const via of ["/tmp/evil", "/tmp/rel"]) {
    await t.rejects(copyContainer(h.manager, "cpbox", { direction: "in", hostPath: marker, containerPath: `${via}/` }), { code: "INFRA_RUNTIME_CP_ESCAPE" }, `copy in through ${via}`);
    await t.rejects(copyContainer(h.manager, "cpbox", { direction: "out", containerPath: `${via}/shadow`, hostPath: join(out, "stolen") }), { code: "INFRA_RUNTIME_CP_ESCAPE" }, `copy out through ${via}`);
  }
  t.notOk(existsSync(`/etc/${tag}`), "nothing written to the host's /etc");
  t.notOk(existsSync(join(out, "stolen")), "nothing read from the host's /etc");
  await copyContainer(h.manager, "cpbox", { direction: "in", hostPath: marker, containerPath: "/tmp/abs/" });
  t.notOk(existsSync(`/etc/${tag}`), "an absolute link is the container's /etc, not the host's");
  t.equal((await execCollect(h.manager, c.id, { cmd: ["cat", `/etc/${tag}`] })).stdout, "x");
  // A destination that is a symlink to a host path is replaced, never written through.
  await execCollect(h.manager, c.id, { cmd: ["ln", "-s", `/proc/1/root/etc/${tag}-2`, "/tmp/trap"] });
  await copyContainer(h.manager, "cpbox", { direction: "in", hostPath: marker, containerPath: "/tmp/trap" });
  t.notOk(existsSync(`/etc/${tag}-2`));
  await t.rejects(copyContainer(h.manager, "cpbox", { direction: "out", containerPath: "/nonexistent", hostPath: out }), { code: "INFRA_RUNTIME_CP_NOT_FOUND" });
});

t.test("cp with stopped and never-started containers (through the overlay)", async (t) => {
  const c = await h.manager.create({ name: "cpdone", image: "busybox", networkMode: "none", command: ["sh", "-c", "echo made-by-run > /made.txt"] });
  await h.manager.start(c.id);
  await h.manager.waitExit(c.id, 10000);
  await copyContainer(h.manager, "cpdone", { direction: "out", containerPath: "/made.txt", hostPath: join(h.dir, "made.txt") });
  t.equal(await readFile(join(h.dir, "made.txt"), "utf8"), "made-by-run\n");
  const mounts = await readFile("/proc/self/mountinfo", "utf8");
  t.notMatch(mounts, new RegExp(c.id), "overlay unmounted after the copy");

  const n = await h.manager.create({ name: "cpnew", image: "busybox", networkMode: "none", command: ["cat", "/tmp/conf"] });
  await writeFile(join(h.dir, "conf"), "configured\n");
  await copyContainer(h.manager, "cpnew", { direction: "in", hostPath: join(h.dir, "conf"), containerPath: "/tmp/conf" });
  await h.manager.start(n.id);
  await h.manager.waitExit(n.id, 10000);
  t.same((await containerLogs(h.manager, n.id, {})).map((l) => l.text), ["configured"], "a file copied before the first start is there");
});
