/**
 * Where each key and item of a parsed compose file came from. The location rides beside the
 * plain object (a WeakMap keyed by it) so that the data stays plain JSON and the positions
 * survive interpolation, which edits values in place.
 */
import type { SourceLocation } from "../diag/diagnostic.js";

interface NodeMeta {
  self: SourceLocation;
  /** Key of a mapping, or index of a sequence, to where it was written. */
  keys: Map<string | number, SourceLocation>;
}

const META = new WeakMap<object, NodeMeta>();

export function setNodeLocation(node: object, self: SourceLocation): Map<string | number, SourceLocation> {
  const keys = new Map<string | number, SourceLocation>();
  META.set(node, { self, keys });
  return keys;
}

/** Where `node[key]` was written; falls back to the node itself, then undefined. */
export function locationOf(node: unknown, key?: string | number): SourceLocation | undefined {
  if (typeof node !== "object" || node === null) return undefined;
  const m = META.get(node);
  if (!m) return undefined;
  if (key !== undefined) return m.keys.get(key) ?? m.self;
  return m.self;
}
