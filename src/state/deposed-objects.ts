/**
 * Bookkeeping of deposed objects (see `DeposedObject`). The executor records one before a
 * create-before-delete replacement creates the new object and drops it after the old one is gone.
 */
import type { DeposedObject, StateFile } from "./state-types.js";

/**
 * The deposed objects still to delete. A record naming the current object at its address is no
 * leftover: the process died before the replacement was recorded, or the replacement came back
 * as the same object (a content-addressed image); deleting it would delete the current object.
 */
export function pendingDeposed(state: Pick<StateFile, "resources" | "deposed"> | undefined): DeposedObject[] {
  if (state?.deposed === undefined) return [];
  const current = new Set(state.resources.map((r) => `${r.address}\u0000${r.id}`));
  return state.deposed.filter((d) => !current.has(`${d.address}\u0000${d.id}`));
}

/** Records an object as deposed; recording the same object twice keeps one record. */
export function addDeposed(state: StateFile, d: DeposedObject): void {
  removeDeposed(state, d.address, d.id);
  state.deposed = [...(state.deposed ?? []), d];
}

/** Drops the record of a deposed object; the field disappears with its last record. */
export function removeDeposed(state: StateFile, address: string, id: string): void {
  const left = (state.deposed ?? []).filter((d) => !(d.address === address && d.id === id));
  if (left.length > 0) state.deposed = left;
  else delete state.deposed;
}
