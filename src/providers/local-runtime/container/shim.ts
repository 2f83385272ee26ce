/**
 * infra-shim (native/infra-shim.c): the engine's own monitor for containers without a terminal or
 * stdin. Same flags, sync pipe, log, ctl fifo, attach socket and exit file as conmon, but one
 * `runc run -d` (create and start in one process) and no daemonising: the process the engine
 * starts is the monitor, in its own session, and the container's parent once runc has exited.
 */
import { spawn, type ChildProcess } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { findNativeBinary } from "../host/native-binary.js";
import { conmonArgs, type ConmonOptions } from "./conmon.js";
import { monitorEnv, spawnMonitor } from "./sync-pipe.js";

/** The built shim, or undefined (then conmon runs every container). */
export function findShim(): string | undefined {
  return findNativeBinary("infra-shim");
}

/** conmon's flags for the same container; the shim refuses -t and -i. */
export function shimArgs(o: ConmonOptions): string[] {
  return conmonArgs({ ...o, terminal: false, stdin: false });
}

/** Resolves once the container runs (it may have exited already), with its pid and the shim's. */
export async function startShim(o: ConmonOptions, binary: string, spares?: SpareShims): Promise<{ pid: number; monitorPid: number | undefined }> {
  return spawnMonitor({
    name: "infra-shim", binary, args: shimArgs(o), id: o.id, runcVerb: "run",
    ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
  }, spares?.take(binary));
}

/**
 * One infra-shim started ahead of need (`--spare`: it waits for its arguments on stdin). A start
 * hands it the container's arguments instead of forking the engine, which blocks the engine's
 * main thread ~2 ms (copying the page tables of a 60 MB process). The engine starts the next spare
 * once its reply has gone (not while runc runs: the fork competes with runc for the two cores, and
 * measured slower). Closing the engine's end of the pipe (close, or the engine's death) ends an
 * unused spare.
 */
export class SpareShims {
  private waiting: ChildProcess | undefined;
  private closed = false;

  constructor(private readonly binary: string) {}

  /** The waiting shim if it is alive and of this binary (refill() starts the next). */
  take(binary: string): ChildProcess | undefined {
    const c = this.waiting;
    this.waiting = undefined;
    if (c === undefined || binary !== this.binary) { c?.stdin?.end(); return undefined; }
    if (c.exitCode !== null || c.signalCode !== null || c.stdin === null || c.stdin.destroyed) return undefined;
    return c;
  }

  refill(): void {
    if (this.closed || this.waiting !== undefined) return;
    let c: ChildProcess;
    try {
      c = spawn(this.binary, ["--spare"], { stdio: ["pipe", "ignore", "pipe", "pipe"], env: monitorEnv(), detached: true });
    } catch {
      return; // the next start forks its own
    }
    c.on("error", () => undefined);
    c.stdin!.on("error", () => undefined); // a spare that died: its start reports the failure
    // Nothing of a spare keeps the engine's event loop alive.
    c.unref();
    for (const s of [c.stdin, c.stdio[2], c.stdio[3]] as Array<(Readable | Writable) & { unref?: () => void } | null>) s?.unref?.();
    this.waiting = c;
  }

  close(): void {
    this.closed = true;
    this.waiting?.stdin?.end();
    this.waiting = undefined;
  }
}
