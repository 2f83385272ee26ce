/**
 * Docker's scripting habits through the CLI against a private engine (its own INFRA_ROOT and
 * INFRA_RUN, networking off): run's --ulimit, --sysctl, --device, --cidfile, -a, -P/--expose,
 * --pull; ps --format / --filter; inspect as an array with Docker's fields and --format; cp to
 * stdout as a tar stream.
 */
import t from "tap";
import { spawn, type ChildProcess } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startCliEngine, stopCliEngine, type CliEngine } from "./cli-engine.js";
import { readTar } from "../../src/providers/local-runtime/image/tar-reader.js";
import { writeTar } from "../../src/providers/local-runtime/image/tar-writer.js";
import { tarEntry } from "../../src/providers/local-runtime/image/tar-entry.js";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";

const entry = fileURLToPath(new URL("./cli-entry.ts", import.meta.url));
const repo = fileURLToPath(new URL("../../", import.meta.url));
let h: CliEngine;
const children = new Set<ChildProcess>();
t.before(async () => { h = await startCliEngine("infra-habits-"); });
t.teardown(() => stopCliEngine(h, children));

interface Out { code: number | null; out: string; err: string; raw: Buffer }
function cli(args: string[], input?: string | Buffer): Promise<Out> {
  const c = spawn(process.execPath, ["--import", "tsx", entry, ...args], { env: h.env, cwd: repo, stdio: ["pipe", "pipe", "pipe"] });
  children.add(c);
  const out: Buffer[] = [];
  let err = "";
  c.stdout.on("data", (d: Buffer) => out.push(d));
  c.stderr.on("data", (d: Buffer) => { err += d.toString(); });
  c.stdin.end(input ?? "");
  const timer = setTimeout(() => c.kill("SIGKILL"), 60000);
  return new Promise((resolve) => c.on("close", (code) => {
    clearTimeout(timer);
    children.delete(c);
    const raw = Buffer.concat(out);
    resolve({ code, out: raw.toString(), err, raw });
  }));
}
const run = (flags: string[], script: string) => cli(["run", "--rm", "--network", "none", ...flags, "busybox", "sh", "-c", script]);

t.test("run: --ulimit, --sysctl, --device reach the container", async (t) => {
  const u = await run(["--ulimit", "nofile=1024:2048"], "ulimit -n; ulimit -Hn");
  t.equal(u.code, 0, u.err);
  t.equal(u.out, "1024\n2048\n");
  const s = await run(["--sysctl", "net.ipv4.ip_forward=1"], "cat /proc/sys/net/ipv4/ip_forward");
  t.equal(s.out, "1\n", `the container's own netns has it (${s.err})`);
  const d = await run(["--device", "/dev/null:/dev/mynull:rw"], "test -c /dev/mynull && echo ok > /dev/mynull && echo char");
  t.equal(d.out, "char\n", d.err);
  const bad = await run(["--ulimit", "nofile=many"], "true");
  t.equal(bad.code, 125);
  t.match(bad.err, /INFRA_CLI_BAD_ULIMIT/);
});

t.test("run: --cidfile, -a, --pull", async (t) => {
  const cid = join(h.dir, "cid");
  const r = await cli(["run", "--name", "cid1", "--network", "none", "--cidfile", cid, "busybox", "true"]);
  t.equal(r.code, 0, r.err);
  const id = await readFile(cid, "utf8");
  t.match(id, /^[0-9a-f]{64}$/, "the id, alone");
  const again = await cli(["run", "--rm", "--name", "cid2", "--network", "none", "--cidfile", cid, "busybox", "true"]);
  t.equal(again.code, 125, "an existing cidfile: infra failed");
  t.match(again.err, /INFRA_CLI_CIDFILE_EXISTS/);
  t.equal((await cli(["ps", "-aq", "--no-trunc"])).out, `${id}\n`, "nothing else was made");
  await cli(["rm", "cid1"]);
  const onlyErr = await run(["-a", "stderr"], "echo out; echo err >&2");
  t.equal(onlyErr.out, "", "-a stderr: stdout not shown");
  t.equal(onlyErr.err, "err\n");
  const onlyOut = await run(["-a", "stdout"], "echo out; echo err >&2");
  t.equal(onlyOut.out, "out\n");
  t.equal(onlyOut.err, "");
  const stdin = await cli(["run", "--rm", "--network", "none", "-a", "stdin", "-a", "stdout", "busybox", "cat"], "through stdin\n");
  t.equal(stdin.out, "through stdin\n", "-a stdin attaches stdin");
  t.equal((await run(["--pull", "never"], "echo x")).out, "x\n");
  // --pull always is tested against a local registry (test/e2e/pull-mirror.test.ts): here it would reach Docker Hub.
  t.equal((await run(["--pull", "sometimes"], "true")).code, 125);
  const ip = await run(["--ip", "10.1.2.3"], "true");
  t.equal(ip.code, 125);
  t.match(ip.err, /--ip needs a user network/);
});

t.test("-P publishes the exposed ports on random host ports; ps and inspect show them", async (t) => {
  const c = await cli(["create", "--name", "pub", "-P", "--expose", "80", "--expose", "53/udp", "-p", "8080:80", "busybox", "true"]);
  t.equal(c.code, 0, c.err);
  const ins = JSON.parse((await cli(["inspect", "pub"])).out) as Array<{ spec: { ports: unknown[] }; NetworkSettings: { Ports: Record<string, unknown> } }>;
  t.same(ins[0]!.spec.ports, [{ containerPort: 80, protocol: "tcp", hostPort: 8080 }, { containerPort: 53, protocol: "udp" }], "-p kept for 80; 53/udp on a random port");
  t.same(Object.keys(ins[0]!.NetworkSettings.Ports).sort(), ["53/udp", "80/tcp"]);
  await cli(["rm", "pub"]);
});

t.test("ps --format and --filter; inspect as an array with Docker's fields and --format", async (t) => {
  for (const [name, labels] of [["hab-web", ["-l", "tier=front", "-l", "app=shop"]], ["hab-db", ["-l", "tier=back", "-l", "app=shop"]]] as const) {
    const r = await cli(["run", "-d", "--name", name, "--network", "none", ...labels, "busybox", "sleep", "60"]);
    t.equal(r.code, 0, r.err);
  }
  t.equal((await cli(["run", "--name", "hab-job", "--network", "none", "busybox", "sh", "-c", "exit 3"])).code, 3);
  t.equal((await cli(["ps", "--format", "{{.Names}}"])).out.split("\n").sort().join(","), ",hab-db,hab-web", "running ones only");
  t.equal((await cli(["ps", "-a", "--filter", "label=app=shop", "--filter", "label=tier=back", "--format", "{{.Names}} {{.Label \"tier\"}}"])).out, "hab-db back\n");
  t.equal((await cli(["ps", "--filter", "status=exited", "--format", "{{.Names}} {{.Status}}"])).out.replace(/\d+ seconds/, "N seconds"), "hab-job Exited (3) N seconds ago\n", "a status filter looks at every container");
  t.equal((await cli(["ps", "-f", "name=hab-w", "-f", "name=hab-d", "--format", "{{.Names}}"])).out.split("\n").sort().join(","), ",hab-db,hab-web");
  const table = await cli(["ps", "-f", "name=hab-web", "--format", "table {{.Names}}\\t{{.Image}}\\t{{.State}}"]);
  t.equal(table.out, "NAMES     IMAGE     STATE\nhab-web   busybox   running\n");
  const json = (await cli(["ps", "-f", "name=hab-web", "--format", "json"])).out;
  t.match(JSON.parse(json), { Names: "hab-web", Image: "busybox", State: "running", Labels: "tier=front,app=shop" });
  const bad = await cli(["ps", "--filter", "colour=red"]);
  t.equal(bad.code, 1);
  t.match(bad.err, /INFRA_CLI_BAD_FILTER/);

  const ins = await cli(["inspect", "hab-web", "hab-job"]);
  t.equal(ins.code, 0, ins.err);
  const arr = JSON.parse(ins.out) as Array<Record<string, unknown>>;
  t.ok(Array.isArray(arr) && arr.length === 2, "an array, one per container");
  t.match(arr[0], { id: String, name: "hab-web", state: "running", Id: arr[0]!.id, Name: "/hab-web", State: { Status: "running", Running: true, ExitCode: 0, Pid: Number }, Config: { Image: "busybox", Labels: { tier: "front", app: "shop" } }, NetworkSettings: { Networks: { none: { IPAddress: "" } } } });
  t.match(arr[1], { State: { Status: "exited", Running: false, ExitCode: 3, Pid: 0 } });
  t.ok(((arr[0]!.State as { Pid: number }).Pid) > 0);
  const f = await cli(["inspect", "-f", "{{.Name}} {{.State.Status}} {{.State.ExitCode}} {{index .Config.Labels \"tier\"}} {{json .Config.Cmd}}", "hab-web", "hab-job"]);
  t.equal(f.out, '/hab-web running 0 front ["sleep","60"]\n/hab-job exited 3 <no value> ["sh","-c","exit 3"]\n');
  t.equal((await cli(["inspect", "--format", "{{.State.Running}}", "hab-db"])).out, "true\n");
  t.match((await cli(["inspect", "-f", "{{json .Config.Env}}", "hab-db"])).out, /^\["PATH=[^"]+"\]\n$/, "Config.Env: the image's ENV with the container's");
  const missing = await cli(["inspect", "hab-web", "nosuch"]);
  t.equal(missing.code, 1, "a missing one: exit 1, the others printed");
  t.equal((JSON.parse(missing.out) as unknown[]).length, 1);
  t.match(missing.err, /INFRA_RUNTIME_CONTAINER_NOT_FOUND/);
  const rm = await cli(["rm", "-fv", "hab-web", "hab-db", "hab-job"]);
  t.equal(rm.code, 0, `rm -fv: combined short flags (${rm.err})`);
  t.equal((await cli(["ps", "-aq"])).out, "");
});

t.test("cp CONTAINER:PATH - writes a tar stream to stdout; cp - CONTAINER:DIR reads one", async (t) => {
  const r = await cli(["run", "-d", "--name", "hab-cp", "--network", "none", "busybox", "sh", "-c", "mkdir -p /data/sub && echo hello > /data/sub/a.txt && ln -s a.txt /data/sub/l && sleep 60"]);
  t.equal(r.code, 0, r.err);
  let ready = "";
  for (let i = 0; i < 50 && ready !== "hello\n"; i++) ready = (await cli(["exec", "hab-cp", "cat", "/data/sub/a.txt"])).out;
  const cp = await cli(["cp", "hab-cp:/data", "-"]);
  t.equal(cp.code, 0, cp.err);
  const entries = [...readTar(cp.raw)].map((e) => `${e.type} ${e.path}${e.type === "symlink" ? ` -> ${e.linkname}` : ""}`);
  t.same(entries.map((e) => e.replace(/\/$/, "")).sort(), ["dir data", "dir data/sub", "file data/sub/a.txt", "symlink data/sub/l -> a.txt"]);
  const file = [...readTar(cp.raw)].find((e) => e.path === "data/sub/a.txt");
  t.equal(Buffer.from(file!.data ?? []).toString(), "hello\n");
  const one = await cli(["cp", "hab-cp:/data/sub/a.txt", "-"]);
  t.same([...readTar(one.raw)].map((e) => e.path), ["a.txt"], "a file: one entry, its base name");
  // exec -i runs runc in the foreground: its failure is one line and Docker's code too.
  const nf = await cli(["exec", "-i", "hab-cp", "nosuch"]);
  t.equal(nf.code, 127, "exec -i of a missing command: 127");
  t.equal(nf.err, '\nError: "nosuch" in container hab-cp: executable file not found in $PATH [INFRA_RUNTIME_COMMAND_NOT_FOUND]\n', "no runc text");
  const ne = await cli(["exec", "-i", "hab-cp", "/data"]);
  t.equal(ne.code, 126, "exec -i of a directory: 126");
  const own = await cli(["exec", "-i", "hab-cp", "sh", "-c", "cat; echo e >&2; exit 255"], "in\n");
  t.same([own.code, own.out, own.err], [255, "in\n", "e\n"], "the command's own stderr and 255 pass through");
  // cp - NAME:DIR: a tar stream from stdin unpacked into the directory; nothing through its links.
  const id = randomBytes(4).toString("hex");
  const tarIn = writeTar([tarEntry("up", "dir"), tarEntry("up/b.txt", "file", { data: Buffer.from("from stdin\n") })]);
  const put = await cli(["cp", "-", "hab-cp:/data"], tarIn);
  t.equal(put.code, 0, put.err);
  t.equal((await cli(["exec", "hab-cp", "cat", "/data/up/b.txt"])).out, "from stdin\n", "unpacked into /data");
  const hostile = writeTar([tarEntry("esc", "symlink", { linkname: h.dir }), tarEntry(`esc/pwned-${id}`, "file", { data: Buffer.from("x") }), tarEntry(`../../pwned-${id}`, "file", { data: Buffer.from("x") })]);
  await cli(["cp", "-", "hab-cp:/data"], hostile);
  t.notOk(existsSync(join(h.dir, `pwned-${id}`)), "a member under a symlink did not land on the host");
  t.notOk(existsSync(join(tmpdir(), `pwned-${id}`)), "nor one named ../../ (out of the private directory, into /tmp)");
  const notTar = await cli(["cp", "-", "hab-cp:/data"], "not a tar stream at all, just text that goes on and on\n".repeat(20));
  t.equal(notTar.code, 1);
  t.match(notTar.err, /INFRA_CLI_CP_TAR/);
  const none = await cli(["cp", "hab-cp:/nope", "-"]);
  t.not(none.code, 0);
  t.equal(none.raw.length, 0, "nothing on stdout when the path is missing");
  await cli(["rm", "-f", "hab-cp"]);
});
