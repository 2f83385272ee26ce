/**
 * The engine runs as root and its socket, state root and run directory are root's alone: any
 * other user gets this error (with a code and a hint), never an internal error from a mkdir.
 */
import type { ProviderError } from "../../contract.js";
import { runtimeError } from "../runtime-error.js";

export const NEEDS_ROOT_HINT = "run infra as root (for example with sudo); the engine's socket, state root and run directory are closed to other users";

export function needsRoot(what: string, cause?: unknown): ProviderError {
  return runtimeError("Invalid", "NEEDS_ROOT", `permission denied: infra needs root ${what}`, NEEDS_ROOT_HINT, cause);
}

/** Throws the needs-root error unless this process runs as root. */
export function requireRoot(what: string, euid: number | undefined = process.geteuid?.()): void {
  if (euid !== undefined && euid !== 0) throw needsRoot(what);
}
