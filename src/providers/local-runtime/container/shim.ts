/**
 * infra-shim (native/infra-shim.c): the engine's own monitor for containers without a terminal or
 * stdin. Same flags, sync pipe, log, ctl fifo, attach socket and exit file as conmon, but one
 * `runc run -d` (create and start in one process) and no daemonising: the process the engine
 * starts is the monitor, in its own session, and the container's parent once runc has exited.
 */
import { findNativeBinary } from "../host/native-binary.js";
import { conmonArgs, type ConmonOptions } from "./conmon.js";
import { spawnMonitor } from "./sync-pipe.js";

/** The built shim, or undefined (then conmon runs every container). */
export function findShim(): string | undefined {
  return findNativeBinary("infra-shim");
}

/** conmon's flags for the same container; the shim refuses -t and -i. */
export function shimArgs(o: ConmonOptions): string[] {
  return conmonArgs({ ...o, terminal: false, stdin: false });
}

/** Resolves once the container runs (it may have exited already), with its pid and the shim's. */
export function startShim(o: ConmonOptions, binary: string): Promise<{ pid: number; monitorPid: number | undefined }> {
  return spawnMonitor({
    name: "infra-shim", binary, args: shimArgs(o), id: o.id, runcVerb: "run",
    ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
  });
}
