/**
 * The global flags that name the stack (-C, -f, -p, --no-color), also accepted after a stack
 * command's name (`infra plan -f other.ts`), so that they work in either place.
 */
import { resolve } from "node:path";
import type { CommandIO } from "./command.js";
import { addFile, DEFAULT_STACK_FILE } from "./stack-context.js";
import { DEFAULT_STACK_LIMITS, MIN_STACK_MEMORY_MB, type StackLimits } from "../dsl/loader/stack-limits.js";
import { parseDuration, parsePositiveInt, usageError, type FlagSpecs, type ParsedFlags } from "./parse-flags.js";

export const STACK_FLAGS: FlagSpecs = {
  file: { kind: "list", short: "f" },
  project: { kind: "string", short: "p" },
  chdir: { kind: "string", short: "C" },
  color: { kind: "boolean" },
};

export const STACK_FLAGS_USAGE = `Stack flags (also accepted before the command):
  -C DIR          run as if started in DIR
  -f FILE         the stack file (default: infra.ts, else compose.yaml or docker-compose.yml);
                  repeat it to merge compose files
  -p NAME         the stack name (default: the stack file's directory name)
  --no-color      no colour, even on a terminal`;

/** The io with the stack flags of `parsed` applied. */
export function withStackFlags(io: CommandIO, parsed: ParsedFlags): CommandIO {
  const out: CommandIO = { ...io, options: { ...(io.options ?? {}), file: io.options?.file ?? DEFAULT_STACK_FILE } };
  if (parsed.strings.chdir !== undefined) out.cwd = resolve(io.cwd, parsed.strings.chdir);
  for (const f of parsed.lists.file ?? []) out.options = addFile(out.options!, f);
  if (parsed.strings.project !== undefined) out.options = { ...out.options!, project: parsed.strings.project };
  if (parsed.booleans.color === false) out.color = false;
  return out;
}

/** The limits on the stack program, for the commands that run it (plan, apply, destroy, check, graph, import). */
export const STACK_RUN_FLAGS: FlagSpecs = {
  "stack-timeout": { kind: "string" },
  "stack-memory": { kind: "string" },
};

export const STACK_RUN_FLAGS_USAGE = `Limits on the stack program (past them it is stopped, with an error):
  --stack-timeout D   stop the stack program after D (e.g. 30s, 2m; default 30s, or INFRA_STACK_TIMEOUT)
  --stack-memory MB   stop the stack program past MB megabytes of memory (default 512, or INFRA_STACK_MEMORY_MB)`;

/** The flags win over the environment, which wins over the defaults. */
export function stackLimits(parsed: ParsedFlags, io: CommandIO, command: string): StackLimits {
  const limits = { ...DEFAULT_STACK_LIMITS };
  const timeout = limitSetting(parsed, io, "stack-timeout", "INFRA_STACK_TIMEOUT");
  if (timeout !== undefined) {
    limits.timeoutMs = checked(timeout, command, "a duration such as 30s, 2m or 500ms", (v) => parseDuration(v, timeout.from, command), (n) => n > 0);
  }
  const memory = limitSetting(parsed, io, "stack-memory", "INFRA_STACK_MEMORY_MB");
  if (memory !== undefined) {
    limits.memoryMb = checked(memory, command, `a whole number of megabytes, at least ${MIN_STACK_MEMORY_MB}`, (v) => parsePositiveInt(v, memory.from, command), (n) => n >= MIN_STACK_MEMORY_MB);
  }
  return limits;
}

interface LimitSetting {
  value: string;
  /** `--stack-timeout` or `INFRA_STACK_TIMEOUT`: where the value came from, for the message. */
  from: string;
}

function limitSetting(parsed: ParsedFlags, io: CommandIO, flag: string, env: string): LimitSetting | undefined {
  const f = parsed.strings[flag];
  if (f !== undefined) return { value: f, from: `--${flag}` };
  const e = io.env[env];
  return e === undefined || e === "" ? undefined : { value: e, from: env };
}

function checked(s: LimitSetting, command: string, expected: string, parse: (v: string) => number, ok: (n: number) => boolean): number {
  let n: number | undefined;
  try {
    n = parse(s.value);
  } catch {
    // Reworded below: the same message for the flag and the variable.
  }
  if (n === undefined || !ok(n)) throw usageError("INFRA_CLI_FLAG_VALUE_INVALID", `${s.from} takes ${expected}, not "${s.value}"`, command);
  return n;
}
