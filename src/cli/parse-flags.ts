/**
 * A small flag parser: `--name value`, `--name=value`, `-x value`, booleans as `--flag`,
 * `--flag=false` or `--no-flag`, repeatable list flags. Anything unknown is a usage error that
 * names the flag. Written here rather than taken from a library so that errors are InfraErrors.
 */
import { InfraError } from "../diag/infra-error.js";

export type FlagKind = "boolean" | "string" | "list";

export interface FlagSpec {
  kind: FlagKind;
  /** One-letter spelling, e.g. "f" for -f. */
  short?: string;
}

export type FlagSpecs = Record<string, FlagSpec>;

export interface ParsedFlags {
  booleans: Record<string, boolean>;
  strings: Record<string, string>;
  lists: Record<string, string[]>;
  positionals: string[];
}

export function parseFlags(argv: readonly string[], specs: FlagSpecs, command: string): ParsedFlags {
  const out: ParsedFlags = { booleans: {}, strings: {}, lists: {}, positionals: [] };
  const byShort = new Map(Object.entries(specs).flatMap(([name, s]) => (s.short !== undefined ? [[s.short, name] as const] : [])));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      out.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      out.positionals.push(arg);
      continue;
    }
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
    } else {
      const long = byShort.get(arg.slice(1, 2));
      if (long === undefined || arg.length > 2) throw unknownFlag(arg, command);
      name = long;
    }
    let spec = specs[name];
    if (spec === undefined && name.startsWith("no-") && specs[name.slice(3)]?.kind === "boolean" && inline === undefined) {
      out.booleans[name.slice(3)] = false;
      continue;
    }
    if (spec === undefined) throw unknownFlag(arg, command);
    if (spec.kind === "boolean") {
      out.booleans[name] = inline === undefined ? true : parseBool(inline, arg, command);
      continue;
    }
    let value = inline;
    if (value === undefined) {
      value = argv[i + 1];
      if (value === undefined) throw usageError("INFRA_CLI_FLAG_VALUE_MISSING", `Flag ${arg} needs a value`, command);
      i++;
    }
    if (spec.kind === "string") out.strings[name] = value;
    else (out.lists[name] ??= []).push(value);
  }
  return out;
}

function parseBool(v: string, arg: string, command: string): boolean {
  if (v === "true" || v === "1") return true;
  if (v === "false" || v === "0") return false;
  throw usageError("INFRA_CLI_FLAG_VALUE_INVALID", `Flag ${arg} takes true or false, not "${v}"`, command);
}

function unknownFlag(arg: string, command: string): InfraError {
  return usageError("INFRA_CLI_UNKNOWN_FLAG", `Unknown flag ${arg.split("=")[0]} for "infra ${command}"`, command);
}

/** A mistake in the command line: exit status 1, with a pointer to the command's help. */
export function usageError(code: string, summary: string, command: string): InfraError {
  return new InfraError(code, summary, { hint: `Run \`infra help ${command}\` to see its usage.`, exitCode: 1 });
}

/** `30s`, `2m`, `500ms`, `0` → milliseconds. */
export function parseDuration(v: string, flag: string, command: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(v.trim());
  if (m === null) throw usageError("INFRA_CLI_FLAG_VALUE_INVALID", `Flag ${flag} takes a duration such as 30s, 2m or 500ms, not "${v}"`, command);
  const n = Number(m[1]);
  const unit = m[2] ?? "s";
  const factor = unit === "ms" ? 1 : unit === "s" ? 1000 : unit === "m" ? 60_000 : 3_600_000;
  return Math.round(n * factor);
}

/** A positive integer flag value. */
export function parsePositiveInt(v: string, flag: string, command: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1) throw usageError("INFRA_CLI_FLAG_VALUE_INVALID", `Flag ${flag} takes a whole number of at least 1, not "${v}"`, command);
  return Number(v);
}

/** Refuses extra positional arguments, naming the first. */
export function expectPositionals(p: ParsedFlags, min: number, max: number, command: string): void {
  if (p.positionals.length < min) throw usageError("INFRA_CLI_ARGUMENT_MISSING", `"infra ${command}" needs ${min === max ? min : `at least ${min}`} argument${min === 1 ? "" : "s"}`, command);
  if (p.positionals.length > max) throw usageError("INFRA_CLI_ARGUMENT_UNEXPECTED", `Unexpected argument "${p.positionals[max]}" for "infra ${command}"`, command);
}
