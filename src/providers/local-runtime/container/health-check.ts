/**
 * Health checks, Docker's rules, as pure functions: which check applies (the container's spec over
 * the image's HEALTHCHECK), the argv it runs, and the next health state after one probe.
 */
import type { HealthcheckSpec } from "../../../graph/specs.js";
import type { ImageRuntimeConfig } from "../image/image-types.js";
import { runtimeError } from "../runtime-error.js";
import type { HealthState } from "./container-record.js";

export const HEALTH_DEFAULTS = { intervalMs: 30_000, timeoutMs: 30_000, retries: 3, startPeriodMs: 0 } as const;
/** Docker keeps this many results and this much output of each. */
export const HEALTH_LOG_MAX = 5;
export const HEALTH_OUTPUT_MAX = 4096;

export interface EffectiveHealthcheck {
  argv: string[];
  intervalMs: number;
  timeoutMs: number;
  retries: number;
  startPeriodMs: number;
}

type ImageHealthcheck = NonNullable<ImageRuntimeConfig["Healthcheck"]>;

/** Image durations are nanoseconds (Docker's config); 0 or absent means "the default". */
const fromNs = (ns: number | undefined): number | undefined => (ns && ns > 0 ? Math.round(ns / 1e6) : undefined);

/** The check to run, or undefined when there is none (no check anywhere, or `NONE`). */
export function resolveHealthcheck(spec: HealthcheckSpec | undefined, image: ImageHealthcheck | undefined): EffectiveHealthcheck | undefined {
  const fromImage: HealthcheckSpec | undefined = image?.Test?.length
    ? { test: image.Test, ...opt("intervalMs", fromNs(image.Interval)), ...opt("timeoutMs", fromNs(image.Timeout)), ...opt("retries", image.Retries || undefined), ...opt("startPeriodMs", fromNs(image.StartPeriod)) }
    : undefined;
  // A spec with an empty test keeps the image's command but may change its timings (compose does this).
  const test = spec?.test.length ? spec.test : fromImage?.test;
  if (!test || test[0] === "NONE") return undefined;
  const pick = (k: "intervalMs" | "timeoutMs" | "retries" | "startPeriodMs") => spec?.[k] ?? fromImage?.[k] ?? HEALTH_DEFAULTS[k];
  const h: EffectiveHealthcheck = { argv: healthArgv(test), intervalMs: pick("intervalMs"), timeoutMs: pick("timeoutMs"), retries: pick("retries"), startPeriodMs: pick("startPeriodMs") };
  for (const k of ["intervalMs", "timeoutMs"] as const)
    if (!(h[k] >= 1)) throw runtimeError("Invalid", "BAD_HEALTHCHECK", `healthcheck ${k} must be at least 1 ms, got ${h[k]}`);
  if (!(h.retries >= 1) || !(h.startPeriodMs >= 0)) throw runtimeError("Invalid", "BAD_HEALTHCHECK", `healthcheck retries must be ≥ 1 and start period ≥ 0 (got ${h.retries}, ${h.startPeriodMs})`);
  return h;
}

function opt<K extends string, V>(k: K, v: V | undefined): { [P in K]?: V } {
  return (v === undefined ? {} : { [k]: v }) as { [P in K]?: V };
}

/** `["CMD", argv...]`, `["CMD-SHELL", "cmd"]`, or a bare string list (taken as CMD-SHELL when one word with spaces). */
export function healthArgv(test: string[]): string[] {
  const [kind, ...rest] = test;
  if (kind === "CMD" && rest.length > 0) return rest;
  if (kind === "CMD-SHELL" && rest.length > 0) return ["/bin/sh", "-c", rest.join(" ")];
  throw runtimeError("Invalid", "BAD_HEALTHCHECK", `healthcheck test ${JSON.stringify(test)} must start with CMD, CMD-SHELL or NONE and have a command`,
    'e.g. ["CMD-SHELL", "wget -q -O- http://localhost/ || exit 1"]');
}

export interface ProbeResult {
  start: string;
  end: string;
  /** -1 when the probe timed out or could not run. */
  exitCode: number;
  output: string;
}

export function initialHealth(): HealthState {
  return { status: "starting", failingStreak: 0, log: [] };
}

/**
 * The state after one probe. A success makes it healthy; a failure inside the start period does
 * not count; `retries` failures in a row make it unhealthy.
 */
export function nextHealth(prev: HealthState, r: ProbeResult, h: EffectiveHealthcheck, startedAtMs: number): HealthState {
  const entry = { ...r, output: truncateOutput(r.output) };
  const log = [...prev.log, entry].slice(-HEALTH_LOG_MAX);
  if (r.exitCode === 0) return { status: "healthy", failingStreak: 0, log };
  const inStartPeriod = Date.parse(r.start) - startedAtMs < h.startPeriodMs;
  if (inStartPeriod && prev.status === "starting") return { ...prev, log };
  const failingStreak = prev.failingStreak + 1;
  return { status: failingStreak >= h.retries ? "unhealthy" : prev.status, failingStreak, log };
}

export function truncateOutput(s: string): string {
  const b = Buffer.from(s, "utf8");
  return b.length <= HEALTH_OUTPUT_MAX ? s : b.subarray(0, HEALTH_OUTPUT_MAX).toString("utf8");
}
