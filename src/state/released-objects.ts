/**
 * Objects infra stopped managing on purpose (`state rm`, a forget for `retainOnDelete`). They keep
 * the stack's owner labels, so the planner would take them for orphans of an interrupted apply
 * and adopt or delete them; this record says they were let go.
 */
import type { ReleasedObject, ResourceState, StateFile } from "./state-types.js";

/** Records objects as released; one record per object. */
export function addReleased(state: StateFile, objects: ReadonlyArray<Pick<ResourceState, "address" | "type" | "provider" | "id">>): void {
  const at = new Date().toISOString();
  const key = (o: Pick<ReleasedObject, "provider" | "type" | "id">): string => `${o.provider}\u0000${o.type}\u0000${o.id}`;
  const seen = new Set((state.released ?? []).map(key));
  const added = objects.filter((o) => !seen.has(key(o))).map((o) => ({ address: o.address, type: o.type, provider: o.provider, id: o.id, releasedAt: at }));
  if (added.length > 0) state.released = [...(state.released ?? []), ...added];
}
