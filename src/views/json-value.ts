/**
 * Values for the JSON plan, as Terraform encodes them: unknown values are left out of `after`
 * and marked in `after_unknown`; secrets are left out too (Terraform keeps them; we never
 * print a secret) and marked in `*_sensitive`. Masks mirror the value's shape and hold `true`
 * only where something was left out.
 */
import { isRef, isSecret, isTemplate, isUnknown, type Value } from "../graph/value.js";

export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };
export type Mask = boolean | Mask[] | { [k: string]: Mask };

export interface Encoded {
  /** `undefined` when the value is left out (unknown or secret). */
  value: JsonValue | undefined;
  unknown: Mask;
  sensitive: Mask;
}

export function encodeValue(v: Value, inSecret = false): Encoded {
  if (isSecret(v)) {
    const inner = encodeValue(v.$secret, true);
    return { value: undefined, unknown: inner.unknown === false ? false : true, sensitive: true };
  }
  if (isUnknown(v) || isRef(v) || isTemplate(v)) return { value: undefined, unknown: true, sensitive: inSecret };
  if (Array.isArray(v)) {
    const parts = v.map((x) => encodeValue(x, inSecret));
    return {
      value: parts.map((p) => p.value ?? null),
      unknown: parts.some((p) => p.unknown !== false) ? parts.map((p) => p.unknown) : false,
      sensitive: parts.some((p) => p.sensitive !== false) ? parts.map((p) => p.sensitive) : false,
    };
  }
  if (typeof v === "object" && v !== null) {
    const value: Record<string, JsonValue> = {};
    const unknown: Record<string, Mask> = {};
    const sensitive: Record<string, Mask> = {};
    for (const [k, x] of Object.entries(v as Record<string, Value>)) {
      if (x === undefined) continue;
      const e = encodeValue(x, inSecret);
      if (e.value !== undefined) value[k] = e.value;
      if (e.unknown !== false) unknown[k] = e.unknown;
      if (e.sensitive !== false) sensitive[k] = e.sensitive;
    }
    return {
      value,
      unknown: Object.keys(unknown).length > 0 ? unknown : false,
      sensitive: Object.keys(sensitive).length > 0 ? sensitive : false,
    };
  }
  return { value: v, unknown: false, sensitive: false };
}

/**
 * An attribute object (before or after of a resource), with attributes the schema marks sensitive
 * redacted whole. Top-level masks are always objects, as Terraform writes them.
 */
export function encodeObject(
  obj: Record<string, Value> | null,
  sensitiveKeys: ReadonlySet<string>,
): { value: JsonValue; unknown: Mask; sensitive: Mask } {
  if (obj === null) return { value: null, unknown: false, sensitive: false };
  const value: Record<string, JsonValue> = {};
  const unknown: Record<string, Mask> = {};
  const sensitive: Record<string, Mask> = {};
  for (const k of Object.keys(obj).sort()) {
    const x = obj[k];
    if (x === undefined) continue;
    if (sensitiveKeys.has(k)) {
      sensitive[k] = true;
      continue;
    }
    const e = encodeValue(x);
    if (e.value !== undefined) value[k] = e.value;
    if (e.unknown !== false) unknown[k] = e.unknown;
    if (e.sensitive !== false) sensitive[k] = e.sensitive;
  }
  return { value, unknown, sensitive };
}
