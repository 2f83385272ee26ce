/**
 * Compose's scalar formats: Go durations, docker byte sizes, shell words and file modes. Pure.
 * The first three are the DSL's own parsers, answering `undefined` instead of throwing, since
 * compose reports bad values as diagnostics with the key's line.
 */
import { shellWords } from "../dsl/parse/shell-words.js";
import { parseDurationMs as dslDuration, parseSize } from "../dsl/parse/size.js";

function orUndefined<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

/** "1m30s", "500ms", "10s" → milliseconds; a bare number is seconds. undefined when invalid. */
export function parseDurationMs(v: unknown): number | undefined {
  if (typeof v === "string" && /^\s*\d+(\.\d+)?\s*$/.test(v)) return dslDuration(Number(v));
  return typeof v === "number" || typeof v === "string" ? orUndefined(() => dslDuration(v)) : undefined;
}

/** "512m", "1g", "1.5gb", 1024 → bytes (binary units, as docker reads them). undefined when invalid. */
export function parseSizeBytes(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isFinite(v) && v >= 0 ? Math.floor(v) : undefined;
  return typeof v === "string" ? orUndefined(() => parseSize(v)) : undefined;
}

/** Splits a command string into words as compose does (quotes and backslashes, no expansion). */
export function shellSplit(s: string): string[] | undefined {
  return orUndefined(() => shellWords(s));
}

/** A file mode as compose users write it: 0400, "0400", 0o400 or 1777 all read as octal. */
export function parseMode(v: unknown): number | undefined {
  const s = typeof v === "number" ? String(v) : typeof v === "string" ? v.trim().replace(/^0o/, "") : "";
  return /^[0-7]+$/.test(s) ? parseInt(s, 8) : undefined;
}
