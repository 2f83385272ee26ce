/** The event bus, its filters and the prune filters, without an engine. */
import t from "tap";
import type { ContainerRecord } from "../../src/providers/local-runtime/container/container-record.js";
import { EngineEvents, checkReportedImageEvent, containerTransitions } from "../../src/providers/local-runtime/engine/engine-events.js";
import { matchesEventFilter, parseEventFilters } from "../../src/providers/local-runtime/engine/event-filter.js";
import { parsePruneFilters, pruneMatches } from "../../src/providers/local-runtime/engine/engine-system-prune.js";
import { renderEvent } from "../../src/cli/commands/events.js";
import { humanSize } from "../../src/cli/commands/system-format.js";

const rec = (over: Partial<ContainerRecord>): ContainerRecord => ({
  id: "c".repeat(64), name: "web", spec: { name: "web", image: "busybox", labels: { tier: "front" } } as ContainerRecord["spec"],
  imageId: "sha256:" + "i".repeat(64), createdAt: "2024-01-01T00:00:00Z", state: "created", restartCount: 0, manuallyStopped: false,
  cgroupsPath: "x", anonymousVolumes: [], mounts: [], ...over,
});

t.test("record changes become Docker's container actions", async (t) => {
  const actions = (prev: ContainerRecord | undefined, next: ContainerRecord) => containerTransitions(prev, next).map(([a, x]) => (Object.keys(x).length ? `${a} ${JSON.stringify(x)}` : a));
  t.same(actions(undefined, rec({})), ["create"]);
  t.same(actions(rec({}), rec({ state: "running" })), ["start"]);
  t.same(actions(rec({ state: "running" }), rec({ state: "paused" })), ["pause"]);
  t.same(actions(rec({ state: "paused" }), rec({ state: "running" })), ["unpause"]);
  t.same(actions(rec({ state: "running" }), rec({ state: "exited", exitCode: 3 })), ['die {"exitCode":"3"}']);
  t.same(actions(rec({ state: "running" }), rec({ state: "exited", exitCode: 137, oomKilled: true })), ["oom", 'die {"exitCode":"137"}']);
  t.same(actions(rec({ state: "running" }), rec({ state: "running", health: { status: "healthy", failingStreak: 0, log: [] } })), ["health_status: healthy"]);
  t.same(actions(rec({ state: "running" }), rec({ state: "running", manuallyStopped: true })), [], "a flag change is no event");
  t.same(actions(rec({ state: "exited" }), rec({ state: "exited", manuallyStopped: true })), []);
});

t.test("the ring keeps the last N events, in order, and replays by time", async (t) => {
  const bus = new EngineEvents(3);
  const seen: string[] = [];
  const off = bus.subscribe((e) => seen.push(e.Action));
  for (const a of ["a", "b", "c", "d"]) bus.publish("volume", a, "v");
  off();
  bus.publish("volume", "e", "v");
  t.same(seen, ["a", "b", "c", "d"]);
  const all = bus.recent(0);
  t.same(all.map((e) => e.Action), ["c", "d", "e"]);
  t.ok(all[0]!.timeNano < all[1]!.timeNano && all[1]!.timeNano < all[2]!.timeNano, "strictly increasing times");
  t.same(bus.recent(all[1]!.timeNano).map((e) => e.Action), ["d", "e"]);
  t.same(bus.recent(0, all[1]!.timeNano).map((e) => e.Action), ["c", "d"]);
  bus.containerChanged(undefined, rec({}));
  t.same(bus.recent(0).at(-1)!.Actor.Attributes, { tier: "front", name: "web", image: "busybox" });
});

t.test("filters: one key's values are alternatives, keys combine", async (t) => {
  const bus = new EngineEvents();
  bus.containerChanged(rec({ state: "running" }), rec({ state: "exited", exitCode: 1 }));
  bus.publish("network", "connect", "n".repeat(64), { name: "front", type: "bridge", container: "c".repeat(64) });
  bus.publish("volume", "create", "data", { driver: "local" });
  const [die, connect, vol] = bus.recent(0);
  const m = (items: string[]) => [die, connect, vol].filter((e) => matchesEventFilter(e!, parseEventFilters(items))).map((e) => e!.Action);
  t.same(m([]), ["die", "connect", "create"]);
  t.same(m(["type=container", "type=volume"]), ["die", "create"]);
  t.same(m(["type=container", "event=create"]), []);
  t.same(m(["container=web"]), ["die"]);
  t.same(m(["container=" + "c".repeat(12)]), ["die", "connect"], "an id prefix also finds its network events");
  t.same(m(["label=tier"]), ["die"]);
  t.same(m(["label=tier=back"]), []);
  t.same(m(["network=front"]), ["connect"]);
  t.same(m(["volume=data"]), ["create"]);
  t.same(m(["image=busybox"]), ["die"]);
  t.throws(() => parseEventFilters(["colour=red"]), { code: "INFRA_RUNTIME_BAD_EVENT_FILTER" });
  t.throws(() => parseEventFilters(["type"]), { code: "INFRA_RUNTIME_BAD_EVENT_FILTER" });
});

t.test("prune filters, reported image events, rendering", async (t) => {
  const f = parsePruneFilters(["until=2024-06-01T00:00:00Z", "label=keep=x", "label!=pinned"]);
  t.equal(pruneMatches(f, "2024-01-01T00:00:00Z", { keep: "x" }), true);
  t.equal(pruneMatches(f, "2024-07-01T00:00:00Z", { keep: "x" }), false, "created after until");
  t.equal(pruneMatches(f, "2024-01-01T00:00:00Z", { keep: "x", pinned: "1" }), false, "label!= excludes");
  t.throws(() => parsePruneFilters(["dangling=true"]), { code: "INFRA_RUNTIME_BAD_PRUNE_FILTER" });
  t.throws(() => parsePruneFilters(["until=soon"]), { code: "INFRA_RUNTIME_BAD_EVENT_TIME" });
  t.same(checkReportedImageEvent({ action: "pull", id: "sha256:" + "a".repeat(64), name: "docker.io/library/alpine:3" }), { action: "pull", id: "sha256:" + "a".repeat(64), name: "docker.io/library/alpine:3" });
  t.throws(() => checkReportedImageEvent({ action: "die", id: "sha256:" + "a".repeat(64), name: "x" }), { code: "INFRA_RUNTIME_BAD_EVENT_REPORT" });
  t.throws(() => checkReportedImageEvent({ action: "tag", id: "../x", name: "x" }), { code: "INFRA_RUNTIME_BAD_EVENT_REPORT" });
  t.throws(() => checkReportedImageEvent({ action: "tag", id: "sha256:" + "a".repeat(64), name: "x".repeat(600) }), { code: "INFRA_RUNTIME_BAD_EVENT_REPORT" });
  t.equal(renderEvent({ Type: "container", Action: "die", Actor: { ID: "abc", Attributes: { name: "web", exitCode: "3" } }, scope: "local", time: 1714557600, timeNano: 1714557600_123456000 }),
    "2024-05-01T10:00:00.123456000Z container die abc (exitCode=3, name=web)\n");
  t.same([0, 999, 1000, 1234567, 3_080_000, 2.5e9].map(humanSize), ["0B", "999B", "1kB", "1.23MB", "3.08MB", "2.5GB"]);
});
