/** Attribute-level diffs as plans and drift reports carry them. */
import { containsSecret, type Props, type Value } from "../graph/value.js";
import type { ResourceSchema } from "../providers/contract.js";
import { sameAttribute } from "../providers/schema/diff-props.js";
import type { AttributeChange } from "./plan-types.js";

export function attributeChange(path: string, before: Value | undefined, after: Value | undefined, forcesReplacement: boolean, schema: ResourceSchema | undefined): AttributeChange {
  const c: AttributeChange = {
    path,
    forcesReplacement,
    sensitive: schema?.attributes[path]?.sensitive === true || (before !== undefined && containsSecret(before)) || (after !== undefined && containsSecret(after)),
  };
  if (before !== undefined && before !== null) c.before = before;
  if (after !== undefined && after !== null) c.after = after;
  return c;
}

/** Lists `paths` as changes from `before` to `after`, sorted, with the forcing ones marked. */
export function attributeChanges(paths: readonly string[], before: Props, after: Props, forcing: ReadonlySet<string>, schema: ResourceSchema | undefined): AttributeChange[] {
  return [...paths].sort().map((p) => attributeChange(p, before[p], after[p], forcing.has(p), schema));
}

/** Top-level attributes whose values differ (secrets compared by value). */
export function differingAttributes(before: Props, after: Props): string[] {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => !sameAttribute(before[k], after[k])).sort();
}

/** Number of attributes present on either side that are not listed as changed. */
export function unchangedCount(before: Props, after: Props, changed: readonly string[]): number {
  const all = new Set([...Object.keys(before), ...Object.keys(after)].filter((k) => before[k] !== undefined || after[k] !== undefined));
  for (const c of changed) all.delete(c);
  return all.size;
}
