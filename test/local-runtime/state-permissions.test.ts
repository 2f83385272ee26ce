/**
 * Issue 11, part 2 (CVE-2021-41091's shape): nothing under the engine's state root or run
 * directory is open to a local user. An image with a setuid-root binary and a world-readable
 * secret is loaded, a container runs with a volume, then an unprivileged user (nobody, through
 * setpriv) walks every path the engine made and may read, list, execute or connect to none of
 * them. A root an older version left 0755 is closed at engine start, and a container running as
 * uid 1000 still reads its rootfs, volumes, bind mounts and /etc files. Root only.
 */
import t from "tap";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, readFileSync } from "node:fs";
import { chmod, lstat, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEngine, type RunningEngine } from "../../src/providers/local-runtime/engine/engine-server.js";
import { importImageArchive } from "../../src/providers/local-runtime/image/image-import.js";
import { tarEntry } from "../../src/providers/local-runtime/image/tar-entry.js";
import { writeTar } from "../../src/providers/local-runtime/image/tar-writer.js";
import { containerLogs } from "../../src/providers/local-runtime/container/container-ops.js";
import { buildImage, layoutFiles } from "../image-io/fixtures.js";
import { stopCliEngine } from "./cli-engine.js";

if (process.getuid?.() !== 0 || !existsSync("/usr/bin/setpriv")) {
  t.plan(0, "needs root and setpriv");
  process.exit(0);
}

const NOBODY = ["--reuid=65534", "--regid=65534", "--clear-groups"];
/** `env -i`: tap's process-info hook adds its loader to children's environments; nobody cannot run it. */
const asNobody = (env: Record<string, string>, argv: string[]) => [...NOBODY, "env", "-i", ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...argv];
const id = randomBytes(4).toString("hex");
const SECRET = `secret-${id}`;
process.env.INFRA_ENGINE_NETWORK = "off";

let dir: string;
let engine: RunningEngine;

t.before(async () => {
  dir = await mkdtemp(join(tmpdir(), `infra-perm-${id}-`));
  // mkdtemp's 0700 would hide everything below on its own: only the engine's modes may guard.
  await chmod(dir, 0o755);
  // An install by an older version: its root, store and run directories open to everyone.
  for (const d of ["root/images/layers", "root/images/blobs/sha256", "root/volumes/old/_data", "run/sockets"]) await mkdir(join(dir, d), { recursive: true });
  for (const d of ["root", "root/images", "root/images/layers", "root/images/blobs", "root/images/blobs/sha256", "root/volumes", "root/volumes/old", "root/volumes/old/_data", "run", "run/sockets"])
    await chmod(join(dir, d), 0o755);
  // A whole volume of that install (with its metadata: one without is an interrupted create, removed at start).
  const old = { name: "old", driver: "local", labels: {}, options: {}, mountpoint: join(dir, "root/volumes/old/_data"), createdAt: new Date(0).toISOString(), anonymous: false };
  await writeFile(join(dir, "root/volumes/old/volume.json"), JSON.stringify(old), { mode: 0o644 });
  engine = await startEngine({ root: join(dir, "root"), run: join(dir, "run"), network: false });
});
t.teardown(async () => {
  if (engine) await stopCliEngine({ dir, engine }, new Set());
  else if (dir) await rm(dir, { recursive: true, force: true });
});

/** An image: host busybox (to run), a setuid-root copy of id(1) and a world-readable secret. */
async function loadHostileImage(): Promise<void> {
  const busybox = readFileSync("/bin/busybox");
  const layer = [
    tarEntry("bin", "dir"), tarEntry("etc", "dir"), tarEntry("tmp", "dir", { mode: 0o1777 }),
    tarEntry("bin/busybox", "file", { mode: 0o755, data: busybox }),
    ...["sh", "cat", "ls", "id", "sleep", "echo"].map((a) => tarEntry(`bin/${a}`, "symlink", { linkname: "busybox" })),
    tarEntry("bin/suid-id", "file", { mode: 0o4755, uid: 0, gid: 0, data: readFileSync("/usr/bin/id") }),
    tarEntry("etc/secret", "file", { mode: 0o644, data: Buffer.from(`${SECRET}\n`) }),
    tarEntry("etc/passwd", "file", { data: Buffer.from("root:x:0:0:root:/root:/bin/sh\n") }),
  ];
  const img = buildImage([layer], { cmd: ["sh"] });
  const archive = join(dir, "hostile.tar");
  await writeFile(archive, writeTar(layoutFiles([{ img, names: [`localhost/hostile-${id}:1`] }]).map((f) => tarEntry(f.path, "file", { data: Buffer.from(f.data) }))));
  await importImageArchive(engine.ctx.images, archive);
  await rm(archive);
}

/** Every path under `top` (not through symlinks), as root sees it. */
async function walk(top: string, out: string[] = []): Promise<string[]> {
  out.push(top);
  const st = await lstat(top);
  if (!st.isDirectory()) return out;
  for (const n of await readdir(top)) await walk(join(top, n), out);
  return out;
}

// Run as nobody: every attempt that succeeds is a finding; each attempt's errno is reported.
const PROBE = `
const fs = require("fs"), net = require("net"), cp = require("child_process");
const { paths, socket, suid } = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
const out = { uid: process.geteuid(), results: [] };
const attempt = (path, op, fn) => { try { fn(); out.results.push({ path, op, ok: true }); } catch (e) { out.results.push({ path, op, ok: false, code: e.code }); } };
for (const p of paths) {
  attempt(p, "lstat", () => fs.lstatSync(p));
  attempt(p, "open", () => fs.closeSync(fs.openSync(p, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK)));
  attempt(p, "readdir", () => fs.readdirSync(p));
  attempt(p, "exec", () => fs.accessSync(p, fs.constants.X_OK));
}
const run = cp.spawnSync(suid, ["-u"], { encoding: "utf8" });
out.suid = { error: run.error ? run.error.code : null, stdout: run.stdout ?? "" };
const c = net.connect(socket);
c.on("connect", () => { out.socket = "connected"; c.destroy(); done(); });
c.on("error", (e) => { out.socket = e.code; done(); });
function done() { process.stdout.write(JSON.stringify(out)); }
`;

t.test("an older version's open root is closed at engine start", async (t) => {
  const mode = async (p: string) => (await lstat(join(dir, p))).mode & 0o7777;
  for (const p of ["root", "root/images", "root/images/layers", "root/images/blobs", "root/images/blobs/sha256", "root/volumes", "root/volumes/old", "run", "run/sockets"])
    t.equal(await mode(p), 0o700, `${p} is 0700`);
  t.equal(await mode("root/volumes/old/_data"), 0o755, "a volume's _data keeps its mode (containers see it)");
  t.equal(await mode("run/engine.sock"), 0o600, "the socket is root's");
});

t.test("a container as uid 1000 still uses its rootfs, volume, bind mount and /etc files", async (t) => {
  const vol = await engine.ctx.volumes.create({ name: `perm-${id}` });
  await writeFile(join(vol.mountpoint, "seed"), "seeded\n", { mode: 0o644 });
  const bind = join(dir, "bind");
  await mkdir(bind, { mode: 0o755 });
  await writeFile(join(bind, "f"), "bound\n", { mode: 0o644 });
  const c = await engine.ctx.manager.create({
    name: `perm-user-${id}`, image: "busybox", user: "1000", networkMode: "none",
    command: ["sh", "-c", "id -u; cat /data/seed /b/f; cat /etc/resolv.conf /etc/hosts /etc/hostname >/dev/null && ls /bin >/dev/null && echo all-read"],
    mounts: [{ type: "volume", source: vol.name, target: "/data" }, { type: "bind", source: bind, target: "/b", readOnly: true }],
  });
  await engine.ctx.manager.start(c.id);
  t.ok(await engine.ctx.manager.waitExit(c.id, 15000), "it exits");
  const logs = (await containerLogs(engine.ctx.manager, c.id, {})).map((l) => l.text);
  t.equal(engine.ctx.manager.get(c.id).exitCode, 0, `exit 0 (${logs.join(" | ")})`);
  t.same(logs, ["1000", "seeded", "bound", "all-read"]);
});

t.test("nobody can read, list, execute or connect to anything under the root and the run directory", async (t) => {
  await loadHostileImage();
  const vol = await engine.ctx.volumes.create({ name: `perm-vol-${id}` });
  await writeFile(join(vol.mountpoint, "data-secret"), `${SECRET}\n`, { mode: 0o644 });
  const c = await engine.ctx.manager.create({
    name: `perm-up-${id}`, image: `localhost/hostile-${id}:1`, networkMode: "none", command: ["sleep", "300"],
    mounts: [{ type: "volume", source: vol.name, target: "/data" }],
  });
  await engine.ctx.manager.start(c.id);
  t.equal(engine.ctx.manager.get(c.id).state, "running");
  const { root, run, layersDir, engineSocket } = engine.layout;
  const layers = await readdir(layersDir);
  const suid = join(layersDir, layers.find((l) => existsSync(join(layersDir, l, "diff/bin/suid-id")))!, "diff/bin/suid-id");
  t.equal((await lstat(suid)).mode & 0o4000, 0o4000, "the layer keeps the setuid bit (images need it)");
  t.equal(readFileSync(join(layersDir, layers.find((l) => existsSync(join(layersDir, l, "diff/etc/secret")))!, "diff/etc/secret"), "utf8"), `${SECRET}\n`);

  const paths = [...(await walk(root)), ...(await walk(run))];
  t.ok(paths.length > 50, `${paths.length} paths under the root and the run directory`);
  t.ok(paths.includes(suid) && paths.some((p) => p.endsWith("/data-secret")) && paths.some((p) => p.endsWith("/container.log")), "the walk reaches the layer, the volume and the container");
  const input = join(dir, "probe.json");
  await writeFile(input, JSON.stringify({ paths, socket: engineSocket, suid }), { mode: 0o644 });
  chmodSync(input, 0o644);
  const r = spawnSync("setpriv", asNobody({ PATH: "/usr/bin:/bin" }, [process.execPath, "-e", PROBE, input]), { encoding: "utf8", cwd: "/", timeout: 60000, maxBuffer: 64 << 20 });
  t.equal(r.status, 0, `the probe ran (${r.stderr})`);
  const out = JSON.parse(r.stdout) as { uid: number; results: Array<{ path: string; op: string; ok: boolean; code?: string }>; suid: { error: string | null; stdout: string }; socket: string };
  t.equal(out.uid, 65534, "as nobody");
  // Only the two entry points may be looked at (their parent is open); nothing may be opened.
  const entry = new Set([root, run]);
  const found = out.results.filter((x) => x.ok && !(x.op === "lstat" && entry.has(x.path)));
  t.same(found, [], "nothing was readable, listable or executable");
  for (const p of [root, run]) {
    for (const op of ["open", "readdir", "exec"]) t.equal(out.results.find((x) => x.path === p && x.op === op)?.code, "EACCES", `${op} ${p}: EACCES`);
  }
  const below = out.results.filter((x) => !entry.has(x.path));
  t.same([...new Set(below.map((x) => x.code))], ["EACCES"], "every path below them: EACCES");
  t.equal(out.suid.error, "EACCES", "the setuid-root binary cannot be executed");
  t.not(out.suid.stdout.trim(), "0", "and gave no root");
  t.equal(out.socket, "EACCES", "the engine's socket refuses nobody");
  await engine.ctx.manager.remove(c.id, { force: true });
});

t.test("a non-root user gets 'permission denied: infra needs root' from the CLI", async (t) => {
  const repo = new URL("../../", import.meta.url).pathname;
  const cli = join(repo, "bin/infra");
  if (!existsSync(join(repo, "dist/cli/main.js"))) throw new Error("dist/cli/main.js is missing: run `npm run -s build` first");
  const base = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: "/nonexistent", NO_COLOR: "1", INFRA_ENGINE_NETWORK: "off" };
  const cases: Array<{ args: string[]; env: Record<string, string>; what: string }> = [
    { args: ["ps"], env: { INFRA_ROOT: engine.layout.root, INFRA_RUN: engine.layout.run }, what: "ps with the engine running" },
    { args: ["run", "--rm", "busybox", "true"], env: { INFRA_ROOT: engine.layout.root, INFRA_RUN: engine.layout.run }, what: "run (the native launcher) with the engine running" },
    { args: ["images"], env: { INFRA_ROOT: join(dir, "none-root"), INFRA_RUN: join(dir, "none-run") }, what: "images with no engine and no run directory" },
    { args: ["load", "-i", join(dir, "missing.tar")], env: { INFRA_ROOT: engine.layout.root, INFRA_RUN: engine.layout.run }, what: "load into the root's store" },
  ];
  for (const c of cases) {
    const r = spawnSync("setpriv", asNobody({ ...base, ...c.env }, [cli, ...c.args]), { encoding: "utf8", cwd: "/", timeout: 60000 });
    // `run` exits as Docker's when infra itself fails: 125.
    const status = c.args[0] === "run" ? 125 : 1;
    t.equal(r.status, status, `${c.what}: exit ${status}`);
    t.match(r.stderr, /permission denied: infra needs root/, `${c.what}: says why`);
    t.match(r.stderr, /INFRA_RUNTIME_NEEDS_ROOT/, `${c.what}: with its code`);
    t.match(r.stderr, /Hint: run infra as root/, `${c.what}: and a hint`);
    t.notMatch(r.stderr, /INFRA_CLI_INTERNAL|\n\s+at /, `${c.what}: no internal error, no stack trace`);
  }
  t.notOk(existsSync(join(dir, "none-run")), "nothing was created for nobody");
});

t.test("the engine refuses to start as a non-root user", async (t) => {
  const entry = new URL("../../src/providers/local-runtime/engine/engine-entry.ts", import.meta.url).pathname;
  const tsx = new URL("../../node_modules/tsx/dist/loader.mjs", import.meta.url).href;
  // tsx keeps a cache under TMPDIR: one of this test's own, open to nobody, removed with it.
  const tmp = join(dir, "nobody-tmp");
  await mkdir(tmp);
  await chmod(tmp, 0o777);
  const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: "/nonexistent", TMPDIR: tmp, INFRA_ROOT: join(dir, "nobody-root"), INFRA_RUN: join(dir, "nobody-run"), INFRA_ENGINE_NETWORK: "off" };
  const r = spawnSync("setpriv", asNobody(env, [process.execPath, "--import", tsx, entry]), { encoding: "utf8", cwd: "/", timeout: 60000 });
  t.equal(r.status, 1);
  t.match(r.stderr, /permission denied: infra needs root to run the engine/);
  t.notOk(existsSync(join(dir, "nobody-run")), "it created nothing");
});
