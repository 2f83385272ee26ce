/**
 * Content-keyed record of the last clean type-check of a stack: when every file the program read
 * is unchanged (and TypeScript and the DSL declarations with them), the check is skipped.
 */
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { dslEntry } from "./dsl-entry.js";

export interface TypecheckRecord {
  key: string;
  /** Every non-library file of the program. */
  files: string[];
  /** The subset that is the user's own TypeScript (transpiled to run). */
  userFiles: string[];
}

/** Bump when the compiler options or the record's meaning change. */
const RECORD_VERSION = "infra-typecheck-1";

let tsVersion: string | undefined;
export function typescriptVersion(): string {
  tsVersion ??= (createRequire(import.meta.url)("typescript/package.json") as { version: string }).version;
  return tsVersion;
}

/** sha256 over the versions and every file's path and content; `undefined` when one is missing. */
export async function contentKey(files: readonly string[]): Promise<string | undefined> {
  const h = createHash("sha256");
  h.update(`${RECORD_VERSION}\n${typescriptVersion()}\n${dslEntry().typesFile}\n`);
  const contents = await Promise.all([...files].sort().map(async (f) => {
    try {
      return [f, await fs.readFile(f)] as const;
    } catch {
      return undefined;
    }
  }));
  for (const c of contents) {
    if (c === undefined) return undefined;
    h.update(`${c[0]}\n${createHash("sha256").update(c[1]).digest("hex")}\n`);
  }
  return "sha256:" + h.digest("hex");
}

export function recordPath(cacheDir: string, stackFile: string): string {
  return path.join(cacheDir, "typecheck", `${stackId(stackFile)}.json`);
}

/** A short, stable name for a stack file within the cache. */
export function stackId(stackFile: string): string {
  return createHash("sha256").update(path.resolve(stackFile)).digest("hex").slice(0, 16);
}

export async function readRecord(file: string): Promise<TypecheckRecord | undefined> {
  try {
    const r = JSON.parse(await fs.readFile(file, "utf8")) as Partial<TypecheckRecord>;
    if (typeof r.key === "string" && Array.isArray(r.files) && Array.isArray(r.userFiles)) return r as TypecheckRecord;
  } catch {
    // absent or unreadable: a cache miss
  }
  return undefined;
}

/** Written through a temporary file and a rename, so a reader never sees half a record. */
export async function writeRecord(file: string, record: TypecheckRecord): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, JSON.stringify(record));
  await fs.rename(tmp, file);
}
