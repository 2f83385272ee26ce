import { InfraError } from "../../diag/infra-error.js";
import { emptyState } from "../../state/state-types.js";
import type { Command } from "../command.js";
import { infraVersion } from "../infra-version.js";
import { loadGraph } from "../load-graph.js";
import { expectPositionals, parseFlags } from "../parse-flags.js";
import { lockTimeout } from "../plan-flags.js";
import { openProviders } from "../provider-registry.js";
import { existingStack } from "../stack-context.js";
import { STACK_FLAGS, STACK_FLAGS_USAGE, STACK_RUN_FLAGS, STACK_RUN_FLAGS_USAGE, stackLimits, withStackFlags } from "../stack-flags.js";
import { openBackend, withLock } from "../state-session.js";

export const importCommand: Command = {
  name: ["import"],
  summary: "Adopt an existing object into the state",
  usage: `Usage: infra import ADDR ID [--lock-timeout D]

Records the existing object ID (a container, network, volume or image) as the resource ADDR,
which must be declared in the stack. Nothing real is changed; run \`infra plan\` afterwards to
see how the object differs from the stack.

${STACK_RUN_FLAGS_USAGE}

${STACK_FLAGS_USAGE}`,
  async run(argv, baseIo) {
    const parsed = parseFlags(argv, { ...STACK_FLAGS, ...STACK_RUN_FLAGS, "lock-timeout": { kind: "string" } }, "import");
    expectPositionals(parsed, 2, 2, "import");
    const io = withStackFlags(baseIo, parsed);
    const [address, id] = parsed.positionals as [string, string];
    const ctx = existingStack(io);
    const { graph } = await loadGraph(ctx, io, stackLimits(parsed, io, "import"));
    const node = graph.resources.find((r) => r.address === address);
    if (node === undefined) {
      throw new InfraError("INFRA_CLI_IMPORT_NOT_IN_STACK", `${address} is not declared in the stack`, {
        detail: "infra imports into resources the stack declares, so that the next plan knows what the object should be.",
        hint: "Declare the resource in the stack first, then import it.",
      });
    }
    const backend = await openBackend(ctx);
    await withLock(backend, "import", lockTimeout(parsed, "import"), async () => {
      const { importResource } = await import("../../plan/import-resource.js");
      const { newLineage } = await import("../../state/lineage.js");
      const state = (await backend.read()) ?? emptyState(ctx.stackName, newLineage(), infraVersion());
      const providers = await openProviders([node.provider], ctx, io);
      try {
        await backend.write(await importResource(state, providers.registry, { address, type: node.type, provider: node.provider, id }));
      } finally {
        await providers.close();
      }
    }, io);
    io.stdout.write(`Imported ${address} (id ${id}). Run \`infra plan\` to see how it differs from the stack.\n`);
    return 0;
  },
};
