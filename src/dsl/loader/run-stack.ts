/**
 * Runs the user's stack program in a worker thread with a time limit and a memory limit, so that
 * a stack that spins, grows or exits ends with an infra error and a signal still stops the CLI at
 * once. Only plain data crosses back: the graph, the diagnostics and the host inputs.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { Diagnostic } from "../../diag/diagnostic.js";
import { InfraError } from "../../diag/infra-error.js";
import { isInterrupt } from "../../diag/interrupt.js";
import type { StackGraph } from "../../graph/resource.js";
import type { HostInputs } from "../synth.js";
import { ownDescendants } from "./own-descendants.js";
import { fromPlainError, type PlainInfraError } from "./stack-error.js";
import { formatDuration, type StackLimits } from "./stack-limits.js";

/** What the worker is asked to run. */
export interface StackJob {
  /** File URL of the compiled entry module. */
  entryUrl: string;
  /** The stack file, as the user knows it (for messages). */
  file: string;
  stackName: string;
  dir: string;
}

export type StackWorkerMessage =
  | { kind: "result"; graph: StackGraph; diagnostics: Diagnostic[]; hostInputs: HostInputs; runMs: number; synthMs: number }
  | { kind: "error"; error: PlainInfraError }
  | { kind: "exited"; code: number }
  | { kind: "unsettled" };

export type StackRun = Extract<StackWorkerMessage, { kind: "result" }>;

/** Resident memory beyond the heap limit that the worker's own code and buffers may take. */
const RSS_HEADROOM_MB = 192;
const RSS_POLL_MS = 50;
/** How long a stopped worker may take to end before the children it waits on are killed. */
const REAP_AFTER_MS = 300;

function workerFile(): URL {
  const js = new URL("./stack-worker.js", import.meta.url);
  // From source (tests, development) a bootstrap registers tsx in the worker first.
  return existsSync(fileURLToPath(js)) ? js : new URL("./stack-worker-dev.mjs", import.meta.url);
}

const RAISE_TIME = "a stack only declares resources: look for a loop that never ends or a wait that never returns. If it really needs longer, raise the limit with --stack-timeout (e.g. --stack-timeout 2m) or INFRA_STACK_TIMEOUT=2m";
const RAISE_MEMORY = "look for data that grows without end in the stack program. If it really needs more, raise the limit with --stack-memory (in MB, e.g. --stack-memory 2048) or INFRA_STACK_MEMORY_MB=2048";

function timedOut(what: string, limits: StackLimits): InfraError {
  return new InfraError("INFRA_LOAD_STACK_TIMEOUT", `${what} ran longer than its time limit of ${formatDuration(limits.timeoutMs)} and was stopped`, {
    hint: `${RAISE_TIME}; nothing was planned or changed`,
  });
}

function outOfMemory(what: string, limits: StackLimits, how: string): InfraError {
  return new InfraError("INFRA_LOAD_STACK_MEMORY", `${what} went over its memory limit of ${limits.memoryMb} MB and was stopped`, {
    detail: how,
    hint: `${RAISE_MEMORY}; nothing was planned or changed`,
  });
}

function interrupted(file: string, reason: unknown): InfraError {
  const signal = isInterrupt(reason) ? reason.signalName : undefined;
  if (isInterrupt(reason)) reason.take();
  return new InfraError("INFRA_LOAD_INTERRUPTED", `${signal === "SIGTERM" ? "Terminated" : "Interrupted"}: stopped loading the stack ${file}; nothing was planned or changed`, {
    exitCode: isInterrupt(reason) ? reason.exitCode : 130,
  });
}

function exited(what: string, code: number, asked: boolean): InfraError {
  return new InfraError(
    "INFRA_LOAD_STACK_EXITED",
    asked ? `${what} called process.exit(${code})` : `${what} ended its thread (exit code ${code}) before the stack was defined`,
    {
      detail: "A stack program runs inside infra, which plans from what it declares; exiting leaves nothing to plan.",
      hint: "remove the process.exit call: to stop with an error, throw one (infra shows it with its line); nothing was planned or changed",
    },
  );
}

function unsettled(what: string): InfraError {
  return new InfraError("INFRA_LOAD_STACK_UNSETTLED", `${what} never finished: it waits on a promise that never settles`, {
    detail: "Nothing was left for the stack program to do (no timer, no I/O), yet its definition had not returned.",
    hint: "await only promises that settle (resolve or reject); nothing was planned or changed",
  });
}

/**
 * The stack program's worker. Started before the type-check so that its boot (a new isolate and
 * the DSL's modules) overlaps it; the time limit and the memory watch start with `run`.
 */
export class StackWorker {
  readonly #limits: StackLimits;
  readonly #signal: AbortSignal | undefined;
  readonly #worker: Worker;
  /** "the stack program FILE", for messages. */
  readonly #file: string;
  /** The outcome once known: set by the first message, error or exit that decides it. */
  #outcome: { err: InfraError } | { run: StackRun } | undefined;
  #settle: (() => void) | undefined;
  #askedExit: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #watch: NodeJS.Timeout | undefined;
  /** Set while the stack program may run: the children it may start are the ones not in `childrenBefore`. */
  #running = false;
  #childrenBefore = new Set<number>();
  #exited = false;
  #reaper: NodeJS.Timeout | undefined;
  readonly #onAbort = (): void => this.#finish(interrupted(this.#stackFile, this.#signal?.reason));
  readonly #stackFile: string;

  /** `file`: the stack file the worker will run, for messages. */
  static start(file: string, limits: StackLimits, signal?: AbortSignal): StackWorker {
    return new StackWorker(file, limits, signal);
  }

  private constructor(file: string, limits: StackLimits, signal: AbortSignal | undefined) {
    this.#stackFile = file;
    this.#file = `the stack program ${file}`;
    this.#limits = limits;
    this.#signal = signal;
    // No inherited flags: a test runner's --import hooks (ts-node loads the whole compiler) would boot in it too.
    this.#worker = new Worker(workerFile(), { execArgv: [], resourceLimits: { maxOldGenerationSizeMb: limits.memoryMb } });
    this.#worker.on("message", (m: StackWorkerMessage) => {
      if (m.kind === "result") this.#finish(undefined, m);
      else if (m.kind === "error") this.#finish(fromPlainError(m.error));
      else if (m.kind === "unsettled") this.#finish(unsettled(this.#file));
      else this.#askedExit = m.code;
    });
    this.#worker.on("error", (e: Error & { code?: string }) => {
      if (e.code === "ERR_WORKER_OUT_OF_MEMORY") this.#finish(outOfMemory(this.#file, limits, "Its JavaScript heap reached the limit."));
      else this.#finish(new InfraError("INFRA_LOAD_STACK_WORKER", `${this.#file} could not be run: ${e.message}`, { detail: e.stack ?? "", cause: e, hint: "this is likely a bug in infra; run again with INFRA_DEBUG=1 and report it" }));
    });
    this.#worker.on("exit", (code) => {
      this.#exited = true;
      clearTimeout(this.#reaper);
      this.#finish(exited(this.#file, this.#askedExit ?? code, this.#askedExit !== undefined));
    });
    // Until `run`, the worker only loads the DSL: it must not keep the CLI alive on its own.
    this.#worker.unref();
    if (signal?.aborted === true) this.#onAbort();
    else signal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  /** Runs the job; rejects with an InfraError for every way the program can fail or be stopped. */
  run(job: StackJob): Promise<StackRun> {
    return new Promise<StackRun>((resolve, reject) => {
      this.#settle = () => {
        const o = this.#outcome!;
        if ("err" in o) reject(o.err);
        else resolve(o.run);
      };
      if (this.#outcome !== undefined) return this.#settle();
      this.#childrenBefore = ownDescendants();
      this.#running = true;
      this.#worker.ref();
      this.#timer = setTimeout(() => this.#finish(timedOut(this.#file, this.#limits)), this.#limits.timeoutMs);
      // The heap limit does not cover buffers (ArrayBuffer memory lives outside the heap): watch the process.
      const rss0 = process.memoryUsage.rss();
      this.#watch = setInterval(() => {
        const grownMb = (process.memoryUsage.rss() - rss0) / 1048576;
        if (grownMb > this.#limits.memoryMb + RSS_HEADROOM_MB) this.#finish(outOfMemory(this.#file, this.#limits, `The process's resident memory grew by ${Math.round(grownMb)} MB while the stack program ran.`));
      }, RSS_POLL_MS);
      this.#worker.postMessage(job);
    });
  }

  /** Ends the worker (after its result, or when the load failed before running it). */
  stop(): void {
    this.#finish(new InfraError("INFRA_LOAD_STACK_STOPPED", `${this.#file} was not run`));
  }

  #finish(err: InfraError | undefined, run?: StackRun): void {
    if (this.#outcome !== undefined) return;
    this.#outcome = err !== undefined ? { err } : { run: run! };
    clearTimeout(this.#timer);
    clearInterval(this.#watch);
    this.#signal?.removeEventListener("abort", this.#onAbort);
    // Timers or sockets the program left behind must not keep the CLI alive.
    void this.#worker.terminate();
    // terminate() cannot break into a synchronous call (execSync), and the process's exit waits for the
    // thread: if it is still held, end the children the stack started, which is what it waits on.
    if (err !== undefined && this.#running && !this.#exited) this.#reaper = setTimeout(() => this.#reapChildren(), REAP_AFTER_MS);
    this.#settle?.();
  }

  #reapChildren(): void {
    if (this.#exited) return;
    for (const pid of ownDescendants()) {
      if (this.#childrenBefore.has(pid)) continue;
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
  }
}
