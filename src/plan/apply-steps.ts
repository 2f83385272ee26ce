/**
 * Turns a plan's changes into steps and the order between them. Pure. A replace is two steps
 * (delete then create, or create then delete); deletes wait for the old dependents to go or to
 * move away, creates and updates wait for their new dependencies.
 */
import { InfraError } from "../diag/infra-error.js";
import type { ResourceState } from "../state/state-types.js";
import { changeKey } from "./plan-removal.js";
import type { PlanChange } from "./plan-types.js";

export type StepOp = "create" | "update" | "import" | "delete" | "forget";

export interface ApplyStep {
  /** `op:` and the change's key (its address, plus the id of a deposed object); unique within a plan. */
  key: string;
  op: StepOp;
  /** Index of the change in `plan.changes`. */
  changeIndex: number;
  change: PlanChange;
  /** Keys of the steps that must finish first. */
  after: string[];
}

/** True for a delete step whose object is no longer the current one at its address. */
export function deletesOldObject(c: PlanChange): boolean {
  return c.deposed !== undefined || (c.action === "replace" && c.replaceOrder === "create-before-delete");
}

export function buildApplySteps(changes: readonly PlanChange[], recorded: readonly ResourceState[]): ApplyStep[] {
  const steps = new Map<string, ApplyStep>();
  /** Create/update steps by address. */
  const up = new Map<string, ApplyStep>();
  /** Delete/forget steps by change key: a deposed object is deleted apart from the current one. */
  const down = new Map<string, ApplyStep>();
  const add = (op: StepOp, change: PlanChange, changeIndex: number): ApplyStep => {
    const s: ApplyStep = { key: `${op}:${changeKey(change)}`, op, changeIndex, change, after: [] };
    steps.set(s.key, s);
    if (op === "create" || op === "update" || op === "import") up.set(change.address, s);
    else down.set(changeKey(change), s);
    return s;
  };
  changes.forEach((c, i) => {
    if (c.action === "create") add("create", c, i);
    else if (c.action === "update") add("update", c, i);
    else if (c.action === "import") add("import", c, i);
    else if (c.action === "delete") add("delete", c, i);
    else if (c.action === "forget") add("forget", c, i);
    else if (c.action === "replace") {
      const d = add("delete", c, i);
      const cr = add("create", c, i);
      if (c.replaceOrder === "create-before-delete") d.after.push(cr.key);
      else cr.after.push(d.key);
    }
  });

  const newDeps = new Map(changes.filter((c) => c.after !== null).map((c) => [c.address, new Set(c.dependencies)]));
  // Objects that use each address now, by change key: current ones, deposed ones, and orphans (in no record).
  const oldDependents = new Map<string, string[]>();
  const recordedAt = new Set(recorded.map((r) => r.address));
  const unrecorded = changes.filter((c) => c.deposed !== undefined || (c.before !== null && !recordedAt.has(c.address)));
  const olds: Array<Pick<PlanChange, "address" | "deposed" | "dependencies">> = [...recorded, ...unrecorded];
  for (const r of olds) {
    for (const d of r.dependencies) {
      if (!oldDependents.has(d)) oldDependents.set(d, []);
      oldDependents.get(d)!.push(changeKey(r));
    }
  }

  for (const s of up.values()) {
    for (const d of s.change.dependencies) {
      const dep = up.get(d);
      if (dep !== undefined) s.after.push(dep.key);
    }
  }
  for (const s of down.values()) {
    const address = s.change.address;
    for (const y of oldDependents.get(address) ?? []) {
      const yDown = down.get(y);
      const yUp = up.get(y);
      if (yDown !== undefined) s.after.push(yDown.key);
      // A dependent that no longer uses this object must be moved off it before it goes.
      else if (yUp !== undefined && newDeps.get(y)?.has(address) !== true) s.after.push(yUp.key);
    }
    // An old object goes once its new dependents use the object now current at its address.
    if (deletesOldObject(s.change)) {
      for (const [y, deps] of newDeps) {
        const yUp = up.get(y);
        if (deps.has(address) && yUp !== undefined && y !== address) s.after.push(yUp.key);
      }
    }
  }
  for (const s of steps.values()) s.after = [...new Set(s.after)].filter((k) => k !== s.key);
  assertAcyclic(steps);
  return [...steps.values()];
}

function assertAcyclic(steps: ReadonlyMap<string, ApplyStep>): void {
  const state = new Map<string, 1 | 2>();
  const visit = (k: string, path: string[]): void => {
    const st = state.get(k);
    if (st === 2) return;
    if (st === 1) {
      throw new InfraError("INFRA_APPLY_CYCLE", "The plan's steps depend on each other in a cycle", {
        detail: [...path.slice(path.indexOf(k)), k].join(" -> "),
        hint: "Set deleteBeforeReplace on one of these resources, or split the change into two applies.",
      });
    }
    state.set(k, 1);
    for (const d of steps.get(k)?.after ?? []) visit(d, [...path, k]);
    state.set(k, 2);
  };
  for (const k of steps.keys()) visit(k, []);
}
