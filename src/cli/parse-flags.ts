/**
 * A small flag parser: `--name value`, `--name=value`, `-x value`, `-xVALUE`, combined short
 * booleans (`-aq`), booleans as `--flag`, `--flag=false` or `--no-flag`, repeatable list flags. Anything unknown is a usage error that
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
  const { flags, rest } = splitFlags(argv, specs, command, false);
  for (let i = 0; i < flags.length; i++) {
    const arg = flags[i]!;
    if (!arg.startsWith("--")) {
      out.positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const inline = eq < 0 ? undefined : arg.slice(eq + 1);
    const spec = specs[name];
    if (spec === undefined && name.startsWith("no-") && specs[name.slice(3)]?.kind === "boolean" && inline === undefined) {
      out.booleans[name.slice(3)] = false;
      continue;
    }
    if (spec === undefined) throw unknownFlag(arg, command);
    if (spec.kind === "boolean") {
      out.booleans[name] = inline === undefined ? true : parseBool(inline, arg, command);
      continue;
    }
    // splitFlags gave every value flag its value inline.
    const value = inline!;
    if (spec.kind === "string") out.strings[name] = value;
    else (out.lists[name] ??= []).push(value);
  }
  out.positionals.push(...rest);
  return out;
}

/**
 * The flags in their long form with any value inline (`--name=value`), as pflag reads them:
 * boolean short flags combine (`-aq`), and a short flag that takes a value may end a group, its
 * value the rest of the group or the next argument (`-itp8080:80`, `-itp 8080:80`, `-p=80`).
 * Positionals stay among the flags in order, unless `stopAtPositional` (run, exec: the first one
 * is the image or container, and what follows is the container's command, never infra's flags).
 */
export function splitFlags(argv: readonly string[], specs: FlagSpecs, command: string, stopAtPositional: boolean): { flags: string[]; rest: string[] } {
  const byShort = new Map(Object.entries(specs).flatMap(([name, s]) => (s.short !== undefined ? [[s.short, name] as const] : [])));
  const flags: string[] = [];
  const needValue = (name: string, shown: string, i: number): string => {
    const v = argv[i + 1];
    if (v === undefined) throw usageError("INFRA_CLI_FLAG_VALUE_MISSING", `Flag ${shown} needs a value`, command);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") return { flags, rest: argv.slice(i + 1) };
    if (!arg.startsWith("-") || arg === "-") {
      if (stopAtPositional) return { flags, rest: argv.slice(i) };
      flags.push(arg);
      continue;
    }
    if (arg.startsWith("--")) {
      const name = arg.slice(2).split("=")[0]!;
      const kind = specs[name]?.kind;
      if (arg.includes("=") || kind === undefined || kind === "boolean") flags.push(arg);
      else flags.push(`--${name}=${needValue(name, arg, i++)}`);
      continue;
    }
    for (let j = 1; j < arg.length; j++) {
      const name = byShort.get(arg[j]!);
      if (name === undefined) throw unknownFlag(arg.length === 2 ? arg : `-${arg[j]!} (in ${arg})`, command);
      const rest = arg.slice(j + 1);
      const inline = rest.startsWith("=") ? rest.slice(1) : rest;
      if (specs[name]!.kind === "boolean") {
        if (rest.startsWith("=")) { flags.push(`--${name}=${inline}`); break; }
        flags.push(`--${name}`);
        continue;
      }
      flags.push(`--${name}=${inline !== "" || rest.startsWith("=") ? inline : needValue(name, `-${arg[j]!}`, i++)}`);
      break;
    }
  }
  return { flags, rest: [] };
}

function parseBool(v: string, arg: string, command: string): boolean {
  if (v === "true" || v === "1") return true;
  if (v === "false" || v === "0") return false;
  throw usageError("INFRA_CLI_FLAG_VALUE_INVALID", `Flag ${arg} takes true or false, not "${v}"`, command);
}

function unknownFlag(arg: string, command: string): InfraError {
  return usageError("INFRA_CLI_UNKNOWN_FLAG", `Unknown flag ${arg.startsWith("--") ? arg.split("=")[0] : arg} for "infra ${command}"`, command);
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
