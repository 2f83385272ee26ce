/**
 * Makes a plan for the stack against recorded state, with the providers that either names.
 * The caller holds the state lock and owns the providers' lifetime.
 */
import { hasErrors } from "../diag/diagnostic.js";
import { InfraError } from "../diag/infra-error.js";
import type { StackGraph } from "../graph/resource.js";
import type { Plan, PlanOptions, PlanSource } from "../plan/plan-types.js";
import type { ProviderRegistry } from "../providers/contract.js";
import type { StateBackend, StateFile } from "../state/state-types.js";
import type { CommandIO } from "./command.js";
import { infraVersion } from "./infra-version.js";
import { printDiagnostics } from "./print-diagnostics.js";
import type { StackContext } from "./stack-context.js";

/** Providers a command needs: those named by the stack and by the state. */
export function providerNames(graph: StackGraph | undefined, state: StateFile | undefined): string[] {
  return [...new Set([...(graph?.resources ?? []).map((r) => r.provider), ...(state?.resources ?? []).map((r) => r.provider)])];
}

/** The stack files and state a plan is made from; saved plans record them, and apply refuses others. */
export function planSource(ctx: StackContext, backend: StateBackend): PlanSource {
  return { files: [...ctx.files], state: backend.location };
}

export async function stackPlan(
  io: CommandIO,
  input: { graph: StackGraph; state: StateFile | undefined; providers: ProviderRegistry; options: PlanOptions; source: PlanSource; nonce?: string },
): Promise<Plan> {
  const { makePlan } = await import("../plan/planner.js");
  const plan = await makePlan({ ...input, infraVersion: infraVersion(), ...(io.signal !== undefined ? { signal: io.signal } : {}) });
  if (hasErrors(plan.diagnostics)) {
    const n = plan.diagnostics.filter((d) => d.severity === "error").length;
    throw new InfraError("INFRA_CLI_PLAN_FAILED", `Planning failed with ${n} error${n === 1 ? "" : "s"}`, { diagnostics: plan.diagnostics });
  }
  printDiagnostics(io, plan.diagnostics);
  return plan;
}
