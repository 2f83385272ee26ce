/**
 * The global flags that name the stack (-C, -f, -p, --no-color), also accepted after a stack
 * command's name (`infra plan -f other.ts`), so that they work in either place.
 */
import { resolve } from "node:path";
import type { CommandIO } from "./command.js";
import { addFile, DEFAULT_STACK_FILE } from "./stack-context.js";
import type { FlagSpecs, ParsedFlags } from "./parse-flags.js";

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
