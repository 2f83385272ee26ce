/**
 * Where a command's stack lives: the stack file (`-f`, default infra.ts, relative to `-C`),
 * the stack name (`-p`, default the file's directory name) and `.infra/` beside the file.
 */
import { existsSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { InfraError } from "../diag/infra-error.js";
import type { CommandIO } from "./command.js";

export const DEFAULT_STACK_FILE = "infra.ts";

export interface StackContext {
  /** Absolute path of the stack file. */
  file: string;
  dir: string;
  stackName: string;
  /** `.infra/` beside the stack file: state, lock, caches. */
  stateDir: string;
  cacheDir: string;
}

export function stackContext(io: CommandIO): StackContext {
  const file = resolve(io.cwd, io.options?.file ?? DEFAULT_STACK_FILE);
  const dir = dirname(file);
  const stackName = io.options?.project ?? (basename(dir) || "default");
  const stateDir = join(dir, ".infra");
  return { file, dir, stackName, stateDir, cacheDir: join(stateDir, "cache") };
}

/** The context, refusing a stack file that does not exist. */
export function existingStack(io: CommandIO): StackContext {
  const ctx = stackContext(io);
  if (!existsSync(ctx.file)) {
    throw new InfraError("INFRA_CLI_STACK_NOT_FOUND", `No stack file at ${ctx.file}`, {
      detail: `infra reads the stack from ${io.options?.file ?? DEFAULT_STACK_FILE} in ${io.cwd}.`,
      hint: "Run `infra init` to write a starter stack, pass -f FILE to name another file, or -C DIR to run in another directory.",
    });
  }
  return ctx;
}
