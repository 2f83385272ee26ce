/** `infra import ADDR ID`: adopt an existing object into state by reading it through its provider. */
import { InfraError } from "../diag/infra-error.js";
import type { ResourceType } from "../graph/resource.js";
import { isProviderError, type ProviderRegistry } from "../providers/contract.js";
import type { ResourceState, StateFile } from "../state/state-types.js";

export interface ImportRequest {
  address: string;
  type: ResourceType;
  provider: string;
  id: string;
}

/** Returns a new state (serial incremented) that records the object; the input is not modified. */
export async function importResource(state: StateFile, providers: ProviderRegistry, req: ImportRequest): Promise<StateFile> {
  if (state.resources.some((r) => r.address === req.address)) {
    throw new InfraError("INFRA_IMPORT_ADDRESS_IN_USE", `${req.address} is already in the state`, {
      hint: `Run \`infra state rm ${req.address}\` first if the recorded object should be replaced by this one.`,
    });
  }
  const provider = providers.get(req.provider);
  if (provider === undefined) {
    throw new InfraError("INFRA_IMPORT_PROVIDER_UNKNOWN", `No provider named "${req.provider}"`, { hint: `Known providers: ${[...providers.keys()].sort().join(", ")}.` });
  }
  let live;
  try {
    live = await provider.read({ type: req.type, address: req.address, id: req.id, props: {}, outputs: {} });
  } catch (e) {
    if (isProviderError(e) && e.category === "NotFound") {
      throw new InfraError("INFRA_IMPORT_NOT_FOUND", `No ${req.type} with id ${req.id} exists`, {
        detail: e.message,
        hint: `Check the id (e.g. with \`infra ${req.type} ls\`).`,
      });
    }
    throw new InfraError("INFRA_IMPORT_FAILED", `Could not read ${req.type} ${req.id}`, { detail: e instanceof Error ? e.message : String(e), cause: e });
  }
  const r: ResourceState = {
    address: req.address,
    type: req.type,
    provider: req.provider,
    id: live.id,
    props: live.props,
    outputs: live.outputs,
    dependencies: [],
    options: {},
    updatedAt: new Date().toISOString(),
  };
  return { ...structuredClone(state), serial: state.serial + 1, resources: [...structuredClone(state.resources), r] };
}
