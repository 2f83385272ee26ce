/**
 * `infra events` against a private engine: the CLI follows the stream while a container runs and
 * exits 3; --since/--until replay the engine's ring; --filter keeps what matches.
 */
import t from "tap";
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { EngineEvent } from "../../src/providers/local-runtime/engine/engine-events.js";
import { startCliEngine, stopCliEngine, type CliEngine } from "./cli-engine.js";
import { waitFor } from "./harness.js";

const entry = fileURLToPath(new URL("./cli-entry.ts", import.meta.url));
const prefix = `ev${process.pid.toString(36)}`;
let h: CliEngine;
const children = new Set<ChildProcess>();

t.before(async () => { h = await startCliEngine("infra-events-"); });
t.teardown(() => stopCliEngine(h, children));

interface Cli { child: ChildProcess; out: () => string; err: () => string; done: Promise<number | null> }

function cli(args: string[]): Cli {
  const child = spawn(process.execPath, ["--import", "tsx", entry, ...args], { env: h.env, stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  let out = "";
  let err = "";
  child.stdout!.on("data", (d: Buffer) => { out += d.toString(); });
  child.stderr!.on("data", (d: Buffer) => { err += d.toString(); });
  const timer = setTimeout(() => child.kill("SIGKILL"), 60000);
  const done = new Promise<number | null>((resolve) => child.on("close", (code) => { clearTimeout(timer); children.delete(child); resolve(code); }));
  return { child, out: () => out, err: () => err, done };
}

const events = (text: string) => text.split("\n").filter(Boolean).map((l) => JSON.parse(l) as EngineEvent);

t.test("follows create, start, die (exitCode 3), destroy of a container, in order, until SIGINT", async (t) => {
  const t0 = (Date.now() / 1000).toFixed(3);
  const follow = cli(["events", "--format", "json"]);
  await waitFor(() => h.engine.ctx.events.subscribers === 1, 30000);
  const name = `${prefix}-exit3`;
  const run = cli(["run", "--rm", "--name", name, "--network", "none", "busybox", "sh", "-c", "exit 3"]);
  t.equal(await run.done, 3, run.err());
  await waitFor(() => events(follow.out()).some((e) => e.Action === "destroy" && e.Actor.Attributes.name === name), 15000);
  follow.child.kill("SIGINT");
  const code = await follow.done;
  t.ok(code === 0 || code === 130, `events ends on SIGINT (exit ${code}): ${follow.err()}`);
  const mine = events(follow.out()).filter((e) => e.Type === "container" && e.Actor.Attributes.name === name);
  t.same(mine.map((e) => e.Action), ["create", "start", "die", "destroy"]);
  t.equal(mine[2]!.Actor.Attributes.exitCode, "3");
  t.equal(mine[0]!.Actor.Attributes.image, "busybox");
  t.ok(mine.every((e, i) => e.Actor.ID.length === 64 && e.Actor.ID === mine[0]!.Actor.ID && (i === 0 || e.timeNano > mine[i - 1]!.timeNano)), "one id, times increasing");
  t.equal(h.engine.ctx.events.subscribers, 0, "the engine dropped the subscriber");

  // --since replays from the ring; --until in the past ends the stream by itself.
  const t1 = (Date.now() / 1000 + 0.001).toFixed(3);
  const replay = cli(["events", "--format", "json", "--since", t0, "--until", t1]);
  t.equal(await replay.done, 0, replay.err());
  t.same(events(replay.out()).filter((e) => e.Actor.Attributes.name === name).map((e) => e.Action), ["create", "start", "die", "destroy"]);

  const dies = cli(["events", "--format", "json", "--since", t0, "--until", t1, "--filter", "event=die"]);
  t.equal(await dies.done, 0, dies.err());
  const got = events(dies.out());
  t.ok(got.length >= 1, "a die event");
  t.ok(got.every((e) => e.Action === "die"), "only die events");
  t.equal(got.find((e) => e.Actor.Attributes.name === name)?.Actor.Attributes.exitCode, "3");

  // The human form: one line per event with its attributes.
  const human = cli(["events", "--since", t0, "--until", t1, "--filter", `container=${name}`, "--filter", "event=die"]);
  t.equal(await human.done, 0, human.err());
  t.match(human.out(), new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z container die [0-9a-f]{64} \\(exitCode=3, image=busybox, name=${name}\\)\\n$`));
});

t.test("image and volume events, from the engine's routes and from CLI processes (tag)", async (t) => {
  const follow = cli(["events", "--format", "json", "--filter", "type=image", "--filter", "type=volume"]);
  await waitFor(() => h.engine.ctx.events.subscribers === 1, 30000);
  const img = `${prefix}-tagged:1`;
  const vol = `${prefix}-vol`;
  for (const args of [["tag", "busybox", img], ["rmi", img], ["volume", "create", vol], ["volume", "rm", vol]]) {
    const r = cli(args);
    t.equal(await r.done, 0, `infra ${args.join(" ")}: ${r.err()}`);
  }
  await waitFor(() => events(follow.out()).some((e) => e.Type === "volume" && e.Action === "destroy"), 15000);
  follow.child.kill("SIGTERM");
  await follow.done;
  const got = events(follow.out()).map((e) => [e.Type, e.Action, e.Actor.Attributes.name ?? e.Actor.ID]);
  const busybox = (await h.engine.ctx.images.resolve("busybox"))!.id;
  t.same(got.map(([ty, a]) => `${ty} ${a}`), ["image tag", "image untag", "volume create", "volume destroy"]);
  t.match(got[0]![2], new RegExp(`${prefix}-tagged:1$`));
  t.equal(events(follow.out())[0]!.Actor.ID, busybox, "the image id is the actor");
  t.equal(got[2]![2], vol);
  t.equal(h.engine.ctx.events.subscribers, 0, "SIGTERM ended the stream");
});

t.test("a bad filter or time is an error with a code, and no stream", async (t) => {
  const bad = cli(["events", "--filter", "colour=red"]);
  t.not(await bad.done, 0);
  t.match(bad.err(), /INFRA_RUNTIME_BAD_EVENT_FILTER/);
  t.match(bad.err(), /colour=red/);
  const badTime = cli(["events", "--since", "yesterday"]);
  t.not(await badTime.done, 0);
  t.match(badTime.err(), /INFRA_RUNTIME_BAD_EVENT_TIME/);
  t.equal(h.engine.ctx.events.subscribers, 0);
});

t.test("a stream ends when the engine closes its event bus (engine shutdown)", async (t) => {
  const follow = cli(["events"]);
  await waitFor(() => h.engine.ctx.events.subscribers === 1, 30000);
  h.engine.ctx.events.close();
  t.equal(await follow.done, 0, `the CLI returns by itself: ${follow.err()}`);
  t.equal(h.engine.ctx.events.subscribers, 0);
});
