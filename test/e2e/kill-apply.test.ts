/**
 * kill -9 during `infra apply --yes`, of the CLI or of the engine, at seeded random moments of the
 * apply (the k-th "Creating..." line plus a random delay), on a stack with two networks, two
 * volumes and three containers. After each kill: the next plan creates nothing that exists (it
 * adopts it), the next apply converges (`plan --detailed-exitcode` exits 0), and a destroy leaves
 * nothing of the stack in the engine nor on the host. Root only.
 *
 * INFRA_KILL_TRIALS=N runs N trials (6 by default: 4 of the CLI, 2 of the engine);
 * INFRA_KILL_SEED=S replays a run (the seed is printed).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import t from "tap";
import { EngineClient } from "../../src/providers/local-runtime/engine/engine-client.js";
import { makeE2e, type CliResult } from "./e2e-harness.js";

if (process.getuid?.() !== 0) {
  t.plan(0, "needs root");
  process.exit(0);
}

const repo = fileURLToPath(new URL("../../", import.meta.url));
const trials = Math.max(1, Number(process.env.INFRA_KILL_TRIALS ?? "6") || 6);
const seed = Number(process.env.INFRA_KILL_SEED ?? "") || Math.floor(Math.random() * 2 ** 31);
t.comment(`seed ${seed} (INFRA_KILL_SEED=${seed} replays it), ${trials} trials`);
// A trial takes ~12 s on an idle machine (five CLI runs), up to ~30 s under load.
t.setTimeout(Math.max(300_000, 60_000 + trials * 45_000));

// mulberry32: small, seeded, good enough to pick moments.
let s = seed >>> 0;
function random(): number {
  s = (s + 0x6d2b79f5) >>> 0;
  let x = s;
  x = Math.imul(x ^ (x >>> 15), x | 1);
  x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
  return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
}

const e = await makeE2e("kill");
t.teardown(() => e.cleanup());

const stackName = `kill${e.prefix.slice(2)}`;
const stackDir = join(e.dir, stackName);
await mkdir(stackDir);
await writeFile(
  join(stackDir, "infra.ts"),
  `import { Container, Network, Volume, defineStack } from "infra";

export default defineStack((stack) => {
  const front = new Network(stack, "front");
  const back = new Network(stack, "back", { internal: true });
  const data = new Volume(stack, "data");
  const logs = new Volume(stack, "logs");
  const idle = ["sh", "-c", "exec sleep 3600"];
  const db = new Container(stack, "db", { image: "busybox", command: idle, network: back, volumes: [{ volume: data, target: "/data" }] });
  new Container(stack, "api", { image: "busybox", command: idle, networks: [front, back], env: { DB: db.ipAddress }, volumes: [{ volume: logs, target: "/logs" }] });
  new Container(stack, "web", { image: "busybox", command: idle, network: front, volumes: [{ volume: logs, target: "/logs", readOnly: true }] });
});
`,
);

/** bin/infra when the CLI is built (as a user runs it); the sources through tsx otherwise. */
function cliCommand(args: string[]): [string, string[]] {
  if (existsSync(join(repo, "dist", "cli", "main.js"))) return [join(repo, "bin", "infra"), args];
  return [process.execPath, ["--import", "tsx", join(repo, "src", "cli", "main.ts"), ...args]];
}

function startCli(args: string[]): { child: ChildProcess; done: Promise<CliResult>; output: () => string } {
  const [cmd, argv] = cliCommand(["-C", stackDir, ...args]);
  const child = spawn(cmd, argv, { cwd: repo, env: e.env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal === "SIGKILL" ? 137 : -1), stdout, stderr });
    });
  });
  return { child, done, output: () => stdout };
}

const cli = (...args: string[]): Promise<CliResult> => startCli(args).done;

/** Resolves once `count` lines matching `re` were printed (or the process ended). */
async function waitForLines(run: ReturnType<typeof startCli>, re: RegExp, count: number): Promise<boolean> {
  for (;;) {
    if ((run.output().match(new RegExp(re.source, "gm")) ?? []).length >= count) return true;
    if (run.child.exitCode !== null || run.child.signalCode !== null) return false;
    await new Promise((r) => setTimeout(r, 5));
  }
}

interface Labelled {
  kind: string;
  name: string;
  address: string;
}

/** Every container, network and volume in this run's engine that carries the stack's label. */
async function labelled(): Promise<Labelled[]> {
  const c = new EngineClient(e.layout.engineSocket);
  const mine = (l: Record<string, string> | undefined) => l?.["infra.stack"] === stackName;
  const out: Labelled[] = [];
  for (const r of await c.call<Array<{ name: string; spec: { labels?: Record<string, string> } }>>("GET", "/containers?all=1"))
    if (mine(r.spec.labels)) out.push({ kind: "container", name: r.name, address: r.spec.labels!["infra.address"]! });
  for (const n of await c.call<Array<{ name: string; labels: Record<string, string> }>>("GET", "/networks"))
    if (mine(n.labels)) out.push({ kind: "network", name: n.name, address: n.labels["infra.address"]! });
  for (const v of await c.call<Array<{ name: string; labels: Record<string, string> }>>("GET", "/volumes"))
    if (mine(v.labels)) out.push({ kind: "volume", name: v.name, address: v.labels["infra.address"]! });
  return out.sort((a, b) => (a.address < b.address ? -1 : 1));
}

async function enginePid(): Promise<number> {
  return Number((await readFile(e.layout.enginePidFile, "utf8").catch(() => "0")).trim());
}

interface Trial {
  n: number;
  victim: "cli" | "engine";
  /** Kill after the k-th "Creating..." line ... */
  k: number;
  /** ... and this many milliseconds. */
  delayMs: number;
}

const plannedTrials: Trial[] = Array.from({ length: trials }, (_, i) => ({
  n: i + 1,
  // Every third trial kills the engine (2 of the default 6).
  victim: i % 3 === 2 ? "engine" : "cli",
  k: 1 + Math.floor(random() * 7),
  delayMs: Math.floor(random() * 400),
}));

const report: string[] = [];

// The engine runs before the first trial: a kill while the CLI starts the engine, followed at once by
// another CLI starting one too, is a race of engine start-up (reported apart), not of apply.
t.before(async () => {
  const ps = await cli("ps", "-a");
  if (ps.code !== 0) throw new Error(`could not start the engine: ${ps.stderr}`);
});

for (const trial of plannedTrials) {
  t.test(`trial ${trial.n}: kill -9 of the ${trial.victim} after "Creating..." #${trial.k} + ${trial.delayMs} ms`, async (t) => {
    // A failed earlier trial's leftovers are reported there, not again here.
    const earlier = new Set(await e.leftovers());
    const run = startCli(["apply", "--yes"]);
    const reached = await waitForLines(run, /: Creating\.\.\.$/, trial.k);
    await new Promise((r) => setTimeout(r, trial.delayMs));
    let killed = false;
    if (run.child.exitCode === null && run.child.signalCode === null) {
      if (trial.victim === "cli") {
        run.child.kill("SIGKILL");
        killed = true;
      } else {
        const pid = await enginePid();
        if (pid > 0) {
          process.kill(pid, "SIGKILL");
          killed = true;
        }
      }
    }
    const first = await run.done;
    const left = await labelled().catch(() => undefined);
    if (trial.victim === "engine" && killed) {
      // Killed after the CLI's last call, the apply is complete; otherwise the CLI must say what failed.
      if (first.code === 0) t.match(first.stdout, /Apply complete!/, "the engine died after the last step: the apply was complete");
      else t.match(first.stderr, /INFRA_RUNTIME_ENGINE_DOWN|INFRA_[A-Z_]+/, "the CLI fails with a coded error when the engine dies under it");
    }

    // The next plan (which starts the engine again, if it was killed) creates nothing that exists.
    const plan = await cli("plan", "--json");
    t.equal(plan.code, 0, `plan after the kill: ${plan.stderr}`);
    // A plan changes nothing: what is live now is what it saw.
    const live = await labelled();
    const doc = JSON.parse(plan.stdout || "{}") as { resource_changes?: Array<{ address: string; change: { actions: string[]; importing?: unknown } }> };
    const creates = (doc.resource_changes ?? []).filter((c) => c.change.actions.length === 1 && c.change.actions[0] === "create").map((c) => c.address);
    const existing = new Set(live.map((l) => l.address));
    t.same(creates.filter((a) => existing.has(a)), [], "no create for an object that exists");
    const imports = (doc.resource_changes ?? []).filter((c) => c.change.importing !== undefined).map((c) => c.address);

    const apply = await cli("apply", "--yes");
    t.equal(apply.code, 0, `the next apply converges:\n${apply.stdout}\n${apply.stderr}`);
    const again = await cli("plan", "--detailed-exitcode");
    t.equal(again.code, 0, `plan --detailed-exitcode after it: ${again.stdout}${again.stderr}`);

    const destroy = await cli("destroy", "--yes");
    t.equal(destroy.code, 0, `destroy: ${destroy.stdout}${destroy.stderr}`);
    t.same(await labelled(), [], "nothing labelled with the stack is left in the engine");
    const host = (await e.leftovers()).filter((l) => !earlier.has(l));
    // A bridge an engine killed mid-create left without a record is removed when the engine starts again.
    t.same(host, [], "no container, netns, mount, monitor, bridge or nft rule of the stack is left on the host");
    const engineError = first.code !== 0 && first.code !== 137 ? (first.stderr.match(/INFRA_[A-Z_]+/)?.[0] ?? "no code") : "";

    const line =
      `trial ${trial.n} (${trial.victim}, after Creating #${trial.k}${reached ? "" : " (not reached)"} + ${trial.delayMs} ms): ` +
      `${killed ? "killed" : "apply had ended"}, first apply exit ${first.code}${engineError === "" ? "" : ` (${engineError})`}; live after the kill: ${left === undefined ? "engine down" : left.length} (${live.map((l) => l.address).join(", ")}); ` +
      `plan imported ${imports.length} [${imports.join(", ")}], created ${creates.length}; apply exit ${apply.code}; plan -detailed-exitcode ${again.code}; destroy exit ${destroy.code}; host leftovers after destroy: ${host.length === 0 ? "none" : host.join(", ")}`;
    report.push(line);
    t.comment(line);
  });
}

t.test("report", async (t) => {
  for (const l of report) t.comment(l);
  t.pass(`${report.length} trials`);
});
