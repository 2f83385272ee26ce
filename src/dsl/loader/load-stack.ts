/**
 * Loads a stack file: type-check (skipped when the content-keyed cache says nothing changed),
 * transpile to the cache, run the default export with a new Stack and synth in a worker thread
 * (run-stack.ts: the user's code, bounded in time and memory), and read what only the file system
 * knows (env files, build contexts). Never prints.
 */
import { existsSync, promises as fs } from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import type { Diagnostic } from "../../diag/diagnostic.js";
import { InfraError } from "../../diag/infra-error.js";
import type { StackGraph } from "../../graph/resource.js";
import { applyHostInputs } from "./host-inputs.js";
import { StackWorker } from "./run-stack.js";
import { DEFAULT_STACK_LIMITS, type StackLimits } from "./stack-limits.js";
import { mirrorPath, transpileFile } from "./transpile.js";
import { isUserSource, typecheckStack } from "./typecheck.js";
import { contentKey, readRecord, recordPath, stackId, writeRecord, type TypecheckRecord } from "./typecheck-cache.js";

export interface LoadStackOptions {
  file: string;
  stackName: string;
  cacheDir: string;
  /** Time and memory for the stack program; each defaults to DEFAULT_STACK_LIMITS. */
  limits?: Partial<StackLimits>;
  /** Aborting it (Ctrl-C) stops a running stack program at once. */
  signal?: AbortSignal;
}

export interface LoadStackResult {
  graph: StackGraph;
  diagnostics: Diagnostic[];
  /** transpileMs is 0 when the compiled JavaScript was cached; runMs is the stack program alone. */
  timings: { typecheckMs: number; transpileMs: number; runMs: number; synthMs: number };
  typecheckCached: boolean;
}

async function checkOrReuse(file: string, cacheDir: string): Promise<{ record: TypecheckRecord; cached: boolean }> {
  const recFile = recordPath(cacheDir, file);
  const prior = await readRecord(recFile);
  if (prior !== undefined && (await contentKey(prior.files)) === prior.key) return { record: prior, cached: true };
  const result = await typecheckStack(file);
  if (result.diagnostics.length > 0) {
    const n = result.diagnostics.length;
    throw new InfraError("INFRA_LOAD_TYPE_ERROR", `${n} type error${n === 1 ? "" : "s"} in the stack ${file}`, {
      diagnostics: result.diagnostics,
      hint: "fix the type errors; nothing was planned or changed",
    });
  }
  const key = await contentKey(result.files);
  const record: TypecheckRecord = { key: key ?? "", files: result.files, userFiles: result.files.filter(isUserSource) };
  if (key !== undefined) await writeRecord(recFile, record);
  return { record, cached: false };
}

/** The stack's JavaScript, in a directory named by the content key (so a changed file is a new module). */
async function compiled(file: string, cacheDir: string, record: TypecheckRecord): Promise<string> {
  const prefix = stackId(file);
  const dirName = `${prefix}-${record.key.replace(/^sha256:/, "").slice(0, 16)}`;
  const jsRoot = path.join(cacheDir, "js");
  const outDir = path.join(jsRoot, dirName);
  const marker = path.join(outDir, ".complete");
  if (!existsSync(marker)) {
    // Written aside and renamed into place, so a concurrent run never imports half an output.
    const tmpDir = `${outDir}.tmp-${process.pid}`;
    await fs.rm(tmpDir, { recursive: true, force: true });
    const userFiles = record.userFiles.includes(path.resolve(file)) ? record.userFiles : [path.resolve(file), ...record.userFiles];
    await Promise.all(userFiles.map((f) => transpileFile(f, tmpDir)));
    await fs.writeFile(path.join(tmpDir, ".complete"), "");
    await fs.rm(outDir, { recursive: true, force: true });
    try {
      await fs.rename(tmpDir, outDir);
    } catch {
      await fs.rm(tmpDir, { recursive: true, force: true });
    }
    // Older outputs of the same stack are of no further use.
    for (const d of await fs.readdir(jsRoot)) {
      if (d.startsWith(`${prefix}-`) && d !== dirName && !d.includes(".tmp-")) await fs.rm(path.join(jsRoot, d), { recursive: true, force: true });
    }
  }
  return mirrorPath(outDir, file);
}

export async function loadStack(opts: LoadStackOptions): Promise<LoadStackResult> {
  const file = path.resolve(opts.file);
  try {
    if (!(await fs.stat(file)).isFile()) throw new Error("not a file");
  } catch {
    throw new InfraError("INFRA_LOAD_NO_STACK", `no stack file at ${file}`, {
      hint: "run `infra init` to write a starter stack here, or name the file with -f FILE (or the directory with -C DIR)",
    });
  }
  const limits = { ...DEFAULT_STACK_LIMITS, ...opts.limits };
  // Booted while this thread type-checks; it also listens for the signal from now on.
  const worker = StackWorker.start(file, limits, opts.signal);
  try {
    const t0 = performance.now();
    const { record, cached } = await checkOrReuse(file, opts.cacheDir);
    const t1 = performance.now();
    const entry = await compiled(file, opts.cacheDir, record);
    const t1b = performance.now();
    const run = await worker.run({ entryUrl: pathToFileURL(entry).href, file, stackName: opts.stackName, dir: path.dirname(file) });
    const t2 = performance.now();
    const hostDiags = await applyHostInputs(run.graph, run.hostInputs, path.dirname(file));
    const t3 = performance.now();
    return {
      graph: run.graph,
      diagnostics: [...run.diagnostics, ...hostDiags],
      timings: { typecheckMs: t1 - t0, transpileMs: t1b - t1, runMs: t2 - t1b - run.synthMs, synthMs: run.synthMs + (t3 - t2) },
      typecheckCached: cached,
    };
  } finally {
    worker.stop();
  }
}
