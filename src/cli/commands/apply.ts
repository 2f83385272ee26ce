import { renderPlanHuman } from "../../views/plan-human.js";
import type { Command } from "../command.js";
import { confirm } from "../confirm.js";
import { loadGraph } from "../load-graph.js";
import { expectPositionals, parseFlags, parsePositiveInt, usageError } from "../parse-flags.js";
import { PLAN_FLAGS, PLAN_FLAGS_USAGE, lockTimeout, planOptions } from "../plan-flags.js";
import { openProviders } from "../provider-registry.js";
import { DEFAULT_PARALLELISM, runApply } from "../run-apply.js";
import { existingStack } from "../stack-context.js";
import { STACK_FLAGS, STACK_FLAGS_USAGE, STACK_RUN_FLAGS, STACK_RUN_FLAGS_USAGE, stackLimits, withStackFlags } from "../stack-flags.js";
import { planSource, providerNames, stackPlan } from "../stack-plan.js";
import { openBackend, withLock } from "../state-session.js";

export const applyCommand: Command = {
  name: ["apply"],
  summary: "Apply the stack (or a saved plan)",
  usage: `Usage: infra apply [PLANFILE] [--yes] [--parallelism N] [plan flags]

Without PLANFILE: plans, shows the plan, asks for approval ("yes"), and applies it.
With PLANFILE (from \`infra plan --out\`): applies exactly that plan, without asking, after
checking that the file is intact (its digest), made for this stack and state, and that planning
again from them gives the same changes; otherwise refused and nothing is changed.
Without a terminal, approval cannot be asked: pass --yes (or apply a saved plan).

  --yes, --auto-approve  apply without asking
  --parallelism N        at most N operations at once (default 10)
${PLAN_FLAGS_USAGE}

${STACK_RUN_FLAGS_USAGE}

${STACK_FLAGS_USAGE}`,
  async run(argv, baseIo) {
    const parsed = parseFlags(argv, { ...STACK_FLAGS, ...STACK_RUN_FLAGS, ...PLAN_FLAGS, yes: { kind: "boolean", short: "y" }, "auto-approve": { kind: "boolean" }, parallelism: { kind: "string" } }, "apply");
    expectPositionals(parsed, 0, 1, "apply");
    const io = withStackFlags(baseIo, parsed);
    const planFile = parsed.positionals[0];
    const yes = parsed.booleans.yes === true || parsed.booleans["auto-approve"] === true;
    const parallelism = parsed.strings.parallelism === undefined ? DEFAULT_PARALLELISM : parsePositiveInt(parsed.strings.parallelism, "--parallelism", "apply");
    const timeout = lockTimeout(parsed, "apply");
    if (planFile !== undefined) {
      const shaping = ["target", "exclude", "replace"].filter((k) => parsed.lists[k] !== undefined);
      if (shaping.length > 0 || parsed.booleans.refresh !== undefined) {
        throw usageError("INFRA_CLI_FLAG_CONFLICT", `A saved plan is applied as it is: --${shaping[0] ?? "refresh"} cannot change it`, "apply");
      }
      const { applySavedPlan } = await import("../apply-saved-plan.js");
      return applySavedPlan(io, { planFile, parallelism, lockTimeoutMs: timeout, limits: stackLimits(parsed, io, "apply") });
    }
    const ctx = existingStack(io);
    const { graph } = await loadGraph(ctx, io, stackLimits(parsed, io, "apply"));
    const backend = await openBackend(ctx);
    return withLock(backend, "apply", timeout, async () => {
      const state = await backend.read();
      const providers = await openProviders(providerNames(graph, state), ctx, io);
      try {
        const plan = await stackPlan(io, { graph, state, providers: providers.registry, options: planOptions(parsed, "normal"), source: planSource(ctx, backend) });
        io.stdout.write(renderPlanHuman(plan, { color: io.color }));
        if (plan.empty) return 0;
        if (!yes && !(await confirm(io, "Do you want to perform these actions?\n  infra will perform the actions described above.", "apply"))) {
          io.stdout.write("Apply cancelled.\n");
          return 1;
        }
        return await runApply(io, { plan, state, backend, providers: providers.registry, parallelism, mode: "apply" });
      } finally {
        await providers.close();
      }
    }, io);
  },
};
