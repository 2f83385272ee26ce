import t from "tap";
import { buildOciSpec, effectiveCaps, type OciSpecInput } from "../../src/providers/local-runtime/container/oci-spec.js";
import { mergeImageConfig } from "../../src/providers/local-runtime/container/merge-image-config.js";
import { resolveUser } from "../../src/providers/local-runtime/container/resolve-user.js";
import { decideRestart } from "../../src/providers/local-runtime/container/restart-policy.js";
import { parseLogText, queryLog } from "../../src/providers/local-runtime/container/log-file.js";
import { renderResolvConf } from "../../src/providers/local-runtime/container/etc-files.js";

const base: OciSpecInput = {
  hostname: "web",
  process: { args: ["sh"], env: ["PATH=/bin"], cwd: "/", uid: 0, gid: 0, terminal: false },
  rootfs: "/var/lib/infra/containers/abc/bundle/rootfs",
  netns: "/run/infra/netns/abc",
  mounts: [{ destination: "/data", type: "bind", source: "/var/lib/infra/volumes/d/_data", options: ["rbind", "rw"] }],
  resources: { memory: 67108864, cpus: 0.5, pidsLimit: 100 },
  hostHardLimits: { RLIMIT_NOFILE: 20000 },
  cgroupsPath: "infra/abc",
};

t.test("default bundle (snapshot)", async (t) => {
  const spec = buildOciSpec(base);
  t.matchSnapshot(JSON.stringify(spec, null, 2), "config.json");
  t.equal(spec.process.noNewPrivileges, true);
  t.same(spec.process.rlimits, [{ type: "RLIMIT_NOFILE", hard: 20000, soft: 20000 }], "never above the caller's hard limit");
  const ns = (spec.linux.namespaces as Array<{ type: string; path?: string }>);
  t.same(ns.map((n) => n.type).sort(), ["ipc", "mount", "network", "pid", "uts"]);
  t.equal(ns.find((n) => n.type === "network")?.path, "/run/infra/netns/abc");
  t.equal((spec.process.capabilities as { bounding: string[] }).bounding.length, 14);
  t.ok(spec.linux.seccomp, "seccomp on");
  t.same(spec.linux.resources, { ...spec.linux.resources, memory: { limit: 67108864 }, cpu: { period: 100000, quota: 50000 }, pids: { limit: 100 } });
});

t.test("privileged, host network, caps", async (t) => {
  const spec = buildOciSpec({ ...base, privileged: true, netns: "host" });
  t.notOk((spec.linux.namespaces as Array<{ type: string }>).some((n) => n.type === "network"));
  t.notOk(spec.linux.seccomp);
  t.notOk(spec.linux.maskedPaths);
  t.equal(spec.process.noNewPrivileges, false);
  t.same(effectiveCaps(false, ["net_admin"], ["CHOWN", "cap_kill"]).filter((c) => ["CAP_NET_ADMIN", "CAP_CHOWN", "CAP_KILL"].includes(c)), ["CAP_NET_ADMIN"]);
  t.same(effectiveCaps(false, ["NET_RAW"], ["ALL"]), ["CAP_NET_RAW"]);
});

t.test("Docker's merging rules", async (t) => {
  const img = { Entrypoint: ["/entry"], Cmd: ["serve"], Env: ["A=1", "PATH=/x"], WorkingDir: "/app", User: "www-data" };
  t.same(mergeImageConfig(img, { hostname: "h" }).args, ["/entry", "serve"]);
  t.same(mergeImageConfig(img, { hostname: "h", command: ["x"] }).args, ["/entry", "x"]);
  t.same(mergeImageConfig(img, { hostname: "h", entrypoint: ["/other"] }).args, ["/other"], "entrypoint resets CMD");
  const m = mergeImageConfig(img, { hostname: "h", env: { A: "2" }, tty: true });
  t.same(m.env, ["A=2", "PATH=/x", "HOSTNAME=h", "TERM=xterm"]);
  t.equal(m.cwd, "/app");
  t.equal(m.user, "www-data");
  t.throws(() => mergeImageConfig({}, { hostname: "h" }), { code: "INFRA_RUNTIME_NO_COMMAND" });
});

t.test("users from passwd", async (t) => {
  const passwd = "root:x:0:0:root:/root:/bin/sh\nwww-data:x:33:33::/var/www:/bin/false\n";
  const group = "root:x:0:\nwww-data:x:33:\nextra:x:50:www-data\n";
  t.same(resolveUser("www-data", passwd, group), { uid: 33, gid: 33, additionalGids: [50], home: "/var/www" });
  t.same(resolveUser("1000:2000", passwd, group), { uid: 1000, gid: 2000, additionalGids: [], home: "/" });
  t.equal(resolveUser("www-data:root", passwd, group).gid, 0);
  t.throws(() => resolveUser("ghost", passwd, group), { code: "INFRA_RUNTIME_UNKNOWN_USER" });
});

t.test("restart decisions and backoff", async (t) => {
  const p = { policy: "on-failure" as const, maxRetries: 2 };
  t.same(decideRestart({ policy: p, exitCode: 1, manuallyStopped: false, restartCount: 0, uptimeMs: 50, lastDelayMs: 0 }), { restart: true, delayMs: 100 });
  t.same(decideRestart({ policy: p, exitCode: 1, manuallyStopped: false, restartCount: 1, uptimeMs: 50, lastDelayMs: 100 }), { restart: true, delayMs: 200 });
  t.equal(decideRestart({ policy: p, exitCode: 1, manuallyStopped: false, restartCount: 2, uptimeMs: 50, lastDelayMs: 200 }).restart, false);
  t.equal(decideRestart({ policy: p, exitCode: 0, manuallyStopped: false, restartCount: 0, uptimeMs: 50, lastDelayMs: 0 }).restart, false);
  t.equal(decideRestart({ policy: { policy: "always" }, exitCode: 0, manuallyStopped: false, restartCount: 9, uptimeMs: 50, lastDelayMs: 40000 }).delayMs, 60000);
  t.equal(decideRestart({ policy: { policy: "always" }, exitCode: 0, manuallyStopped: false, restartCount: 9, uptimeMs: 11000, lastDelayMs: 40000 }).delayMs, 100, "reset after 10 s up");
  t.equal(decideRestart({ policy: { policy: "unless-stopped" }, exitCode: 0, manuallyStopped: true, restartCount: 0, uptimeMs: 0, lastDelayMs: 0 }).restart, false);
});

t.test("k8s-file logs: partial lines, tail, since", async (t) => {
  const text = "2026-01-01T00:00:01.5+00:00 stdout P hel\n2026-01-01T00:00:01.6+00:00 stdout F lo\n2026-01-01T00:00:03.000000001+00:00 stderr F err\n";
  const lines = parseLogText(text);
  t.same(lines.map((l) => [l.stream, l.text]), [["stdout", "hello"], ["stderr", "err"]]);
  t.same(queryLog(lines, { tail: 1 }).map((l) => l.text), ["err"]);
  // A stdout line cut at a buffer boundary, with stderr written between its pieces.
  const mixed = "t1 stdout P ab\nt2 stderr F oops\nt3 stdout F cd\nt4 stderr P tail";
  t.same(parseLogText(mixed).map((l) => [l.stream, l.text]), [["stdout", "abcd"], ["stderr", "oops"], ["stderr", "tail"]], "partial lines join within their own stream");
  t.same(queryLog(lines, { since: "2026-01-01T00:00:02Z" }).map((l) => l.text), ["err"]);
  t.equal(renderResolvConf("nameserver 127.0.0.53\nsearch lan\n", {}), "nameserver 8.8.8.8\nnameserver 8.8.4.4\nsearch lan\n", "loopback resolvers dropped");
});
