/** The planner's one diagnostic for a provider name it has no provider for. */
import { errorDiag, type Diagnostic } from "../diag/diagnostic.js";

/** `from`: who named the provider, the stack (a resource) or the state (a recorded object). */
export function unknownProviderDiag(address: string, provider: string, from: "stack" | "state"): Diagnostic {
  return errorDiag("INFRA_PLAN_PROVIDER_UNKNOWN", `No provider named "${provider}" for ${address}`, {
    address,
    value: provider,
    hint: from === "stack" ? "Check the resource's provider." : "The state names a provider this build of infra does not have.",
  });
}
