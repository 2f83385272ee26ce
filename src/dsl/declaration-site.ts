/**
 * Where a resource was declared: the first frame of its construction's stack outside the DSL,
 * mapped to the TypeScript line. It reads V8's structured call sites and maps only that frame,
 * because formatting every frame of every resource's stack through source maps cost about
 * 0.1 ms per resource (most of synth's time on a 2,000-resource stack).
 */
import { findSourceMap, type SourceMap } from "node:module";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { SourceLocation } from "../diag/diagnostic.js";

const DSL_DIR = path.dirname(fileURLToPath(import.meta.url)) + path.sep;
const DSL_URL = pathToFileURL(DSL_DIR).href;

/** Parsed source maps by file, for one synth: Node's `findSourceMap` parses the map again on every call. */
export type SourceMapCache = Map<string, SourceMap | undefined>;

function toPath(loc: string): string {
  return loc.startsWith("file://") ? fileURLToPath(loc) : loc;
}

function skipped(file: string): boolean {
  return file.startsWith("node:") || file.includes("node_modules") || file.startsWith(DSL_URL) || file.startsWith(DSL_DIR);
}

/** The error's call sites, or `undefined` when its stack was already formatted (a string). */
function callSites(err: Error): NodeJS.CallSite[] | undefined {
  const prev = Error.prepareStackTrace;
  Error.prepareStackTrace = (_e, sites) => sites;
  let stack: unknown;
  try {
    stack = err.stack;
  } finally {
    Error.prepareStackTrace = prev;
  }
  return Array.isArray(stack) ? (stack as NodeJS.CallSite[]) : undefined;
}

/** A generated position mapped through the file's source map, when Node holds one for it. */
function mapped(file: string, line: number, column: number, maps: SourceMapCache): SourceLocation {
  if (!maps.has(file)) maps.set(file, findSourceMap(file));
  const entry = maps.get(file)?.findEntry(line - 1, column - 1);
  if (entry !== undefined && "originalSource" in entry && typeof entry.originalSource === "string") {
    return { file: toPath(entry.originalSource), line: entry.originalLine + 1, column: entry.originalColumn + 1 };
  }
  return { file: toPath(file), line, column };
}

/** The old way, for an error whose stack someone already formatted. */
function fromStackText(stack: string): SourceLocation | undefined {
  for (const line of stack.split("\n").slice(1)) {
    const m = /(?:\(|at )((?:file:\/\/)?[^()\s][^()]*?):(\d+):(\d+)\)?\s*$/.exec(line);
    if (m === null) continue;
    const loc = m[1] as string;
    if (skipped(loc)) continue;
    return { file: toPath(loc), line: Number(m[2]), column: Number(m[3]) };
  }
  return undefined;
}

/** The first frame of the construction's stack trace that is not inside the DSL. */
export function declarationSite(err: Error, maps: SourceMapCache = new Map()): SourceLocation | undefined {
  const sites = callSites(err);
  if (sites === undefined) return fromStackText(err.stack ?? "");
  let found: SourceLocation | undefined;
  for (const s of sites) {
    const file = s.getFileName() ?? s.getScriptNameOrSourceURL();
    const line = s.getLineNumber();
    const column = s.getColumnNumber();
    if (!file || line === null || column === null || skipped(file)) continue;
    found = mapped(file, line, column, maps);
    break;
  }
  // Reading the call sites consumed the stack; leave a readable one for anyone who looks later.
  err.stack = `${err.name}: ${err.message}${found === undefined ? "" : `\n    at ${found.file}:${found.line}:${found.column}`}`;
  return found;
}
