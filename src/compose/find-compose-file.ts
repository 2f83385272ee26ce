/**
 * Which compose file a directory holds, in compose's order of preference, and whether a stack
 * path names a compose file (the CLI plans it through the compose loader then).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";

export const COMPOSE_FILE_NAMES = ["compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"] as const;

/** The compose file in `dir`, or undefined. A directory with an infra.ts is a TypeScript stack: undefined. */
export function findComposeFile(dir: string, exists: (p: string) => boolean = existsSync): string | undefined {
  if (exists(join(dir, "infra.ts"))) return undefined;
  return composeFileIn(dir, exists);
}

/** The compose file in `dir`, whatever else is there. */
export function composeFileIn(dir: string, exists: (p: string) => boolean = existsSync): string | undefined {
  for (const name of COMPOSE_FILE_NAMES) {
    const p = join(dir, name);
    if (exists(p)) return p;
  }
  return undefined;
}

export function isComposeFile(path: string): boolean {
  return /\.ya?ml$/i.test(path);
}
