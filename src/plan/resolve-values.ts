/**
 * Reference resolution for the planner (partial: what is known now) and the executor (complete:
 * everything must be known). Secrets stay wrapped so that state and plans keep them redacted.
 */
import { containsSecret, isRef, isSecret, isTemplate, isUnknown, containsUnknown, unwrapSecrets, UNKNOWN, type Props, type RefTarget, type RefValue, type Value, type ValueObject } from "../graph/value.js";

/** Returns the value of another resource's attribute, or `undefined` while it is not known. */
export type RefLookup = (t: RefTarget) => Value | undefined;

function known(lookup: RefLookup, t: RefTarget): Value | undefined {
  const v = lookup(t);
  return v === undefined || containsUnknown(v) ? undefined : v;
}

/**
 * Replaces every reference whose value is known; keeps the others as references (so that the
 * executor can resolve them later). A template becomes a string only when all its parts are
 * known; it is wrapped as a secret when any part was secret.
 */
export function resolveKnown(v: Value, lookup: RefLookup): Value {
  if (isRef(v)) return known(lookup, v.$ref) ?? v;
  if (isTemplate(v)) {
    let s = "";
    let secret = false;
    for (const p of v.$template) {
      if (typeof p === "string") {
        s += p;
        continue;
      }
      const r = known(lookup, p.$ref);
      if (r === undefined) return v;
      secret ||= containsSecret(r);
      const plain = unwrapSecrets(r);
      s += typeof plain === "string" ? plain : JSON.stringify(plain);
    }
    return secret ? { $secret: s } : s;
  }
  if (isSecret(v)) return { $secret: resolveKnown(v.$secret, lookup) };
  if (Array.isArray(v)) return v.map((x) => resolveKnown(x, lookup));
  if (typeof v === "object" && v !== null && !isUnknown(v)) {
    const o: ValueObject = {};
    for (const [k, x] of Object.entries(v as ValueObject)) o[k] = resolveKnown(x, lookup);
    return o;
  }
  return v;
}

/** The same value with every remaining reference or template turned into `{$unknown:true}` (what `diff` sees). */
export function unknownForm(v: Value): Value {
  if (isRef(v) || isTemplate(v)) return UNKNOWN;
  if (isSecret(v)) return { $secret: unknownForm(v.$secret) };
  if (Array.isArray(v)) return v.map(unknownForm);
  if (typeof v === "object" && v !== null && !isUnknown(v)) {
    const o: ValueObject = {};
    for (const [k, x] of Object.entries(v as ValueObject)) o[k] = unknownForm(x);
    return o;
  }
  return v;
}

export function mapProps(props: Props, f: (v: Value) => Value): Props {
  const out: Props = {};
  for (const [k, v] of Object.entries(props)) out[k] = f(v);
  return out;
}

/** Every reference still inside a value (after partial resolution). */
export function remainingRefs(v: Value, out: RefValue[] = []): RefValue[] {
  if (isRef(v)) {
    out.push(v);
  } else if (isTemplate(v)) {
    for (const p of v.$template) if (typeof p !== "string") out.push(p);
  } else if (isSecret(v)) {
    remainingRefs(v.$secret, out);
  } else if (Array.isArray(v)) {
    for (const x of v) remainingRefs(x, out);
  } else if (typeof v === "object" && v !== null && !isUnknown(v)) {
    for (const x of Object.values(v as ValueObject)) remainingRefs(x, out);
  }
  return out;
}

/** Reads `attr` of a props/outputs pair: an exact top-level key first, then a dotted path. */
export function readAttribute(outputs: Props, props: Props, attr: string): Value | undefined {
  for (const src of [outputs, props]) {
    if (attr in src) return src[attr];
  }
  const parts = attr.split(".");
  for (const src of [outputs, props]) {
    let cur: Value | undefined = src as Value;
    for (const p of parts) {
      if (cur === undefined || cur === null || typeof cur !== "object") {
        cur = undefined;
        break;
      }
      cur = isSecret(cur) ? undefined : Array.isArray(cur) ? cur[Number(p)] : (cur as ValueObject)[p];
    }
    if (cur !== undefined) return cur;
  }
  return undefined;
}
