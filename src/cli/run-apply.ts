/**
 * Carries out a plan through the executor, printing progress, the final line and the outputs.
 * The executor writes state after every step; Ctrl-C (io.signal) lets running steps finish.
 */
import type { Plan } from "../plan/plan-types.js";
import type { ProviderRegistry } from "../providers/contract.js";
import { emptyState, type StateBackend, type StateFile } from "../state/state-types.js";
import { renderApplySummary } from "../views/apply-progress.js";
import { renderOutputs } from "../views/outputs-view.js";
import { ApplyPrinter } from "./apply-printer.js";
import type { CommandIO } from "./command.js";
import { infraVersion } from "./infra-version.js";
import { printDiagnostics } from "./print-diagnostics.js";

export const DEFAULT_PARALLELISM = 10;

export async function runApply(
  io: CommandIO,
  input: { plan: Plan; state: StateFile | undefined; backend: StateBackend; providers: ProviderRegistry; parallelism: number; mode: "apply" | "destroy" },
): Promise<number> {
  const { applyPlan } = await import("../plan/executor.js");
  const state = input.state ?? emptyState(input.plan.stack, await newLineage(), infraVersion());
  const printer = new ApplyPrinter(io);
  io.stdout.write("\n");
  let result;
  try {
    result = await applyPlan({
      plan: input.plan,
      state,
      backend: input.backend,
      providers: input.providers,
      parallelism: input.parallelism,
      ...(io.signal !== undefined ? { signal: io.signal } : {}),
      onEvent: (e) => printer.event(e),
    });
  } finally {
    printer.finish();
  }
  printDiagnostics(io, result.diagnostics);
  io.stdout.write("\n" + renderApplySummary(result, { color: io.color, mode: input.mode }) + "\n");
  if (input.mode === "apply" && Object.keys(result.state.outputs).length > 0) {
    io.stdout.write("\nOutputs:\n\n" + renderOutputs(result.state.outputs, { color: io.color }));
  }
  return result.failed > 0 || result.interrupted ? 1 : 0;
}

async function newLineage(): Promise<string> {
  const { newLineage: make } = await import("../state/lineage.js");
  return make();
}
