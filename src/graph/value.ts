/**
 * Values in the resource graph, in plans and in state. Everything is plain JSON so that plans
 * and state files can be written, read back and diffed. Four markers carry meaning:
 *
 * - `{ $ref: { address, attr } }`: another resource's attribute, resolved at apply time.
 * - `{ $template: [...] }`: a string built from literal parts and references.
 * - `{ $unknown: true }`: a value that is only known after apply.
 * - `{ $secret: v }`: a value that every view redacts.
 *
 * User objects never have keys starting with `$` (validation refuses them), so the markers
 * cannot be confused with data.
 */
export type Value = null | boolean | number | string | Value[] | ValueObject | RefValue | TemplateValue | UnknownValue | SecretValue;

export interface ValueObject {
  [key: string]: Value;
}

export interface RefTarget {
  address: string;
  attr: string;
}

export interface RefValue {
  $ref: RefTarget;
}

export interface TemplateValue {
  $template: Array<string | RefValue>;
}

export interface UnknownValue {
  $unknown: true;
}

export interface SecretValue {
  $secret: Value;
}

export type Props = Record<string, Value>;

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function isRef(v: unknown): v is RefValue {
  return isObj(v) && isObj(v.$ref) && typeof v.$ref.address === "string" && typeof v.$ref.attr === "string";
}

export function isTemplate(v: unknown): v is TemplateValue {
  return isObj(v) && Array.isArray(v.$template);
}

export function isUnknown(v: unknown): v is UnknownValue {
  return isObj(v) && v.$unknown === true;
}

export function isSecret(v: unknown): v is SecretValue {
  return isObj(v) && "$secret" in v && Object.keys(v).length === 1;
}

export const UNKNOWN: UnknownValue = Object.freeze({ $unknown: true }) as UnknownValue;

export function ref(address: string, attr: string): RefValue {
  return { $ref: { address, attr } };
}

export function secret(v: Value): SecretValue {
  return { $secret: v };
}

/** Every reference inside a value, in order of appearance. */
export function collectRefs(v: Value, out: RefTarget[] = []): RefTarget[] {
  if (isRef(v)) {
    out.push(v.$ref);
  } else if (isTemplate(v)) {
    for (const p of v.$template) if (typeof p !== "string") out.push(p.$ref);
  } else if (isSecret(v)) {
    collectRefs(v.$secret, out);
  } else if (Array.isArray(v)) {
    for (const x of v) collectRefs(x, out);
  } else if (isObj(v) && !isUnknown(v)) {
    for (const x of Object.values(v)) collectRefs(x as Value, out);
  }
  return out;
}

/** True when the value (or anything inside it) is unknown or an unresolved reference. */
export function containsUnknown(v: Value): boolean {
  if (isUnknown(v) || isRef(v)) return true;
  if (isTemplate(v)) return v.$template.some((p) => typeof p !== "string");
  if (isSecret(v)) return containsUnknown(v.$secret);
  if (Array.isArray(v)) return v.some(containsUnknown);
  if (isObj(v)) return Object.values(v).some((x) => containsUnknown(x as Value));
  return false;
}

export function containsSecret(v: Value): boolean {
  if (isSecret(v)) return true;
  if (Array.isArray(v)) return v.some(containsSecret);
  if (isObj(v) && !isRef(v) && !isUnknown(v)) {
    if (isTemplate(v)) return false;
    return Object.values(v).some((x) => containsSecret(x as Value));
  }
  return false;
}

/** Removes `$secret` wrappers, keeping the values (for providers, which need the real value). */
export function unwrapSecrets(v: Value): Value {
  if (isSecret(v)) return unwrapSecrets(v.$secret);
  if (Array.isArray(v)) return v.map(unwrapSecrets);
  if (isObj(v) && !isRef(v) && !isUnknown(v) && !isTemplate(v)) {
    const o: ValueObject = {};
    for (const [k, x] of Object.entries(v)) o[k] = unwrapSecrets(x as Value);
    return o;
  }
  return v;
}

/**
 * Replaces references with what `lookup` returns. A template whose parts are all known becomes
 * a string; otherwise it becomes unknown. `lookup` returns `undefined` for a value not yet known.
 */
export function resolveRefs(v: Value, lookup: (t: RefTarget) => Value | undefined): Value {
  if (isRef(v)) return lookup(v.$ref) ?? UNKNOWN;
  if (isTemplate(v)) {
    let s = "";
    for (const p of v.$template) {
      if (typeof p === "string") {
        s += p;
        continue;
      }
      const r = lookup(p.$ref);
      if (r === undefined || containsUnknown(r)) return UNKNOWN;
      const plain = unwrapSecrets(r);
      s += typeof plain === "string" ? plain : JSON.stringify(plain);
    }
    return s;
  }
  if (isSecret(v)) return { $secret: resolveRefs(v.$secret, lookup) };
  if (Array.isArray(v)) return v.map((x) => resolveRefs(x, lookup));
  if (isObj(v) && !isUnknown(v)) {
    const o: ValueObject = {};
    for (const [k, x] of Object.entries(v)) o[k] = resolveRefs(x as Value, lookup);
    return o;
  }
  return v;
}

/** Structural equality of two values (key order ignored). */
export function valueEquals(a: Value | undefined, b: Value | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => valueEquals(x, b[i]));
  }
  const ao = a as Record<string, Value>;
  const bo = b as Record<string, Value>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  if (ak.length !== bk.length) return false;
  return ak.every((k) => valueEquals(ao[k], bo[k]));
}

/** Stable JSON: object keys sorted, so that equal values hash equally. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => {
    if (isObj(x)) {
      const o: Record<string, unknown> = {};
      for (const k of Object.keys(x).sort()) o[k] = x[k];
      return o;
    }
    return x;
  });
}
