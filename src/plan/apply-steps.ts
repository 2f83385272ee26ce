/**
 * Turns a plan's changes into steps and the order between them. Pure. A replace is two steps
 * (delete then create, or create then delete); deletes wait for the old dependents to go or to
 * move away, creates and updates wait for their new dependencies.
 */
import { InfraError } from "../diag/infra-error.js";
import type { ResourceState } from "../state/state-types.js";
import type { PlanChange } from "./plan-types.js";

export type StepOp = "create" | "update" | "delete" | "forget";

export interface ApplyStep {
  /** `op:address`, unique within a plan. */
  key: string;
  op: StepOp;
  /** Index of the change in `plan.changes`. */
  changeIndex: number;
  change: PlanChange;
  /** Keys of the steps that must finish first. */
  after: string[];
}

export function buildApplySteps(changes: readonly PlanChange[], recorded: readonly ResourceState[]): ApplyStep[] {
  const steps = new Map<string, ApplyStep>();
  const up = new Map<string, ApplyStep>();
  const down = new Map<string, ApplyStep>();
  const add = (op: StepOp, change: PlanChange, changeIndex: number): ApplyStep => {
    const s: ApplyStep = { key: `${op}:${change.address}`, op, changeIndex, change, after: [] };
    steps.set(s.key, s);
    if (op === "create" || op === "update") up.set(change.address, s);
    else down.set(change.address, s);
    return s;
  };
  changes.forEach((c, i) => {
    if (c.action === "create") add("create", c, i);
    else if (c.action === "update") add("update", c, i);
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
  const oldDependents = new Map<string, string[]>();
  for (const r of recorded) {
    for (const d of r.dependencies) {
      if (!oldDependents.has(d)) oldDependents.set(d, []);
      oldDependents.get(d)!.push(r.address);
    }
  }

  for (const s of up.values()) {
    for (const d of s.change.dependencies) {
      const dep = up.get(d);
      if (dep !== undefined) s.after.push(dep.key);
    }
  }
  for (const [address, s] of down) {
    for (const y of oldDependents.get(address) ?? []) {
      const yDown = down.get(y);
      const yUp = up.get(y);
      if (yDown !== undefined) s.after.push(yDown.key);
      // A dependent that no longer uses this object must be moved off it before it goes.
      else if (yUp !== undefined && newDeps.get(y)?.has(address) !== true) s.after.push(yUp.key);
    }
    // Create-before-delete: the old object goes once its new dependents use the replacement.
    if (s.change.action === "replace" && s.change.replaceOrder === "create-before-delete") {
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
