/**
 * The one rule every provider uses to compare recorded and desired props, so that the in-memory
 * test provider and the real ones plan the same replacements.
 */
import { containsUnknown, unwrapSecrets, valueEquals, type Props, type Value } from "../../graph/value.js";
import type { DiffResponse, ResourceSchema } from "../contract.js";

/** True when two attribute values are the same for planning purposes (secrets compared by value). */
export function sameAttribute(prior: Value | undefined, desired: Value | undefined): boolean {
  if (desired !== undefined && containsUnknown(desired)) return false;
  const a = prior === undefined || prior === null ? undefined : unwrapSecrets(prior);
  const b = desired === undefined || desired === null ? undefined : unwrapSecrets(desired);
  return valueEquals(a, b);
}

/**
 * Pure: which top-level attributes differ, which of them force replacement (per the schema;
 * an attribute the schema does not know is treated as `replace`, the safe side), and which
 * outputs become unknown after an in-place update. An unknown desired value always counts as a change.
 */
export function diffProps(schema: ResourceSchema, prior: Props, desired: Props): DiffResponse {
  const keys = [...new Set([...Object.keys(prior), ...Object.keys(desired)])].sort();
  const changed: string[] = [];
  const replace: string[] = [];
  for (const k of keys) {
    if (sameAttribute(prior[k], desired[k])) continue;
    changed.push(k);
    if ((schema.attributes[k]?.onChange ?? "replace") === "replace") replace.push(k);
  }
  const unknownOutputs =
    replace.length > 0 || changed.length === 0
      ? []
      : Object.entries(schema.outputs)
          .filter(([, o]) => o.changesOnUpdate === true || (Array.isArray(o.changesOnUpdate) && o.changesOnUpdate.some((a) => changed.includes(a))))
          .map(([name]) => name)
          .sort();
  return { changed, replace, unknownOutputs };
}
