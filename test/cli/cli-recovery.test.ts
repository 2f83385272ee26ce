// Recovery paths across processes with the in-memory provider: Ctrl-C during apply, refresh,
// state rm followed by import, and graph.
import { spawnSync } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import t from "tap";
import { collect, runCli, startCli, tempDir } from "./fixtures/run-cli.js";

const env = { INFRA_PROVIDER: "memory" };

t.test("Ctrl-C during apply stops, records what finished, and the next apply converges", async (t) => {
  const cwd = tempDir(t, "sigint");
  t.equal((await runCli(["init"], { cwd })).code, 0);
  const child = startCli(["apply", "--yes", "--parallelism", "1"], { cwd, env: { ...env, INFRA_MEMORY_DELAY_MS: "1500" } });
  child.stdin?.end();
  const done = collect(child);
  await new Promise<void>((res) => {
    child.stdout?.on("data", (d: Buffer) => {
      if (d.toString().includes("Creating...")) res();
    });
  });
  child.kill("SIGINT");
  const r = await done;
  t.not(r.code, 0, "non-zero exit");
  t.match(r.stdout, /Apply interrupted!/);
  t.match(r.stderr, /Interrupt received/);
  const recorded = (await runCli(["state", "list"], { cwd })).stdout.trim().split("\n").filter(Boolean);
  t.ok(recorded.length >= 1 && recorded.length < 4, `state records what finished (${recorded.length})`);
  const rest = await runCli(["apply", "--yes"], { cwd, env });
  t.equal(rest.code, 0, rest.stderr);
  t.match(rest.stdout, new RegExp(`Apply complete! Resources: ${4 - recorded.length} added`));
  const plan = await runCli(["plan", "--detailed-exitcode"], { cwd, env });
  t.equal(plan.code, 0, "converged");
  t.equal((await runCli(["destroy", "--yes"], { cwd, env })).code, 0);
});

t.test("refresh, state rm + import, graph", async (t) => {
  const cwd = tempDir(t, "import");
  const run = (...args: string[]) => runCli(args, { cwd, env });
  t.equal((await run("init")).code, 0);
  t.equal((await run("apply", "--yes")).code, 0);

  const refreshed = await run("refresh");
  t.equal(refreshed.code, 0, refreshed.stderr);
  t.match(refreshed.stdout, /Refreshed 4 resources: 0 changed outside infra, 0 deleted outside infra\./);

  const id = (await run("state", "list")).stdout.split("\n").find((l) => l.startsWith("volume.content"))?.split(/\s+/)[2];
  t.ok(id, "the volume's id");
  t.equal((await run("state", "rm", "volume.content")).code, 0);
  // Let go on purpose: though it still carries the stack's labels, the plan does not take it back.
  const orphan = await run("plan", "--detailed-exitcode");
  t.equal(orphan.code, 2);
  t.match(orphan.stdout, /# volume\.content will be created/);

  const imported = await run("import", "volume.content", id!);
  t.equal(imported.code, 0, imported.stderr);
  const after = await run("plan", "--detailed-exitcode");
  t.equal(after.code, 0, after.stdout + after.stderr);

  const notInStack = await run("import", "volume.nope", id!);
  t.equal(notInStack.code, 1);
  t.match(notInStack.stderr, /INFRA_CLI_IMPORT_NOT_IN_STACK/);

  const dot = await runCli(["graph"], { cwd });
  t.equal(dot.code, 0, dot.stderr);
  t.match(dot.stdout, /^digraph /);
  t.match(dot.stdout, /container\.web/);
  t.equal(dot.stderr, "", "graph uses no provider");
  // Graphviz is installed by scripts/setup.
  const svg = await runCli(["graph", "--svg"], { cwd });
  t.equal(svg.code, 0, svg.stderr);
  t.match(svg.stdout, /<svg[\s\S]*container\.web[\s\S]*<\/svg>/, "--svg renders the graph with Graphviz");

  t.equal((await run("destroy", "--yes")).code, 0);
});

t.test("a lock left by a killed CLI is taken over, with a message, and the run goes on", async (t) => {
  const cwd = tempDir(t, "stale-lock");
  const run = (...args: string[]) => runCli(args, { cwd, env });
  t.equal((await run("init")).code, 0);
  t.equal((await run("apply", "--yes")).code, 0);
  const stateFile = readdirSync(join(cwd, ".infra")).find((f) => f.endsWith(".state.json"))!;
  const lock = join(cwd, ".infra", stateFile.replace(/\.state\.json$/, ".lock"));
  // The pid of a process that has exited, as kill -9 of `infra apply` leaves it in the lock.
  const dead = spawnSync(process.execPath, ["-e", "0"]).pid;
  writeFileSync(lock, JSON.stringify({ id: "killed-apply", pid: dead, host: hostname(), command: "infra apply", createdAt: "2026-01-01T00:00:00.000Z" }));
  const plan = await run("plan", "--detailed-exitcode", "--lock-timeout", "0s");
  t.equal(plan.code, 0, plan.stderr);
  t.match(plan.stderr, /INFRA_STATE_LOCK_TAKEN_OVER/);
  t.match(plan.stderr, new RegExp(`Took over the state lock left by pid ${dead} \\("infra apply"`));
  t.equal((await run("destroy", "--yes")).code, 0);
});
