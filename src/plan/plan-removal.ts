/** Changes that take an object away: deletes and forgets of recorded resources, deletes of deposed objects. */
import type { ResourceNode } from "../graph/resource.js";
import type { DeposedObject, ResourceState } from "../state/state-types.js";
import { attributeChanges } from "./attribute-changes.js";
import type { PlanChange } from "./plan-types.js";

/** A resource no longer in the stack (or every resource, in destroy mode). `now` is the refreshed record. */
export function removalChange(r: ResourceState, now: ResourceState, node: ResourceNode | undefined, destroy: boolean): PlanChange {
  const options = node?.options ?? r.options;
  const forget = options.retainOnDelete === true;
  return {
    address: r.address,
    type: r.type,
    provider: r.provider,
    action: forget ? "forget" : "delete",
    reasons: [{ code: forget ? "forget_because_retain_on_delete" : destroy ? "delete_because_destroy" : "delete_because_no_resource_config" }],
    before: { id: now.id, props: now.props, outputs: now.outputs },
    after: null,
    attributes: attributeChanges(Object.keys(now.props), now.props, {}, new Set(), undefined),
    unchangedCount: 0,
    dependencies: [...r.dependencies],
    options: { ...options },
  };
}

/**
 * A deposed object always goes, in every mode: its replacement passed the protect check already,
 * and retainOnDelete is about the resource, which lives on in its replacement.
 */
export function deposedChange(d: DeposedObject): PlanChange {
  return {
    address: d.address,
    type: d.type,
    provider: d.provider,
    action: "delete",
    deposed: d.id,
    reasons: [{ code: "delete_because_deposed" }],
    before: { id: d.id, props: d.props, outputs: d.outputs },
    after: null,
    attributes: attributeChanges(Object.keys(d.props), d.props, {}, new Set(), undefined),
    unchangedCount: 0,
    dependencies: [...d.dependencies],
    options: {},
  };
}

/** Unique among a plan's changes: the address, plus the object's id for a deposed object. */
export function changeKey(c: Pick<PlanChange, "address" | "deposed">): string {
  return c.deposed === undefined ? c.address : `${c.address} (deposed ${c.deposed})`;
}
