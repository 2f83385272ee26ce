/**
 * Plan-speed benchmark (issue 2, "Speed"): generated stacks of 100, 500 and 2,000 resources;
 * each measurement in a fresh child process, cold (empty type-check cache) and warm, against an
 * empty state and against a state where everything is applied (a no-change plan).
 *
 *   npm run build && node --import tsx bench/plan-scale.ts [--sizes 100,500,2000] [--runs 3]
 *       [--code dist|src] [--no-cli] [--json FILE] [--keep]
 *
 * With --code dist (the default) the child runs on plain `node` against dist/, as users run
 * infra; the child file is transpiled for that, because tsx's loader alone adds ~0.5 s and
 * ~100 MB. `infra plan --refresh=false` (bin/infra, INFRA_PROVIDER=memory) is timed too.
 * The planner uses MemoryProvider, which shares the real providers' schema and diff.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import type { ChildRequest, ChildResult } from "./plan-scale-child.js";
import { cpuTable, linearity, linearityTable, markdownTable, summarise, targetChecks, targetsTable, type Cache, type CliSample, type Sample, type Scenario } from "./plan-scale-report.js";
import { generateStack } from "./plan-scale-stack.js";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const STACK_NAME = "bench";

interface Options {
  sizes: number[];
  runs: number;
  code: "dist" | "src";
  cli: boolean;
  json?: string;
  keep: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { sizes: [100, 500, 2000], runs: 3, code: "dist", cli: true, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--sizes") o.sizes = next().split(",").map(Number);
    else if (a === "--runs") o.runs = Number(next());
    else if (a === "--code") {
      const c = next();
      if (c !== "dist" && c !== "src") throw new Error(`--code takes dist or src, not ${c}`);
      o.code = c;
    } else if (a === "--no-cli") o.cli = false;
    else if (a === "--json") o.json = next();
    else if (a === "--keep") o.keep = true;
    else throw new Error(`unknown argument ${a}`);
  }
  if (!(o.runs >= 1)) throw new Error("--runs takes a number ≥ 1");
  if (o.code === "src") o.cli = false;
  return o;
}

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number | null; stdout: string; stderr: string; wallMs: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr, wallMs: performance.now() - started }));
  });
}

/** The command line that runs the child: plain node on a transpiled copy (dist), or tsx (src). */
async function childCommand(opts: Options, tmpRoot: string): Promise<string[]> {
  const source = path.join(REPO, "bench", "plan-scale-child.ts");
  if (opts.code === "src") return ["--import", "tsx", source];
  const js = ts.transpileModule(await readFile(source, "utf8"), {
    fileName: source,
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
  }).outputText;
  const out = path.join(tmpRoot, "plan-scale-child.mjs");
  await writeFile(out, js);
  return [out];
}

async function runChild(cmd: string[], req: ChildRequest): Promise<{ result: unknown; wallMs: number }> {
  const r = await run(process.execPath, [...cmd, JSON.stringify(req)]);
  if (r.code !== 0) throw new Error(`the benchmark child failed (exit ${r.code}):\n${r.stderr}`);
  return { result: JSON.parse(r.stdout.trim().split("\n").pop() ?? "null"), wallMs: r.wallMs };
}

function check(cond: boolean, what: string): void {
  if (!cond) throw new Error(`benchmark check failed: ${what}`);
}

async function benchSize(size: number, opts: Options, tmpRoot: string, cmd: string[], codeRoot: string): Promise<{ samples: Sample[]; cli: CliSample[] }> {
  const dir = path.join(tmpRoot, `stack-${size}`);
  const gen = generateStack(size);
  for (const [rel, text] of gen.files) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), text);
  }
  const file = path.join(dir, "infra.ts");
  const cacheDir = path.join(dir, ".infra", "cache");
  const statePath = path.join(dir, ".infra", `${STACK_NAME}.state.json`);
  const base = { codeRoot, file, stackName: STACK_NAME, cacheDir };

  const setup = await runChild(cmd, { ...base, mode: "setup", statePath });
  process.stderr.write(`[${size}] applied to a MemoryProvider for the no-change state: ${JSON.stringify(setup.result)}\n`);

  const samples: Sample[] = [];
  const cli: CliSample[] = [];
  const typecheckRecord = async (): Promise<number | undefined> => {
    const d = path.join(cacheDir, "typecheck");
    try {
      const [f] = (await readdir(d)).filter((n) => n.endsWith(".json"));
      return f === undefined ? undefined : (await stat(path.join(d, f))).mtimeMs;
    } catch {
      return undefined;
    }
  };

  for (let i = 0; i < opts.runs; i++) {
    for (const scenario of ["empty", "applied"] as Scenario[]) {
      for (const cache of ["cold", "warm"] as Cache[]) {
        if (cache === "cold") await rm(cacheDir, { recursive: true, force: true });
        const req: ChildRequest = { ...base, mode: "measure", ...(scenario === "applied" ? { statePath } : {}) };
        const { result, wallMs } = await runChild(cmd, req);
        const child = result as ChildResult;
        check(child.diagnostics === 0, `${size}/${scenario}/${cache}: ${child.diagnostics} errors`);
        check(child.resources === size, `${size}/${scenario}/${cache}: synthesised ${child.resources} resources`);
        check(child.typecheckCached === (cache === "warm"), `${size}/${scenario}/${cache}: type-check cache ${child.typecheckCached ? "hit" : "missed"}`);
        if (scenario === "empty") check(child.summary.add === size, `${size}: the plan against an empty state adds ${child.summary.add}`);
        else check(child.empty, `${size}: the plan against the applied state is not empty (${JSON.stringify(child.summary)})`);
        samples.push({ size, cache, scenario, wallMs, child });
        process.stderr.write(`[${size}] run ${i + 1} ${scenario}/${cache}: ${Math.round(wallMs)} ms, ${Math.round(child.maxRssKB / 1024)} MB\n`);
      }
      if (!opts.cli) continue;
      // The CLI as users run it; `-p` picks the state file, so "empty" reads none.
      for (const cache of ["cold", "warm"] as Cache[]) {
        if (cache === "cold") await rm(cacheDir, { recursive: true, force: true });
        const before = await typecheckRecord();
        const project = scenario === "applied" ? STACK_NAME : `${STACK_NAME}-empty`;
        const r = await run(path.join(REPO, "bin", "infra"), ["plan", "--refresh=false", "-C", dir, "-p", project], {
          env: { ...process.env, INFRA_PROVIDER: "memory", NO_COLOR: "1" },
        });
        check(r.code === 0, `infra plan exited ${r.code}: ${r.stderr}`);
        const last = r.stdout.trim().split("\n").pop() ?? "";
        if (scenario === "empty") check(last.startsWith(`Plan: ${size} to add`), `infra plan on ${size}: last line "${last}"`);
        else check(last.startsWith("No changes."), `infra plan on the applied ${size}: last line "${last}"`);
        const after = await typecheckRecord();
        if (cache === "warm") check(before !== undefined && before === after, `infra plan (warm, ${size}) rewrote the type-check record`);
        cli.push({ size, cache, scenario, wallMs: r.wallMs });
        process.stderr.write(`[${size}] run ${i + 1} infra plan ${scenario}/${cache}: ${Math.round(r.wallMs)} ms\n`);
      }
    }
  }
  return { samples, cli };
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const codeRoot = path.join(REPO, opts.code);
  if (!existsSync(path.join(codeRoot, "dsl", "loader", opts.code === "dist" ? "load-stack.js" : "load-stack.ts"))) {
    throw new Error(`${codeRoot} has no loader: run \`npm run build\` first (or pass --code src)`);
  }
  const tmpRoot = await mkdtemp(path.join(os.tmpdir(), `infra-bench-${process.pid}-`));
  const cleanup = async (): Promise<void> => {
    if (!opts.keep) await rm(tmpRoot, { recursive: true, force: true });
  };
  process.once("SIGINT", () => void cleanup().then(() => process.exit(130)));
  const loadBefore = os.loadavg();
  try {
    const cmd = await childCommand(opts, tmpRoot);
    const samples: Sample[] = [];
    const cli: CliSample[] = [];
    for (const size of opts.sizes) {
      const r = await benchSize(size, opts, tmpRoot, cmd, codeRoot);
      samples.push(...r.samples);
      cli.push(...r.cli);
    }
    const rows = summarise(samples, cli);
    const combos = (["cold", "warm"] as Cache[]).flatMap((c) => (["empty", "applied"] as Scenario[]).map((s) => [c, s] as const));
    const lin = combos.map(([c, s]) => linearity(rows, c, s)).filter((l) => l !== undefined);
    // Wall time in-process after the imports, for comparison (moves with the machine's load).
    const linWall = combos.map(([c, s]) => linearity(rows, c, s, (r) => r.phases.totalMs - r.phases.bootMs - r.phases.importMs)).filter((l) => l !== undefined);
    const cpu = os.cpus()[0]?.model ?? "unknown CPU";
    process.stdout.write(
      [
        `Machine: ${os.cpus().length} cores (${cpu}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`,
        `Date: ${new Date().toISOString()}; code: ${opts.code}/; median of ${opts.runs} runs, each in a fresh process`,
        // Other work on the machine shows in the timings; say how busy it was.
        `Load average (1 min) at start ${loadBefore[0]?.toFixed(1)}, at end ${os.loadavg()[0]?.toFixed(1)}`,
        "",
        markdownTable(rows),
        "",
        cpuTable(rows),
        "",
        "Linearity, CPU time after imports:",
        "",
        linearityTable(lin),
        "",
        "Linearity, in-process wall time after imports:",
        "",
        linearityTable(linWall),
        "",
        targetsTable(targetChecks(rows)),
        "",
      ].join("\n"),
    );
    if (opts.json !== undefined) await writeFile(opts.json, JSON.stringify({ date: new Date().toISOString(), node: process.version, cores: os.cpus().length, cpu, loadavg: { start: loadBefore, end: os.loadavg() }, opts, rows, linearity: lin, linearityWall: linWall, samples, cli }, null, 2));
    if (opts.keep) process.stderr.write(`kept ${tmpRoot}\n`);
  } finally {
    await cleanup();
  }
}

await main();
