import type { Command } from "../command.js";
import { confirm } from "../confirm.js";
import { loadGraph } from "../load-graph.js";
import { expectPositionals, parseFlags, parsePositiveInt } from "../parse-flags.js";
import { PLAN_FLAGS, PLAN_FLAGS_USAGE, lockTimeout, planOptions } from "../plan-flags.js";
import { openProviders } from "../provider-registry.js";
import { DEFAULT_PARALLELISM, runApply } from "../run-apply.js";
import { existingStack } from "../stack-context.js";
import { STACK_FLAGS, STACK_FLAGS_USAGE, STACK_RUN_FLAGS, STACK_RUN_FLAGS_USAGE, stackLimits, withStackFlags } from "../stack-flags.js";
import { planSource, providerNames, stackPlan } from "../stack-plan.js";
import { openBackend, withLock } from "../state-session.js";
import { renderPlanHuman } from "../../views/plan-human.js";

export const destroyCommand: Command = {
  name: ["destroy"],
  summary: "Destroy everything the stack manages",
  usage: `Usage: infra destroy [--yes] [--parallelism N] [plan flags]

Plans the destruction of every resource the state records (protected resources are refused,
retainOnDelete ones are forgotten), shows it, asks for approval ("yes"), and carries it out.

  --yes, --auto-approve  destroy without asking
  --parallelism N        at most N operations at once (default 10)
${PLAN_FLAGS_USAGE}

${STACK_RUN_FLAGS_USAGE}

${STACK_FLAGS_USAGE}`,
  async run(argv, baseIo) {
    const parsed = parseFlags(argv, { ...STACK_FLAGS, ...STACK_RUN_FLAGS, ...PLAN_FLAGS, yes: { kind: "boolean", short: "y" }, "auto-approve": { kind: "boolean" }, parallelism: { kind: "string" } }, "destroy");
    expectPositionals(parsed, 0, 0, "destroy");
    const io = withStackFlags(baseIo, parsed);
    const yes = parsed.booleans.yes === true || parsed.booleans["auto-approve"] === true;
    const parallelism = parsed.strings.parallelism === undefined ? DEFAULT_PARALLELISM : parsePositiveInt(parsed.strings.parallelism, "--parallelism", "destroy");
    const timeout = lockTimeout(parsed, "destroy");
    const ctx = existingStack(io);
    const { graph } = await loadGraph(ctx, io, stackLimits(parsed, io, "destroy"));
    const backend = await openBackend(ctx);
    return withLock(backend, "destroy", timeout, async () => {
      const state = await backend.read();
      const providers = await openProviders(providerNames(graph, state), ctx, io);
      try {
        const plan = await stackPlan(io, { graph, state, providers: providers.registry, options: planOptions(parsed, "destroy"), source: planSource(ctx, backend) });
        io.stdout.write(renderPlanHuman(plan, { color: io.color }));
        if (plan.empty) return 0;
        if (!yes && !(await confirm(io, "Do you really want to destroy all resources?\n  infra will destroy all your managed infrastructure, as shown above.\n  There is no undo.", "destroy"))) {
          io.stdout.write("Destroy cancelled.\n");
          return 1;
        }
        return await runApply(io, { plan, state, backend, providers: providers.registry, parallelism, mode: "destroy" });
      } finally {
        await providers.close();
      }
    }, io);
  },
};
