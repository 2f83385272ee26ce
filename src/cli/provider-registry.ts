/**
 * Builds the providers a command needs, by name. Only providers that the stack or the state
 * names are created, so that a command over an empty stack never starts the engine. Each is
 * imported lazily (the local runtime pulls in the engine client).
 */
import { join } from "node:path";
import { InfraError } from "../diag/infra-error.js";
import type { Provider, ProviderRegistry } from "../providers/contract.js";
import type { CommandIO } from "./command.js";
import type { StackContext } from "./stack-context.js";

export interface OpenProviders {
  registry: ProviderRegistry;
  close(): Promise<void>;
}

export const KNOWN_PROVIDERS = ["local-runtime"] as const;

export const MEMORY_STORE_FILE = "memory-provider.json";

export async function openProviders(names: Iterable<string>, ctx: StackContext, io: CommandIO): Promise<OpenProviders> {
  const wanted = [...new Set(names)].sort();
  const registry = new Map<string, Provider>();
  if (io.env.INFRA_PROVIDER === "memory") {
    // Tests only; never silent, so that nobody mistakes it for a real apply.
    io.stderr.write(`Warning: INFRA_PROVIDER=memory: using the in-memory test provider (objects kept in ${join(ctx.stateDir, MEMORY_STORE_FILE)}); nothing real is created.\n`);
    const { PersistedMemoryProvider } = await import("./memory-provider-store.js");
    // INFRA_MEMORY_DELAY_MS slows each change down, so that tests can interrupt an apply.
    const delay = Number(io.env.INFRA_MEMORY_DELAY_MS ?? "");
    const p = new PersistedMemoryProvider(join(ctx.stateDir, MEMORY_STORE_FILE), Number.isFinite(delay) && delay > 0 ? { delayMs: delay } : {});
    for (const n of [...wanted, "memory", ...KNOWN_PROVIDERS]) registry.set(n, p);
    return { registry, close: async () => {} };
  } else if (io.env.INFRA_PROVIDER !== undefined && io.env.INFRA_PROVIDER !== "") {
    throw new InfraError("INFRA_CLI_PROVIDER_OVERRIDE_UNKNOWN", `INFRA_PROVIDER=${io.env.INFRA_PROVIDER} is not a provider override infra knows`, {
      hint: "Unset INFRA_PROVIDER; only `memory` (for tests) is accepted.",
    });
  }
  for (const name of wanted) registry.set(name, await createProvider(name, io));
  return {
    registry,
    close: async () => {
      for (const p of registry.values()) await p.close?.();
    },
  };
}

async function createProvider(name: string, io: CommandIO): Promise<Provider> {
  switch (name) {
    case "local-runtime": {
      const { createLocalRuntimeProvider } = await import("../providers/local-runtime/local-runtime-provider.js");
      const opts: { root?: string; run?: string } = {};
      if (io.env.INFRA_ROOT) opts.root = io.env.INFRA_ROOT;
      if (io.env.INFRA_RUN) opts.run = io.env.INFRA_RUN;
      return createLocalRuntimeProvider(opts);
    }
    default:
      throw new InfraError("INFRA_CLI_PROVIDER_UNKNOWN", `No provider named "${name}"`, {
        hint: `This build of infra has: ${KNOWN_PROVIDERS.join(", ")}.`,
      });
  }
}
