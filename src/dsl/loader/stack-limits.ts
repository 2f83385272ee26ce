/** How long and how much memory a stack program may use before infra stops it. */
export interface StackLimits {
  /** Wall-clock time from the start of the stack's worker to its synthesised graph. */
  timeoutMs: number;
  /** The worker's JavaScript heap; the process's resident memory may grow by about this much more. */
  memoryMb: number;
}

/** A stack only declares resources: a real one runs in well under a second and a few MB. */
export const DEFAULT_STACK_LIMITS: StackLimits = { timeoutMs: 30_000, memoryMb: 512 };

/** Below this the worker cannot load the DSL at all. */
export const MIN_STACK_MEMORY_MB = 32;

/** The limit as it is written on the command line: 30s, 2m, 500ms. */
export function formatDuration(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
