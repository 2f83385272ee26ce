/**
 * Starts conmon for a container: conmon runs `runc create`, keeps the container's stdio, writes
 * the log and the exit file, and outlives the engine. It detaches before the container exists,
 * so the engine waits for the pid on conmon's sync pipe before `runc start`.
 */
import { readFile } from "node:fs/promises";
import { spawnMonitor } from "./sync-pipe.js";

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

/** Resolves with the container's pid once runc create has succeeded under conmon, and conmon's own pid. */
export async function startConmon(o: ConmonOptions): Promise<{ pid: number; monitorPid: number | undefined }> {
  const { pid } = await spawnMonitor({
    name: "conmon", binary: o.conmonBinary ?? "conmon", args: conmonArgs(o), id: o.id, runcVerb: "create",
    missingHint: "install Debian's conmon package", ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
  });
  // conmon forks away from the process we started: its pid file names the one that stays.
  const monitorPid = Number((await readFile(o.conmonPidFile, "utf8").catch(() => "0")).trim()) || undefined;
  return { pid, monitorPid };
}
