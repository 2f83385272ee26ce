/** Stack output changes: what `infra output` will show after apply, compared with state. */
import type { OutputNode } from "../graph/resource.js";
import { containsSecret, containsUnknown, type Value } from "../graph/value.js";
import { sameAttribute } from "../providers/schema/diff-props.js";
import type { OutputChange } from "./plan-types.js";
import { resolveKnown, unknownForm, type RefLookup } from "./resolve-values.js";

/**
 * `after` keeps references that are not known yet (the executor resolves them at the end of
 * apply); views show them as known after apply.
 */
export function planOutputs(outputs: readonly OutputNode[], prior: Readonly<Record<string, Value>>, lookup: RefLookup, destroy: boolean): OutputChange[] {
  const changes: OutputChange[] = [];
  const wanted = new Set<string>();
  if (!destroy) {
    for (const o of outputs) {
      wanted.add(o.name);
      const after = resolveKnown(o.value, lookup);
      const before = prior[o.name];
      const c: OutputChange = { name: o.name, action: "noop", after, sensitive: containsSecret(o.value) || containsSecret(after) || (before !== undefined && containsSecret(before)) };
      if (before === undefined) c.action = "create";
      else {
        c.before = before;
        if (containsUnknown(unknownForm(after)) || !sameAttribute(before, after)) c.action = "update";
      }
      changes.push(c);
    }
  }
  for (const [name, before] of Object.entries(prior)) {
    if (wanted.has(name)) continue;
    changes.push({ name, action: "delete", before, sensitive: containsSecret(before) });
  }
  return changes.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
