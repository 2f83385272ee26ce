/**
 * Where a command's stack lives: the stack file (`-f`, default infra.ts, relative to `-C`; a
 * compose file stands in when there is no infra.ts), the stack name (`-p`, default the file's
 * directory name; for compose, compose's own rule) and `.infra/` beside the file.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { createRequire } from "node:module";
import { composeFileIn, isComposeFile } from "../compose/find-compose-file.js";
import { pickProjectName } from "../compose/project-name.js";
import { MAX_COMPOSE_FILE_BYTES } from "../compose/read-bounded.js";
import { InfraError } from "../diag/infra-error.js";
import type { CommandIO, GlobalOptions } from "./command.js";

export const DEFAULT_STACK_FILE = "infra.ts";

export interface StackContext {
  /** Absolute path of the stack file (the first one, for compose). */
  file: string;
  /** `typescript` for a stack program, `compose` for compose files. */
  kind: "typescript" | "compose";
  /** Every file of the stack: one for TypeScript, one or more compose files merged in order. */
  files: string[];
  dir: string;
  stackName: string;
  /** `.infra/` beside the stack file: state, lock, caches. */
  stateDir: string;
  cacheDir: string;
}

/** A first -f names the stack file; more name compose files merged onto it. */
export function addFile(options: GlobalOptions, file: string): GlobalOptions {
  if (!options.fileGiven) return { ...options, file, fileGiven: true };
  return { ...options, moreFiles: [...(options.moreFiles ?? []), file] };
}

export function stackContext(io: CommandIO): StackContext {
  let file = resolve(io.cwd, io.options?.file ?? DEFAULT_STACK_FILE);
  if (!io.options?.fileGiven && !existsSync(file)) {
    const compose = composeFileIn(dirname(file));
    if (compose !== undefined) file = compose;
  }
  const files = [file, ...(io.options?.moreFiles ?? []).map((f) => resolve(io.cwd, f))];
  const dir = dirname(file);
  const kind = isComposeFile(file) ? "compose" : "typescript";
  const stackName =
    kind === "compose"
      ? pickProjectName({ flag: io.options?.project, env: io.env.COMPOSE_PROJECT_NAME, fileName: composeName(files), dirName: basename(dir) })
      : io.options?.project ?? (basename(dir) || "default");
  const stateDir = join(dir, ".infra");
  return { file, kind, files, dir, stackName, stateDir, cacheDir: join(stateDir, "cache") };
}

/** The top-level `name:` of the last compose file that sets one, read without interpolation. */
function composeName(files: string[]): string | undefined {
  // Loaded here, not at start-up: most commands never read a compose file.
  const { parse: parseYaml } = createRequire(import.meta.url)("yaml") as typeof import("yaml");
  let name: string | undefined;
  for (const f of files) {
    try {
      // The loader reports a pipe, a file too large or an alias bomb with its own error.
      const st = statSync(f);
      if (!st.isFile() || st.size > MAX_COMPOSE_FILE_BYTES) continue;
      const doc: unknown = parseYaml(readFileSync(f, "utf8"), { maxAliasCount: 100 });
      if (typeof doc === "object" && doc !== null && typeof (doc as { name?: unknown }).name === "string") name = (doc as { name: string }).name;
    } catch {
      // The loader reports unreadable or malformed files with their line; here a name is only a hint.
    }
  }
  return name;
}

/** The context, refusing a stack file that does not exist. */
export function existingStack(io: CommandIO): StackContext {
  const ctx = stackContext(io);
  for (const f of ctx.files) {
    if (!existsSync(f)) {
      throw new InfraError("INFRA_CLI_STACK_NOT_FOUND", `No stack file at ${f}`, {
        detail: `infra reads the stack from ${io.options?.file ?? DEFAULT_STACK_FILE} in ${io.cwd} (or, without infra.ts, from compose.yaml or docker-compose.yml).`,
        hint: "Run `infra init` to write a starter stack, pass -f FILE to name another file, or -C DIR to run in another directory.",
      });
    }
  }
  return ctx;
}
