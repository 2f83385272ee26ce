/**
 * Starts conmon for a container: conmon runs `runc create`, keeps the container's stdio, writes
 * the log and the exit file, and outlives the engine. It detaches before the container exists,
 * so the engine waits for the pid on conmon's sync pipe before `runc start`.
 */
import { spawn } from "node:child_process";
import { runtimeError } from "../runtime-error.js";

export interface ConmonOptions {
  id: string;
  name: string;
  bundle: string;
  pidFile: string;
  conmonPidFile: string;
  logPath: string;
  logSizeMax?: number;
  exitDir: string;
  socketDir: string;
  persistDir: string;
  runcRoot: string;
  runcBinary?: string;
  terminal?: boolean;
  stdin?: boolean;
  conmonBinary?: string;
  timeoutMs?: number;
}

export function conmonArgs(o: ConmonOptions): string[] {
  const a = [
    "--api-version", "1", "-c", o.id, "-u", o.id, "-n", o.name, "-r", o.runcBinary ?? "/usr/sbin/runc",
    "-b", o.bundle, "-p", o.pidFile, "-l", `k8s-file:${o.logPath}`, "--exit-dir", o.exitDir,
    "--socket-dir-path", o.socketDir, "--conmon-pidfile", o.conmonPidFile, "--persist-dir", o.persistDir,
    "--runtime-arg", "--root", "--runtime-arg", o.runcRoot, "--log-level", "error",
  ];
  if (o.logSizeMax !== undefined) a.push("--log-size-max", String(o.logSizeMax));
  if (o.terminal) a.push("-t");
  if (o.stdin) a.push("-i");
  return a;
}

/** Resolves with the container's pid once runc create has succeeded under conmon. */
export function startConmon(o: ConmonOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(o.conmonBinary ?? "conmon", conmonArgs(o), {
      stdio: ["ignore", "ignore", "pipe", "pipe"],
      env: { ...process.env, _OCI_SYNCPIPE: "3" },
      detached: true,
    });
    const sync = child.stdio[3] as NodeJS.ReadableStream & { destroy(): void };
    let buf = "";
    let stderr = "";
    let done = false;
    const finish = (err: Error | undefined, pid?: number) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      // The daemonised conmon keeps the pipe open: close our end or we would wait forever.
      sync.destroy();
      child.stderr?.destroy();
      child.unref();
      if (err) reject(err);
      else resolve(pid!);
    };
    const timer = setTimeout(() => finish(runtimeError("Unavailable", "CONMON_TIMEOUT", `conmon did not report container ${o.id} within ${o.timeoutMs ?? 30000} ms`)), o.timeoutMs ?? 30000);
    child.stderr?.on("data", (d: Buffer) => { stderr += d.toString(); });
    child.on("error", (e) => finish(runtimeError("Unavailable", "CONMON_MISSING", `cannot run conmon: ${e.message}`, "install Debian's conmon package", e)));
    sync.on("data", (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf("\n");
      if (nl < 0) return;
      let msg: { data?: number; message?: string };
      try {
        msg = JSON.parse(buf.slice(0, nl)) as { data?: number; message?: string };
      } catch {
        finish(runtimeError("Internal", "CONMON_PROTOCOL", `unexpected message from conmon: ${buf.slice(0, nl)}`));
        return;
      }
      if (typeof msg.data === "number" && msg.data > 0) finish(undefined, msg.data);
      else finish(runtimeError("Internal", "RUNC_CREATE", `runc create failed: ${(msg.message ?? "").trim() || "unknown error"}`));
    });
    sync.on("end", () => finish(runtimeError("Internal", "RUNC_CREATE", `conmon exited without creating the container${stderr.trim() ? `: ${stderr.trim()}` : ""}`)));
  });
}
