/**
 * Starting a container monitor (conmon or infra-shim) and waiting for its one message on the sync
 * pipe (fd 3, `_OCI_SYNCPIPE`): `{"data": PID}` once runc has made the container, or
 * `{"data": -1, "message": "..."}`. The monitor outlives the engine, so after the message the
 * engine lets go of it: it never waits on the monitor again.
 */
import { spawn } from "node:child_process";
import { runtimeError } from "../runtime-error.js";
import { commandFailure } from "./command-failure.js";
import type { SpareShim } from "./shim.js";

export interface SyncMessage {
  pid?: number;
  error?: string;
}

/** One line of the sync pipe; undefined when it is not a monitor's message. */
export function parseSyncMessage(line: string): SyncMessage | undefined {
  let msg: { data?: unknown; message?: unknown };
  try {
    msg = JSON.parse(line) as typeof msg;
  } catch {
    return undefined;
  }
  if (typeof msg !== "object" || msg === null || typeof msg.data !== "number") return undefined;
  if (msg.data > 0) return { pid: msg.data };
  return { error: runcErrorText(typeof msg.message === "string" ? msg.message : "") };
}

/** runc logs its error as `time=... level=error msg="..."`: the msg is what a person needs. */
export function runcErrorText(text: string): string {
  const m = /level=(?:error|fatal) msg="((?:[^"\\]|\\.)*)"/.exec(text);
  const out = m ? m[1]!.replace(/\\(.)/g, "$1") : text;
  return out.trim() || "unknown error";
}

export interface MonitorSpawn {
  /** "conmon" or "infra-shim", for messages. */
  name: string;
  binary: string;
  args: string[];
  /** The container, for messages. */
  id: string;
  /** What runc did, for the failure message ("create" or "run"). */
  runcVerb: string;
  timeoutMs?: number;
  /** Hint when the binary cannot run. */
  missingHint?: string;
}

/**
 * Resolves with the container's pid and the monitor's own pid. `spare`: an infra-shim already
 * running and connected (SpareShims) that takes its arguments on its socket, which then carries
 * the sync message, instead of a new process.
 */
export function spawnMonitor(s: MonitorSpawn, spare?: SpareShim): Promise<{ pid: number; monitorPid: number | undefined }> {
  const timeoutMs = s.timeoutMs ?? 30000;
  return new Promise((resolve, reject) => {
    let sync: NodeJS.ReadableStream & { destroy(): void };
    let monitorPid: number | undefined;
    let release: () => void;
    let stderr = "";
    if (spare) {
      const payload = Buffer.from(s.args.map((a) => `${a}\0`).join(""));
      spare.socket.write(`${payload.length}\n`);
      spare.socket.write(payload);
      sync = spare.socket;
      spare.socket.resume(); // paused while it waited
      monitorPid = spare.pid;
      release = () => spare.socket.destroy();
    } else {
      const child = spawn(s.binary, s.args, { stdio: ["ignore", "ignore", "pipe", "pipe"], env: { ...process.env, _OCI_SYNCPIPE: "3" }, detached: true });
      sync = child.stdio[3] as NodeJS.ReadableStream & { destroy(): void };
      monitorPid = child.pid;
      // A detached monitor keeps its end open: close ours or we would wait forever.
      release = () => { sync.destroy(); child.stderr?.destroy(); child.unref(); };
      child.stderr?.on("data", (d: Buffer) => { stderr += d.toString(); });
      child.on("error", (e) => finish(runtimeError("Unavailable", "CONMON_MISSING", `cannot run ${s.name}: ${e.message}`, s.missingHint, e)));
    }
    let buf = "";
    let done = false;
    const finish = (err: Error | undefined, pid?: number) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      release();
      if (err) reject(err);
      else resolve({ pid: pid!, monitorPid });
    };
    const timer = setTimeout(() => finish(runtimeError("Unavailable", "CONMON_TIMEOUT", `${s.name} did not report container ${s.id} within ${timeoutMs} ms`)), timeoutMs);
    sync.on("data", (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf("\n");
      if (nl < 0) return;
      const msg = parseSyncMessage(buf.slice(0, nl));
      if (!msg) finish(runtimeError("Internal", "CONMON_PROTOCOL", `unexpected message from ${s.name}: ${buf.slice(0, nl)}`));
      else if (msg.pid !== undefined) finish(undefined, msg.pid);
      else finish(commandFailure(msg.error!) ?? runtimeError("Internal", "RUNC_CREATE", runcFailure(s.runcVerb, msg.error!)));
    });
    sync.on("end", () => finish(runtimeError("Internal", "RUNC_CREATE", `${s.name} exited without starting the container${stderr.trim() ? `: ${stderr.trim()}` : ""}`)));
  });
}

function runcFailure(verb: string, error: string): string {
  return error.startsWith("runc ") || error.startsWith("infra-shim:") ? error : `runc ${verb} failed: ${error}`;
}
