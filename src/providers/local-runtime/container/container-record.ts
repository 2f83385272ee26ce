/** What the engine keeps on disk per container (one atomic JSON file each), and its state machine. */
import type { ContainerSpec, MountSpec } from "../../../graph/specs.js";
import type { ContainerNetworkResult } from "../network/network-types.js";
import { runtimeError } from "../runtime-error.js";

export type ContainerState = "created" | "running" | "paused" | "exited";

export interface HealthState {
  status: "starting" | "healthy" | "unhealthy";
  failingStreak: number;
  log: Array<{ start: string; end: string; exitCode: number; output: string }>;
}

export interface ContainerRecord {
  id: string;
  name: string;
  spec: ContainerSpec;
  imageId: string;
  createdAt: string;
  state: ContainerState;
  pid?: number;
  conmonPid?: number;
  startedAt?: string;
  finishedAt?: string;
  exitCode?: number;
  oomKilled?: boolean;
  restartCount: number;
  /** Set by stop/kill from the user: `unless-stopped` and `always` then stay down. */
  manuallyStopped: boolean;
  /** Absolute cgroup directories by controller ("" on cgroup v2), read when the container started. */
  cgroupDirs?: Record<string, string>;
  cgroupsPath: string;
  netnsPath?: string;
  network?: ContainerNetworkResult;
  /** Anonymous volumes created for image VOLUME paths (removed with rm -v). */
  anonymousVolumes: string[];
  health?: HealthState;
  /** The last failure of a start nobody waited for (restart policy, engine boot). */
  lastError?: string;
  /** Mounts as resolved at create (anonymous volumes named, volumes-from expanded). */
  mounts: MountSpec[];
  /** `--rm`: the engine removes it (with its anonymous volumes) once it has exited, also after an engine restart. */
  autoRemove?: boolean;
  /**
   * A transition under way, saved before its first effect and gone with its last: a record that
   * still has one at start was interrupted by a kill. `starting` is undone (the container is back
   * in `state`, nothing of the start left); `removing` is finished.
   */
  transition?: Transition;
  /** With `transition: "removing"`: the removal takes the anonymous volumes too (rm -v). */
  removeVolumes?: boolean;
}

export type Transition = "starting" | "removing";

/** The record as it is without its transition (what is saved once the transition ends or is undone). */
export function settledRecord(r: ContainerRecord): ContainerRecord {
  const { transition: _t, removeVolumes: _v, ...rest } = r;
  return rest;
}

type Action = "start" | "stop" | "kill" | "pause" | "unpause" | "remove" | "exec" | "update" | "restart";

const ALLOWED: Record<Action, ContainerState[]> = {
  start: ["created", "exited"],
  stop: ["running", "paused"],
  kill: ["running", "paused"],
  pause: ["running"],
  unpause: ["paused"],
  remove: ["created", "exited"],
  exec: ["running"],
  update: ["created", "running", "paused", "exited"],
  restart: ["created", "running", "paused", "exited"],
};

export function can(state: ContainerState, action: Action): boolean {
  return ALLOWED[action].includes(state);
}

/** Throws a Conflict naming the state when the action is not allowed in it. */
export function guard(rec: Pick<ContainerRecord, "name" | "state">, action: Action, hint?: string): void {
  if (!can(rec.state, action))
    throw runtimeError("Conflict", "CONTAINER_STATE", `cannot ${action} container '${rec.name}': it is ${rec.state}`,
      hint ?? (action === "remove" ? "stop it first, or use rm -f" : undefined));
}
