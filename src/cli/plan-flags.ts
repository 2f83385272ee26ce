/** The flags that shape a plan, shared by plan, apply and destroy. */
import type { PlanOptions } from "../plan/plan-types.js";
import { DEFAULT_LOCK_TIMEOUT_MS } from "./state-session.js";
import { parseDuration, type FlagSpecs, type ParsedFlags } from "./parse-flags.js";

export const PLAN_FLAGS: FlagSpecs = {
  refresh: { kind: "boolean" },
  target: { kind: "list" },
  exclude: { kind: "list" },
  replace: { kind: "list" },
  "lock-timeout": { kind: "string" },
};

export const PLAN_FLAGS_USAGE = `  --refresh=false     do not read live objects first (plan against recorded state)
  --target ADDR       plan only ADDR and what it depends on (repeatable)
  --exclude ADDR      leave ADDR and what depends on it out (repeatable)
  --replace ADDR      replace ADDR even if nothing changed (repeatable)
  --lock-timeout D    wait up to D (e.g. 30s, 2m) for the state lock (default 30s)`;

export function planOptions(p: ParsedFlags, mode: PlanOptions["mode"]): PlanOptions {
  return {
    mode,
    refresh: p.booleans.refresh ?? true,
    targets: p.lists.target ?? [],
    excludes: p.lists.exclude ?? [],
    replace: p.lists.replace ?? [],
  };
}

export function lockTimeout(p: ParsedFlags, command: string): number {
  const v = p.strings["lock-timeout"];
  return v === undefined ? DEFAULT_LOCK_TIMEOUT_MS : parseDuration(v, "--lock-timeout", command);
}
