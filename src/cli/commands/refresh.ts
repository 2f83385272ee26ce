import { hasErrors } from "../../diag/diagnostic.js";
import { InfraError } from "../../diag/infra-error.js";
import { renderDriftBlock } from "../../views/resource-block.js";
import { makeStyle } from "../../views/style.js";
import type { Command } from "../command.js";
import { expectPositionals, parseFlags } from "../parse-flags.js";
import { lockTimeout } from "../plan-flags.js";
import { printDiagnostics } from "../print-diagnostics.js";
import { openProviders } from "../provider-registry.js";
import { stackContext } from "../stack-context.js";
import { STACK_FLAGS, STACK_FLAGS_USAGE, withStackFlags } from "../stack-flags.js";
import { providerNames } from "../stack-plan.js";
import { openBackend, withLock } from "../state-session.js";

export const refreshCommand: Command = {
  name: ["refresh"],
  summary: "Update the state from the live objects (changes nothing real)",
  usage: `Usage: infra refresh [--lock-timeout D]

Reads every recorded object through its provider and records what it finds: changed
attributes are updated, objects deleted outside infra are dropped from the state.
Nothing real is changed. Fails, writing nothing, when an object cannot be read.

${STACK_FLAGS_USAGE}`,
  async run(argv, baseIo) {
    const parsed = parseFlags(argv, { ...STACK_FLAGS, "lock-timeout": { kind: "string" } }, "refresh");
    expectPositionals(parsed, 0, 0, "refresh");
    const io = withStackFlags(baseIo, parsed);
    const ctx = stackContext(io);
    const backend = await openBackend(ctx);
    return withLock(backend, "refresh", lockTimeout(parsed, "refresh"), async () => {
      const state = await backend.read();
      if (state === undefined || state.resources.length === 0) {
        io.stdout.write("The state records no resources: nothing to refresh.\n");
        return 0;
      }
      const providers = await openProviders(providerNames(undefined, state), ctx, io);
      try {
        const { refreshState } = await import("../../plan/refresh.js");
        const r = await refreshState(state, providers.registry, io.signal !== undefined ? { signal: io.signal } : {});
        if (hasErrors(r.diagnostics)) {
          throw new InfraError("INFRA_CLI_REFRESH_FAILED", "Refresh failed; the state was not changed", { diagnostics: r.diagnostics });
        }
        printDiagnostics(io, r.diagnostics);
        const style = makeStyle(io.color);
        const types = new Map(state.resources.map((x) => [x.address, x.type]));
        for (const d of r.drift) io.stdout.write(renderDriftBlock(d, types.get(d.address) ?? d.address.split(".")[0]!, style).join("\n") + "\n\n");
        await backend.write(r.state);
        const changed = r.drift.filter((d) => d.kind === "changed").length;
        const deleted = r.drift.filter((d) => d.kind === "deleted").length;
        io.stdout.write(`Refreshed ${state.resources.length} resource${state.resources.length === 1 ? "" : "s"}: ${changed} changed outside infra, ${deleted} deleted outside infra${deleted > 0 ? " (dropped from the state)" : ""}.\n`);
        return 0;
      } finally {
        await providers.close();
      }
    }, io);
  },
};
