import { randomUUID } from "node:crypto";

/** A fresh lineage for a stack's first state: saved plans must match it. */
export function newLineage(): string {
  return randomUUID();
}
