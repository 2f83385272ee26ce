/**
 * How single values look in the human views. Markers never print their contents:
 * secrets become "(sensitive value)", unknowns and references "(known after apply)".
 */
import { isRef, isSecret, isTemplate, isUnknown, type Value } from "../graph/value.js";

export const SENSITIVE_TEXT = "(sensitive value)";
export const UNKNOWN_TEXT = "(known after apply)";

/** A plain object or array: a value views show as a block of lines. */
export function isPlainObject(v: Value | undefined): v is Record<string, Value> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !isMarker(v);
}

export function isMarker(v: Value | undefined): boolean {
  return isSecret(v) || isUnknown(v) || isRef(v) || isTemplate(v);
}

/** The text shown for a marker, or undefined for data. */
export function markerText(v: Value | undefined): string | undefined {
  if (isSecret(v)) return SENSITIVE_TEXT;
  if (isUnknown(v) || isRef(v) || isTemplate(v)) return UNKNOWN_TEXT;
  return undefined;
}

/** Map keys shown bare when they look like identifiers, quoted otherwise (Terraform does the same). */
export function formatKey(k: string): string {
  return /^[A-Za-z_][A-Za-z0-9_.-]*$/.test(k) ? k : JSON.stringify(k);
}

/** One value on one line: scalars as JSON, objects and arrays in braces. */
export function formatInline(v: Value | undefined): string {
  if (v === undefined || v === null) return "null";
  const m = markerText(v);
  if (m !== undefined) return m;
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return v.length === 0 ? "[]" : `[${v.map(formatInline).join(", ")}]`;
  const o = v as Record<string, Value>;
  const keys = Object.keys(o).filter((k) => o[k] !== undefined);
  if (keys.length === 0) return "{}";
  return `{ ${keys.map((k) => `${formatKey(k)} = ${formatInline(o[k])}`).join(", ")} }`;
}

/** True for strings that views show as heredocs, diffed line by line. */
export function isMultiline(v: Value | undefined): v is string {
  return typeof v === "string" && v.includes("\n");
}
