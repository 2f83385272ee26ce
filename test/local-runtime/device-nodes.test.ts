/**
 * Issue 11, part 9: device nodes in a default container, as Docker has them. CAP_MKNOD is kept,
 * so mknod succeeds, and the device cgroup denies opening any device the container was not given
 * (EPERM); `--cap-drop MKNOD` makes mknod itself fail. Real runc, real kernel. Root only.
 */
import t from "tap";
import { makeHarness, type Harness } from "./harness.js";
import { containerLogs } from "../../src/providers/local-runtime/container/container-ops.js";

if (process.getuid?.() !== 0) {
  t.plan(0, "needs root");
  process.exit(0);
}

let h: Harness;
t.before(async () => { h = await makeHarness("infra-devnode-"); });
t.teardown(() => h?.cleanup());

/** Runs `script` in a busybox container; its exit code and output lines. */
async function run(name: string, script: string, capDrop?: string[]): Promise<{ code: number | undefined; lines: string[] }> {
  const c = await h.manager.create({ name, image: "busybox", command: ["sh", "-c", script], networkMode: "none", ...(capDrop ? { capDrop } : {}) });
  await h.manager.start(c.id);
  if (!(await h.manager.waitExit(c.id, 15000))) throw new Error(`${name} did not exit`);
  const lines = (await containerLogs(h.manager, c.id, {})).map((l) => l.text);
  return { code: h.manager.get(c.id).exitCode, lines };
}

// 1:1 is /dev/mem and 8:0 the first SCSI disk: what a container must never reach.
const MAKE_AND_OPEN = [
  "mknod /tmp/mem c 1 1 && echo made-char",
  "mknod /tmp/disk b 8 0 && echo made-block",
  "ls -l /tmp/mem /tmp/disk | cut -c1",
  "head -c 1 /tmp/mem >/dev/null && echo read-char",
  "head -c 1 /tmp/disk >/dev/null && echo read-block",
  "echo x > /tmp/mem && echo wrote-char",
  "true",
].join("; ");

t.test("default: mknod succeeds, opening the device fails with EPERM", async (t) => {
  const r = await run("mknod-default", `${MAKE_AND_OPEN} 2>&1`);
  t.equal(r.code, 0);
  t.ok(r.lines.includes("made-char") && r.lines.includes("made-block"), `mknod made both (${r.lines.join(" | ")})`);
  t.same(r.lines.filter((l) => l === "c" || l === "b"), ["b", "c"], "they are device nodes");
  t.notOk(r.lines.some((l) => /^(read|wrote)-/.test(l)), "nothing was read or written through them");
  t.equal(r.lines.filter((l) => /Operation not permitted/.test(l)).length, 3, "each open failed with EPERM (the device cgroup)");
});

t.test("--cap-drop MKNOD: mknod itself fails", async (t) => {
  const r = await run("mknod-dropped", "mknod /tmp/mem c 1 1 2>&1 && echo made; test -e /tmp/mem && echo exists; true", ["MKNOD"]);
  t.equal(r.code, 0);
  t.notOk(r.lines.includes("made") || r.lines.includes("exists"), "no node was made");
  t.match(r.lines.join("\n"), /Operation not permitted/, "EPERM");
});

t.test("the devices a container is given by default still work", async (t) => {
  const r = await run("devs-default", "head -c 4 /dev/zero | wc -c; echo ok > /dev/null && echo null-ok; head -c 4 /dev/urandom | wc -c");
  t.equal(r.code, 0);
  t.same(r.lines, ["4", "null-ok", "4"]);
});
