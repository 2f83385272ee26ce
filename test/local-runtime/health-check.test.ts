import t from "tap";
import { HEALTH_OUTPUT_MAX, healthArgv, initialHealth, nextHealth, resolveHealthcheck } from "../../src/providers/local-runtime/container/health-check.js";
import { makeHarness, waitFor, type Harness } from "./harness.js";
import { execCollect } from "../../src/providers/local-runtime/container/container-ops.js";

t.test("resolveHealthcheck: Docker's defaults, image config in ns, spec overrides, NONE", async (t) => {
  t.same(resolveHealthcheck({ test: ["CMD", "true"] }, undefined), { argv: ["true"], intervalMs: 30000, timeoutMs: 30000, retries: 3, startPeriodMs: 0 });
  const img = { Test: ["CMD-SHELL", "wget -q localhost"], Interval: 5e9, Timeout: 2e9, Retries: 4, StartPeriod: 1e9 };
  t.same(resolveHealthcheck(undefined, img), { argv: ["/bin/sh", "-c", "wget -q localhost"], intervalMs: 5000, timeoutMs: 2000, retries: 4, startPeriodMs: 1000 });
  t.same(resolveHealthcheck({ test: [], intervalMs: 700 }, img)?.intervalMs, 700, "an empty test keeps the image's command, changes timings");
  t.same(resolveHealthcheck({ test: [], intervalMs: 700 }, img)?.argv, ["/bin/sh", "-c", "wget -q localhost"]);
  t.equal(resolveHealthcheck({ test: ["NONE"] }, img), undefined, "NONE disables the image's check");
  t.equal(resolveHealthcheck(undefined, undefined), undefined);
  t.throws(() => healthArgv(["echo", "hi"]), { code: "INFRA_RUNTIME_BAD_HEALTHCHECK" });
  t.throws(() => resolveHealthcheck({ test: ["CMD", "true"], retries: 0 }, undefined), { code: "INFRA_RUNTIME_BAD_HEALTHCHECK" });
});

t.test("nextHealth: start period, retries, last 5 results, 4096 bytes of output", async (t) => {
  const h = { argv: ["x"], intervalMs: 1000, timeoutMs: 1000, retries: 2, startPeriodMs: 10_000 };
  const started = Date.parse("2024-01-01T00:00:00Z");
  const at = (s: number, exitCode: number, output = "") => ({ start: new Date(started + s * 1000).toISOString(), end: new Date(started + s * 1000).toISOString(), exitCode, output });
  let s = initialHealth();
  s = nextHealth(s, at(1, 1), h, started);
  s = nextHealth(s, at(2, 1), h, started);
  t.equal(s.status, "starting", "failures inside the start period do not count");
  t.equal(s.failingStreak, 0);
  s = nextHealth(s, at(11, 1), h, started);
  t.same([s.status, s.failingStreak], ["starting", 1]);
  s = nextHealth(s, at(12, 1), h, started);
  t.same([s.status, s.failingStreak], ["unhealthy", 2]);
  s = nextHealth(s, at(13, 0, "x".repeat(5000)), h, started);
  t.same([s.status, s.failingStreak], ["healthy", 0]);
  t.equal(s.log.length, 5, "keeps the last 5 results");
  t.equal(s.log.at(-1)!.output.length, HEALTH_OUTPUT_MAX);
  let ok = initialHealth();
  ok = nextHealth(ok, at(1, 0), h, started);
  t.equal(ok.status, "healthy", "a success inside the start period counts");
});

let hs: Harness;
t.test("engine: a check that flips starting → healthy → unhealthy, timeouts, paused and stopped containers", async (t) => {
  hs = await makeHarness("infra-d3-health-");
  t.teardown(() => hs.cleanup());
  const m = hs.manager;
  const c = await m.create({
    name: "flip", image: "busybox", networkMode: "none",
    command: ["sh", "-c", "sleep 1.5; echo ok > /tmp/ready; exec sleep 300"],
    healthcheck: { test: ["CMD-SHELL", "cat /tmp/ready"], intervalMs: 250, timeoutMs: 2000, retries: 2 },
  });
  await m.start(c.id);
  t.equal(m.get(c.id).health?.status ?? "starting", "starting");
  t.ok(await waitFor(() => m.get(c.id).health?.log.some((l) => l.exitCode !== 0) ?? false, 5000), "failing probes were recorded");
  t.ok(await waitFor(() => m.get(c.id).health?.status === "healthy", 10000), "healthy once the file exists");
  t.equal(m.get(c.id).health!.log.at(-1)!.output.trim(), "ok");
  t.ok(m.get(c.id).health!.log.length <= 5);
  await execCollect(m, c.id, { cmd: ["rm", "/tmp/ready"] });
  t.ok(await waitFor(() => m.get(c.id).health?.status === "unhealthy", 10000), "unhealthy after 2 failures");
  t.ok(m.get(c.id).health!.failingStreak >= 2);
  t.match(m.get(c.id).health!.log.at(-1)!.output, /No such file/);

  // Paused: no probes run.
  await m.pause(c.id);
  const n = m.get(c.id).health!.log.at(-1)!.start;
  await new Promise((r) => setTimeout(r, 800));
  t.equal(m.get(c.id).health!.log.at(-1)!.start, n, "no probe while paused");
  await m.unpause(c.id);
  t.ok(await waitFor(() => m.get(c.id).health!.log.at(-1)!.start !== n, 5000), "probes resume after unpause");
  await m.stop(c.id, 1);
  t.same(m.health.active().includes(c.id), false, "no timer for a stopped container");

  const slow = await m.create({ name: "slow", image: "busybox", networkMode: "none", command: ["sleep", "300"], healthcheck: { test: ["CMD-SHELL", "trap '' TERM; sleep 5"], intervalMs: 200, timeoutMs: 300, retries: 1 } });
  await m.start(slow.id);
  t.ok(await waitFor(() => m.get(slow.id).health?.status === "unhealthy", 8000), "a probe past its timeout fails");
  t.same(m.get(slow.id).health!.log[0]!.exitCode, -1);
  t.match(m.get(slow.id).health!.log[0]!.output, /exceeded timeout/);
  const first = m.get(slow.id).health!.log[0]!;
  t.ok(Date.parse(first.end) - Date.parse(first.start) < 2000, "a probe that ignores SIGTERM is killed at its timeout");
  t.ok(await waitFor(() => m.get(slow.id).health!.log.length >= 2, 3000), "and the next probe runs");
  await m.remove(slow.id, { force: true });
  t.same(m.health.active(), [], "no timers left");

  const none = await m.create({ name: "nocheck", image: "busybox", networkMode: "none", command: ["sleep", "300"] });
  await m.start(none.id);
  await new Promise((r) => setTimeout(r, 300));
  t.equal(m.get(none.id).health, undefined, "no check, no health");
  await t.rejects(m.create({ name: "bad", image: "busybox", healthcheck: { test: ["echo"] } }), { code: "INFRA_RUNTIME_BAD_HEALTHCHECK" });
  t.notOk(m.find("bad"), "nothing created for a bad check");
});
