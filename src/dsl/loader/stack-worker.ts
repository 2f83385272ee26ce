/**
 * The stack program's own thread (started by run-stack.ts): waits for the job, imports the compiled stack, runs its
 * definition on a new Stack, synthesises, and posts the graph back as plain data. Whatever the
 * program does here (spin, grow, exit) ends this thread, not the CLI.
 */
import { performance } from "node:perf_hooks";
import { parentPort } from "node:worker_threads";
import { InfraError, isInfraError } from "../../diag/infra-error.js";
import { isStackDefinition, Stack } from "../stack.js";
import { synth } from "../synth.js";
import type { StackJob, StackWorkerMessage } from "./run-stack.js";
import { stackThrew, toPlainError } from "./stack-error.js";

const port = parentPort;
let job: StackJob = { entryUrl: "", file: "the stack", stackName: "", dir: "" };
let settled = false;

function post(m: StackWorkerMessage): void {
  if (settled) return;
  settled = true;
  try {
    port?.postMessage(m);
  } catch {
    // A value that cannot be cloned (a function in a diagnostic's value): send its JSON form.
    port?.postMessage(JSON.parse(JSON.stringify(m)) as StackWorkerMessage);
  }
}

function fail(e: unknown): void {
  const err = isInfraError(e) && e.code === "INFRA_LOAD_NO_DEFINITION" ? e : stackThrew(e, job.file);
  post({ kind: "error", error: toPlainError(err) });
}

// process.exit here ends only this thread; the CLI is told which code the program asked for.
process.on("exit", (code) => post({ kind: "exited", code }));
// The event loop ran dry while the definition still waited on something.
process.on("beforeExit", () => post({ kind: "unsettled" }));
process.on("uncaughtException", fail);
process.on("unhandledRejection", fail);

async function run(): Promise<void> {
  // Stack traces of the compiled stack then point at its .ts lines.
  process.setSourceMapsEnabled(true);
  const t0 = performance.now();
  const stack = new Stack(job.stackName, { dir: job.dir });
  try {
    const mod = (await import(job.entryUrl)) as { default?: unknown };
    const def = mod.default;
    if (isStackDefinition(def)) await def.define(stack);
    else if (typeof def === "function") await (def as (s: Stack) => unknown)(stack);
    else {
      throw new InfraError("INFRA_LOAD_NO_DEFINITION", `the stack file ${job.file} does not export a stack`, {
        hint: "end it with: export default defineStack((stack) => { ... })",
      });
    }
  } catch (e) {
    fail(e);
    return;
  }
  const t1 = performance.now();
  const result = synth(stack);
  post({ kind: "result", graph: result.graph, diagnostics: result.diagnostics, hostInputs: result.hostInputs, runMs: t1 - t0, synthMs: performance.now() - t1 });
}

// The DSL above loads while the CLI type-checks; the job comes when the compiled stack is ready.
port?.once("message", (j: StackJob) => {
  job = j;
  run().catch(fail);
});
