/**
 * Saved plans (`plan --out F`, `apply F`): the plan as JSON, written atomically, read back only
 * by a build that understands its format, and applied only to the state and stack it was made for.
 */
import { readFile } from "node:fs/promises";
import { InfraError } from "../diag/infra-error.js";
import { writeFileAtomic } from "../state/atomic-write.js";
import type { StateFile } from "../state/state-types.js";
import { PLAN_FORMAT_VERSION, type Plan } from "./plan-types.js";

/** Written as-is; note that secret values are in the file (wrapped, not encrypted). */
export async function writePlanFile(path: string, plan: Plan): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(plan, null, 2) + "\n", 0o600);
}

export async function readPlanFile(path: string): Promise<Plan> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InfraError(code === "ENOENT" ? "INFRA_PLAN_FILE_NOT_FOUND" : "INFRA_PLAN_FILE_UNREADABLE", `Cannot read the plan file ${path}`, {
      detail: (e as Error).message,
      hint: "Give the path written by `infra plan --out`.",
      cause: e,
    });
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new InfraError("INFRA_PLAN_FILE_CORRUPT", `The plan file ${path} is not valid JSON`, { detail: (e as Error).message, hint: "Run `infra plan --out` again." });
  }
  const o = v as Partial<Plan> | null;
  if (typeof o !== "object" || o === null || Array.isArray(o) || !("formatVersion" in o)) {
    throw new InfraError("INFRA_PLAN_FILE_CORRUPT", `${path} is not an infra plan file`, { hint: "Run `infra plan --out` again." });
  }
  if (o.formatVersion !== PLAN_FORMAT_VERSION) {
    throw new InfraError("INFRA_PLAN_FILE_VERSION", `The plan file ${path} has format ${String(o.formatVersion)}; this infra reads ${PLAN_FORMAT_VERSION}`, {
      detail: `It was made by infra ${typeof o.infraVersion === "string" ? o.infraVersion : "unknown"}.`,
      hint: "Make the plan again with this version of infra.",
    });
  }
  if (!Array.isArray(o.changes) || typeof o.graphHash !== "string" || typeof o.prior !== "object" || o.prior === null || !Array.isArray(o.outputs)) {
    throw new InfraError("INFRA_PLAN_FILE_CORRUPT", `The plan file ${path} is incomplete`, { hint: "Run `infra plan --out` again." });
  }
  return o as Plan;
}

function stale(why: string): InfraError {
  return new InfraError("INFRA_PLAN_STALE", "The saved plan is stale", {
    detail: why,
    hint: "Run `infra plan --out FILE` again, review it, and apply the new file.",
  });
}

/** Refuses a plan made against another state (lineage/serial) or another version of the stack. */
export function checkPlanApplicable(plan: Plan, state: StateFile | undefined, graphHash: string): void {
  const lineage = state === undefined || (state.serial === 0 && state.resources.length === 0 && plan.prior.lineage === null) ? null : state.lineage;
  const serial = state?.serial ?? 0;
  if (lineage !== plan.prior.lineage) {
    throw stale(`It was made for state lineage ${plan.prior.lineage ?? "(no state)"}; the state now has lineage ${lineage ?? "(no state)"}.`);
  }
  if (serial !== plan.prior.serial) {
    throw stale(`The state changed since the plan was made (serial ${plan.prior.serial} then, ${serial} now).`);
  }
  if (graphHash !== plan.graphHash) {
    throw stale("The stack changed since the plan was made.");
  }
}
