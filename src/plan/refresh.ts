/**
 * Refresh: read every recorded object through its provider and compare with what state says.
 * Used by the planner (before planning) and by `infra refresh` (which writes the result).
 */
import { errorDiag, type Diagnostic } from "../diag/diagnostic.js";
import { containsSecret, type Props } from "../graph/value.js";
import { isProviderError, type ProviderRegistry } from "../providers/contract.js";
import { sameAttribute } from "../providers/schema/diff-props.js";
import type { ResourceState, StateFile } from "../state/state-types.js";
import { attributeChanges, differingAttributes } from "./attribute-changes.js";
import { mapBounded } from "./map-bounded.js";
import type { DriftEntry } from "./plan-types.js";
import { unknownProviderDiag } from "./unknown-provider.js";

export interface RefreshOutcome {
  address: string;
  /** `failed`: the provider could not say; the recorded resource is kept as it was. */
  status: "unchanged" | "changed" | "deleted" | "failed";
  /** The resource as it is now (the recorded one for `failed`); absent for `deleted`. */
  resource?: ResourceState;
  drift?: DriftEntry;
  diagnostic?: Diagnostic;
}

export interface RefreshOptions {
  parallelism?: number;
  signal?: AbortSignal;
}

/**
 * Live props as state should record them: an attribute equal to the recorded value keeps the
 * recorded form (so secrets stay wrapped); a changed attribute that was secret stays secret.
 */
export function mergeLiveProps(recorded: Props, live: Props): Props {
  const out: Props = {};
  for (const [k, v] of Object.entries(live)) {
    const prior = recorded[k];
    if (prior !== undefined && sameAttribute(prior, v)) out[k] = prior;
    else out[k] = prior !== undefined && containsSecret(prior) ? { $secret: v } : v;
  }
  return out;
}

export async function refreshResource(r: ResourceState, providers: ProviderRegistry, signal?: AbortSignal): Promise<RefreshOutcome> {
  const provider = providers.get(r.provider);
  if (provider === undefined) {
    return {
      address: r.address,
      status: "failed",
      resource: r,
      diagnostic: unknownProviderDiag(r.address, r.provider, "state"),
    };
  }
  try {
    const ctx = signal === undefined ? {} : { signal };
    const live = await provider.read({ type: r.type, address: r.address, id: r.id, props: r.props, outputs: r.outputs }, ctx);
    const props = mergeLiveProps(r.props, live.props);
    const changed = differingAttributes(r.props, props);
    const resource: ResourceState = { ...r, id: live.id, props, outputs: live.outputs };
    if (changed.length === 0) return { address: r.address, status: "unchanged", resource };
    const schema = provider.schema().resources[r.type];
    return { address: r.address, status: "changed", resource, drift: { address: r.address, kind: "changed", attributes: attributeChanges(changed, r.props, props, new Set(), schema) } };
  } catch (e) {
    if (isProviderError(e) && e.category === "NotFound") {
      return { address: r.address, status: "deleted", drift: { address: r.address, kind: "deleted", attributes: [] } };
    }
    const extra: Partial<Diagnostic> = { address: r.address, detail: e instanceof Error ? e.message : String(e), hint: "Check that the provider is reachable, or plan with --refresh=false." };
    if (isProviderError(e)) extra.value = e.category;
    return { address: r.address, status: "failed", resource: r, diagnostic: errorDiag("INFRA_PLAN_REFRESH_FAILED", `Could not read ${r.address} from provider "${r.provider}"`, extra) };
  }
}

/** Reads every given resource, at most `parallelism` at a time; outcomes keep the input order. */
export function refreshResources(resources: readonly ResourceState[], providers: ProviderRegistry, opts: RefreshOptions = {}): Promise<RefreshOutcome[]> {
  return mapBounded(resources, opts.parallelism ?? 10, (r) => refreshResource(r, providers, opts.signal));
}

export interface RefreshResult {
  /** The refreshed state, serial incremented, ready to write. */
  state: StateFile;
  drift: DriftEntry[];
  diagnostics: Diagnostic[];
}

/** `infra refresh`: updates props and outputs from the live objects and drops the ones that are gone. */
export async function refreshState(state: StateFile, providers: ProviderRegistry, opts: RefreshOptions = {}): Promise<RefreshResult> {
  const outcomes = await refreshResources(state.resources, providers, opts);
  const resources: ResourceState[] = [];
  const drift: DriftEntry[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const o of outcomes) {
    if (o.resource !== undefined) resources.push(o.resource);
    if (o.drift !== undefined) drift.push(o.drift);
    if (o.diagnostic !== undefined) diagnostics.push(o.diagnostic);
  }
  drift.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  return { state: { ...state, serial: state.serial + 1, resources }, drift, diagnostics };
}
