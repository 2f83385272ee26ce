// compose's depends_on conditions, judged and polled without an engine (fake clock, scripted observations).
import t from "tap";
import type { WaitForSpec } from "../../src/graph/specs.js";
import { hasHealthcheck, waitForContainers, waitVerdict, type WaitHost, type WaitObservation } from "../../src/providers/local-runtime/container/wait-for.js";
import type { ImageRecord } from "../../src/providers/local-runtime/image/image-types.js";

const started: WaitForSpec = { container: "db", condition: "started" };
const healthy: WaitForSpec = { container: "db", condition: "healthy" };
const done: WaitForSpec = { container: "migrate", condition: "completed_successfully" };
const at = "2026-01-01T00:00:00Z";

t.test("waitVerdict: started", async (t) => {
  t.equal(waitVerdict(started, { state: "created", health: "none" }).kind, "wait");
  t.equal(waitVerdict(started, { state: "running", startedAt: at, health: "none" }).kind, "ready");
  t.equal(waitVerdict(started, { state: "exited", startedAt: at, exitCode: 3, health: "none" }).kind, "ready", "it ran: compose asks no more");
  t.equal(waitVerdict(started, { state: "exited", health: "none" }).kind, "wait", "exited without ever starting");
  t.match(waitVerdict(started, { state: "missing", health: "none" }), { kind: "fail", code: "INFRA_CONTAINER_WAIT_NO_CONTAINER", message: /container 'db' does not exist/ });
});

t.test("waitVerdict: healthy", async (t) => {
  t.equal(waitVerdict(healthy, { state: "running", startedAt: at, health: "starting" }).kind, "wait");
  t.equal(waitVerdict(healthy, { state: "running", startedAt: at, health: "healthy" }).kind, "ready");
  t.match(waitVerdict(healthy, { state: "running", startedAt: at, health: "unhealthy" }), { kind: "fail", code: "INFRA_CONTAINER_WAIT_UNHEALTHY", message: /'db' is unhealthy \(waited for: healthy\)/ });
  t.match(waitVerdict(healthy, { state: "running", startedAt: at, health: "none" }), { kind: "fail", code: "INFRA_CONTAINER_WAIT_NO_HEALTHCHECK", hint: /healthcheck/ });
  t.match(waitVerdict(healthy, { state: "exited", startedAt: at, exitCode: 1, health: "starting" }), { kind: "fail", code: "INFRA_CONTAINER_WAIT_EXITED", message: /exited with code 1 before it became healthy/ });
  t.match(waitVerdict(healthy, { state: "exited", startedAt: at, exitCode: 0, health: "healthy" }), { kind: "fail", code: "INFRA_CONTAINER_WAIT_EXITED" }, "healthy once, gone now");
});

t.test("waitVerdict: completed_successfully", async (t) => {
  t.equal(waitVerdict(done, { state: "running", startedAt: at, health: "none" }).kind, "wait");
  t.equal(waitVerdict(done, { state: "exited", startedAt: at, exitCode: 0, health: "none" }).kind, "ready");
  t.match(waitVerdict(done, { state: "exited", startedAt: at, exitCode: 2, health: "none" }), { kind: "fail", code: "INFRA_CONTAINER_WAIT_EXITED_NON_ZERO", message: /'migrate' exited with code 2 \(waited for: completed_successfully\)/ });
});

/** A host whose observations follow a script per container, on a fake clock advanced by sleep. */
function scripted(script: Record<string, WaitObservation[]>): WaitHost & { slept: number[]; clock: number } {
  const seen: Record<string, number> = {};
  const h = {
    clock: 0,
    slept: [] as number[],
    now: () => h.clock,
    sleep: async (ms: number) => { h.slept.push(ms); h.clock += ms; },
    observe: async (w: WaitForSpec) => {
      const list = script[w.container] ?? [];
      const i = seen[w.container] = (seen[w.container] ?? -1) + 1;
      return list[Math.min(i, list.length - 1)] ?? { state: "missing" as const, health: "none" as const };
    },
  };
  return h;
}

t.test("waitForContainers polls until every entry is met, backing off", async (t) => {
  const starting: WaitObservation = { state: "running", startedAt: at, health: "starting" };
  const h = scripted({
    db: [starting, starting, starting, { state: "running", startedAt: at, health: "healthy" }],
    migrate: [{ state: "running", startedAt: at, health: "none" }, { state: "exited", startedAt: at, exitCode: 0, health: "none" }],
  });
  await waitForContainers([healthy, done], h);
  t.same(h.slept, [100, 150, 225], "three rounds of waiting, each half again as long");
});

t.test("waitForContainers fails at once on a condition that can no longer be met", async (t) => {
  const h = scripted({ migrate: [{ state: "exited", startedAt: at, exitCode: 7, health: "none" }] });
  await t.rejects(waitForContainers([done], h), { name: "ProviderError", category: "Conflict", code: "INFRA_CONTAINER_WAIT_EXITED_NON_ZERO" });
  t.same(h.slept, []);
  const n = scripted({ db: [{ state: "running", startedAt: at, health: "none" }] });
  await t.rejects(waitForContainers([healthy], n), { category: "Invalid", code: "INFRA_CONTAINER_WAIT_NO_HEALTHCHECK" });
});

t.test("waitForContainers gives up at the timeout, naming what it waited for", async (t) => {
  const h = scripted({ db: [{ state: "running", startedAt: at, health: "starting" }] });
  await t.rejects(waitForContainers([healthy, started], h, { timeoutMs: 5000 }), {
    code: "INFRA_CONTAINER_WAIT_TIMEOUT",
    message: /gave up after 5 s waiting for 'db' \(healthy\)$/,
  });
  t.equal(h.clock, 5000, "no sleep past the deadline");
  t.ok(h.slept.every((ms) => ms <= 1000), "polls stay at most a second apart");
});

t.test("hasHealthcheck: the container's own check, else the image's, unless disabled", async (t) => {
  const img = (test?: string[]) => ({ config: { config: test ? { Healthcheck: { Test: test } } : {} } }) as unknown as ImageRecord;
  t.equal(hasHealthcheck({ spec: { name: "a", image: "busybox" } }, img()), false);
  t.equal(hasHealthcheck({ spec: { name: "a", image: "busybox", healthcheck: { test: ["CMD-SHELL", "true"] } } }, img()), true);
  t.equal(hasHealthcheck({ spec: { name: "a", image: "busybox" } }, img(["CMD", "true"])), true, "from the image");
  t.equal(hasHealthcheck({ spec: { name: "a", image: "busybox", healthcheck: { test: ["NONE"] } } }, img(["CMD", "true"])), false, "disabled");
  t.equal(hasHealthcheck({ spec: { name: "a", image: "busybox" } }, undefined), false, "image unknown");
});
