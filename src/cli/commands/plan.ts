import { resolve } from "node:path";
import type { Plan } from "../../plan/plan-types.js";
import { renderPlanHuman } from "../../views/plan-human.js";
import { renderPlanJson } from "../../views/plan-json.js";
import { renderPlanMarkdown } from "../../views/plan-markdown.js";
import type { Command, CommandIO } from "../command.js";
import { loadGraph } from "../load-graph.js";
import { expectPositionals, parseFlags, usageError } from "../parse-flags.js";
import { PLAN_FLAGS, PLAN_FLAGS_USAGE, lockTimeout, planOptions } from "../plan-flags.js";
import { openProviders } from "../provider-registry.js";
import { existingStack } from "../stack-context.js";
import { STACK_FLAGS, STACK_FLAGS_USAGE, STACK_RUN_FLAGS, STACK_RUN_FLAGS_USAGE, stackLimits, withStackFlags } from "../stack-flags.js";
import { planSource, providerNames, stackPlan } from "../stack-plan.js";
import { openBackend, withLock } from "../state-session.js";

type Format = "human" | "json" | "markdown";

export const planCommand: Command = {
  name: ["plan"],
  summary: "Show what apply would change, and why",
  usage: `Usage: infra plan [--out FILE] [--format human|json|markdown] [--json] [--detailed-exitcode]
                  [--destroy] [--refresh=false] [--target ADDR]... [--exclude ADDR]... [--replace ADDR]...

Type-checks the stack, reads recorded state, refreshes it from the live objects, and prints
the changes apply would make, each with its reason.

  --out FILE          save the plan; \`infra apply FILE\` applies exactly it
  --format F          human (default), json (docs/plan-json-schema.md), or markdown (for PR comments)
  --json              the same as --format json
  --detailed-exitcode exit 0 when there are no changes, 2 when there are, 1 on error
  --destroy           plan to destroy everything the state records
${PLAN_FLAGS_USAGE}

${STACK_RUN_FLAGS_USAGE}

${STACK_FLAGS_USAGE}`,
  async run(argv, baseIo) {
    const parsed = parseFlags(
      argv,
      { ...STACK_FLAGS, ...STACK_RUN_FLAGS, ...PLAN_FLAGS, out: { kind: "string" }, json: { kind: "boolean" }, format: { kind: "string" }, "detailed-exitcode": { kind: "boolean" }, destroy: { kind: "boolean" } },
      "plan",
    );
    expectPositionals(parsed, 0, 0, "plan");
    const io = withStackFlags(baseIo, parsed);
    const format = outputFormat(parsed.strings.format, parsed.booleans.json === true);
    const options = planOptions(parsed, parsed.booleans.destroy === true ? "destroy" : "normal");
    const timeout = lockTimeout(parsed, "plan");
    const ctx = existingStack(io);
    const { graph } = await loadGraph(ctx, io, stackLimits(parsed, io, "plan"));
    const backend = await openBackend(ctx);
    const plan = await withLock(backend, "plan", timeout, async () => {
      const state = await backend.read();
      const providers = await openProviders(providerNames(graph, state), ctx, io);
      try {
        return await stackPlan(io, { graph, state, providers: providers.registry, options, source: planSource(ctx, backend) });
      } finally {
        await providers.close();
      }
    }, io);
    io.stdout.write(renderPlan(plan, format, io));
    const out = parsed.strings.out;
    if (out !== undefined) {
      const { writePlanFile } = await import("../../plan/saved-plan.js");
      const path = resolve(io.cwd, out);
      await writePlanFile(path, plan);
      // Keep stdout machine-readable for json and markdown.
      const digest = format === "human" ? "" : `Plan digest: ${plan.digest}\n`;
      const msg = `\nSaved the plan to: ${out}\n${digest}\nTo perform exactly these actions, run:\n    infra apply ${JSON.stringify(out).slice(1, -1)}\n`;
      (format === "human" ? io.stdout : io.stderr).write(msg);
    }
    return parsed.booleans["detailed-exitcode"] === true && !plan.empty ? 2 : 0;
  },
};

export function outputFormat(format: string | undefined, json: boolean): Format {
  if (json) {
    if (format !== undefined && format !== "json") throw usageError("INFRA_CLI_FLAG_CONFLICT", `--json and --format ${format} contradict each other`, "plan");
    return "json";
  }
  if (format === undefined) return "human";
  if (format === "human" || format === "json" || format === "markdown") return format;
  throw usageError("INFRA_CLI_FLAG_VALUE_INVALID", `--format takes human, json or markdown, not "${format}"`, "plan");
}

export function renderPlan(plan: Plan, format: Format, io: CommandIO): string {
  if (format === "json") return renderPlanJson(plan);
  if (format === "markdown") return renderPlanMarkdown(plan);
  return renderPlanHuman(plan, { color: io.color });
}
