/**
 * `infra apply PLANFILE`: proves the file is the plan that was reviewed before changing anything.
 * The stack and state are the ones the command line names (never paths from the file); the file
 * must be intact (its digest), made for that stack and state, and re-deriving it from them must
 * give the same changes (plan-rederive.ts). The output says which plan, stack and state it applies.
 */
import type { StackLimits } from "../dsl/loader/stack-limits.js";
import { resolve } from "node:path";
import { hashGraph } from "../graph/graph-hash.js";
import type { CommandIO } from "./command.js";
import { infraVersion } from "./infra-version.js";
import { loadGraph } from "./load-graph.js";
import { openProviders } from "./provider-registry.js";
import { runApply } from "./run-apply.js";
import { existingStack, stackContext } from "./stack-context.js";
import { planSource, providerNames, stackPlan } from "./stack-plan.js";
import { openBackend, withLock } from "./state-session.js";

export async function applySavedPlan(io: CommandIO, input: { planFile: string; parallelism: number; lockTimeoutMs: number; limits: StackLimits }): Promise<number> {
  const { readPlanFile, checkPlanSource, checkPlanApplicable } = await import("../plan/saved-plan.js");
  const { verifyRederived } = await import("../plan/plan-rederive.js");
  const saved = await readPlanFile(resolve(io.cwd, input.planFile));
  // Checked before the stack runs: a plan for another stack says so instead of "no stack file".
  const ctx = stackContext(io);
  const backend = await openBackend(ctx);
  const source = planSource(ctx, backend);
  checkPlanSource(saved, { stack: ctx.stackName, ...source });
  io.stdout.write(
    `Saved plan: ${input.planFile}\n` +
      `  digest: ${saved.digest}\n` +
      `  stack:  ${saved.stack} (${source.files.join(", ")})\n` +
      `  state:  ${source.state}\n`,
  );
  const { graph } = await loadGraph(existingStack(io), io, input.limits);
  return withLock(backend, "apply", input.lockTimeoutMs, async () => {
    const state = await backend.read();
    checkPlanApplicable(saved, state, hashGraph(graph));
    // Only what the stack and state name: a provider the file names is checked, never started.
    const providers = await openProviders(providerNames(graph, state), ctx, io);
    try {
      const now = await stackPlan(io, { graph, state, providers: providers.registry, options: saved.options, source, nonce: saved.nonce });
      const { plan, refreshed } = verifyRederived(saved, now, {
        sameInfra: saved.infraVersion === infraVersion(),
        readsLive: saved.options.refresh && (state?.resources.length ?? 0) > 0,
      });
      io.stdout.write("Re-derived the plan from this stack and state: the changes match the saved plan. Applying it.\n");
      if (refreshed.length > 0) {
        io.stdout.write(`Changed outside infra since the plan, and left alone by it (their current values are recorded): ${refreshed.join(", ")}\n`);
      }
      if (plan.empty) {
        io.stdout.write("The saved plan has no changes. Your infrastructure matches the configuration.\n");
        return 0;
      }
      return await runApply(io, { plan, state, backend, providers: providers.registry, parallelism: input.parallelism, mode: "apply" });
    } finally {
      await providers.close();
    }
  });
}
