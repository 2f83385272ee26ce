/**
 * One measurement of the plan-speed benchmark, in a fresh process: load the stack (type-check,
 * run, synth), validate, read state, plan with `refresh: false`, render the human view; prints one
 * JSON line. `setup` instead applies the stack to a MemoryProvider and writes the resulting state.
 *
 * It imports nothing statically but Node built-ins, and infra by absolute path (`codeRoot` is
 * dist/ or src/), so that bench/plan-scale.ts can transpile it and run it on plain `node`.
 */
import { readFile, writeFile, mkdir } from "node:fs/promises";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import type * as LoadStack from "../src/dsl/loader/load-stack.js";
import type * as ValidateGraph from "../src/dsl/validate-graph.js";
import type * as Planner from "../src/plan/planner.js";
import type * as Executor from "../src/plan/executor.js";
import type * as Memory from "../src/providers/memory/memory-provider.js";
import type * as PlanHuman from "../src/views/plan-human.js";
import type * as StateCodec from "../src/state/state-codec.js";
import type * as StateTypes from "../src/state/state-types.js";
import type { Provider } from "../src/providers/contract.js";

export interface ChildRequest {
  mode: "measure" | "setup";
  /** Absolute path of infra's dist/ or src/ tree. */
  codeRoot: string;
  file: string;
  stackName: string;
  cacheDir: string;
  /** measure: the applied state to plan against (absent: an empty state). setup: where to write it. */
  statePath?: string;
}

export interface ChildResult {
  /** From process start to the first line of this module (Node's own start-up). */
  bootMs: number;
  /** Importing infra's modules. */
  importMs: number;
  typecheckMs: number;
  /** Transpiling the stack's files into the cache (0 when cached). */
  transpileMs: number;
  runMs: number;
  /** The loader's synth, which includes one validation pass and the env-file reads. */
  synthMs: number;
  /** A second validation pass, as `src/cli/load-graph.ts` makes it. */
  validateMs: number;
  stateMs: number;
  diffMs: number;
  renderMs: number;
  /** From process start to the end of the render. */
  totalMs: number;
  /** CPU time (user + system) of the process; on a busy machine it moves far less than wall time. */
  cpu: { importEndMs: number; loadMs: number; planMs: number; renderMs: number; totalMs: number };
  maxRssKB: number;
  typecheckCached: boolean;
  resources: number;
  summary: { add: number; change: number; destroy: number };
  empty: boolean;
  renderBytes: number;
  diagnostics: number;
}

const bootMs = performance.now();

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

async function load<T>(codeRoot: string, rel: string): Promise<T> {
  return (await import(pathToFileURL(path.join(codeRoot, rel)).href)) as T;
}

function registryFor(providers: Iterable<string>, p: Provider): Map<string, Provider> {
  return new Map([...new Set([...providers, "memory"])].map((n) => [n, p]));
}

async function measure(req: ChildRequest): Promise<ChildResult> {
  const t0 = performance.now();
  const { loadStack } = await load<typeof LoadStack>(req.codeRoot, "dsl/loader/load-stack.js");
  const { validateGraph } = await load<typeof ValidateGraph>(req.codeRoot, "dsl/validate-graph.js");
  const { makePlan, DEFAULT_PLAN_OPTIONS } = await load<typeof Planner>(req.codeRoot, "plan/planner.js");
  const { MemoryProvider } = await load<typeof Memory>(req.codeRoot, "providers/memory/memory-provider.js");
  const { renderPlanHuman } = await load<typeof PlanHuman>(req.codeRoot, "views/plan-human.js");
  const { parseState } = await load<typeof StateCodec>(req.codeRoot, "state/state-codec.js");
  const t1 = performance.now();
  const c1 = cpuMs();

  const loaded = await loadStack({ file: req.file, stackName: req.stackName, cacheDir: req.cacheDir });
  const t2 = performance.now();
  const c2 = cpuMs();
  const diags = [...loaded.diagnostics, ...validateGraph(loaded.graph)].filter((d) => d.severity === "error");
  const t3 = performance.now();
  const state = req.statePath === undefined ? undefined : parseState(await readFile(req.statePath, "utf8"), req.statePath);
  const t4 = performance.now();
  const c4 = cpuMs();
  const provider = new MemoryProvider();
  const plan = await makePlan({
    graph: loaded.graph,
    state,
    providers: registryFor(loaded.graph.resources.map((r) => r.provider), provider),
    options: { ...DEFAULT_PLAN_OPTIONS, refresh: false },
    infraVersion: "bench",
  });
  const t5 = performance.now();
  const c5 = cpuMs();
  const text = renderPlanHuman(plan, { color: false });
  const t6 = performance.now();
  const c6 = cpuMs();

  return {
    bootMs,
    importMs: t1 - t0,
    ...loaded.timings,
    validateMs: t3 - t2,
    stateMs: t4 - t3,
    diffMs: t5 - t4,
    renderMs: t6 - t5,
    totalMs: t6,
    cpu: { importEndMs: c1, loadMs: c2 - c1, planMs: c5 - c4, renderMs: c6 - c5, totalMs: c6 },
    maxRssKB: process.resourceUsage().maxRSS,
    typecheckCached: loaded.typecheckCached,
    resources: loaded.graph.resources.length,
    summary: { add: plan.summary.add, change: plan.summary.change, destroy: plan.summary.destroy },
    empty: plan.empty,
    renderBytes: Buffer.byteLength(text),
    diagnostics: diags.length + plan.diagnostics.filter((d) => d.severity === "error").length,
  };
}

/** Plans against an empty state and applies it to a MemoryProvider: the state of a stack that is up to date. */
async function setup(req: ChildRequest): Promise<{ resources: number; seconds: number }> {
  if (req.statePath === undefined) throw new Error("setup needs statePath");
  const { loadStack } = await load<typeof LoadStack>(req.codeRoot, "dsl/loader/load-stack.js");
  const { makePlan, DEFAULT_PLAN_OPTIONS } = await load<typeof Planner>(req.codeRoot, "plan/planner.js");
  const { applyPlan } = await load<typeof Executor>(req.codeRoot, "plan/executor.js");
  const { MemoryProvider } = await load<typeof Memory>(req.codeRoot, "providers/memory/memory-provider.js");
  const { serializeState } = await load<typeof StateCodec>(req.codeRoot, "state/state-codec.js");
  const { emptyState } = await load<typeof StateTypes>(req.codeRoot, "state/state-types.js");

  const started = performance.now();
  const loaded = await loadStack({ file: req.file, stackName: req.stackName, cacheDir: req.cacheDir });
  const providers = registryFor(loaded.graph.resources.map((r) => r.provider), new MemoryProvider());
  const initial = emptyState(req.stackName, "bench-lineage", "bench");
  const plan = await makePlan({ graph: loaded.graph, state: initial, providers, options: { ...DEFAULT_PLAN_OPTIONS, refresh: false }, infraVersion: "bench" });
  // State kept in memory: the file backend rewrites the whole file per step, which is not what is measured here.
  let kept: StateTypes.StateFile = initial;
  const backend: StateTypes.StateBackend = {
    location: "memory",
    read: async () => kept,
    write: async (s) => {
      kept = s;
    },
    lock: async () => ({ info: { id: "bench", pid: process.pid, host: "bench", command: "bench", createdAt: "" }, release: async () => {} }),
  };
  const result = await applyPlan({ plan, state: initial, backend, providers, parallelism: 10 });
  if (result.failed > 0 || result.state.resources.length !== loaded.graph.resources.length) {
    throw new Error(`setup apply failed: ${result.failed} failed, ${result.state.resources.length} of ${loaded.graph.resources.length} recorded`);
  }
  await mkdir(path.dirname(req.statePath), { recursive: true });
  await writeFile(req.statePath, serializeState({ ...result.state, serial: 1 }));
  return { resources: result.state.resources.length, seconds: (performance.now() - started) / 1000 };
}

const raw = process.argv[2];
if (raw !== undefined) {
  const req = JSON.parse(raw) as ChildRequest;
  const out = req.mode === "setup" ? await setup(req) : await measure(req);
  process.stdout.write(`${JSON.stringify(out)}\n`);
}
