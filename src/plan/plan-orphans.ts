/**
 * Orphans: live objects labelled with this stack that state does not record, because the apply
 * that created them died before writing state. Each provider's `discover` lists what carries the
 * stack's labels; what state already names (recorded, deposed or released) is not an orphan. The planner
 * adopts an orphan where the stack has its address and deletes it where it does not.
 */
import { errorDiag, warningDiag, type Diagnostic } from "../diag/diagnostic.js";
import type { ResourceOptions } from "../graph/resource.js";
import type { Props } from "../graph/value.js";
import { isProviderError, type DiscoveredObject, type ProviderRegistry } from "../providers/contract.js";
import type { ResourceState, StateFile } from "../state/state-types.js";
import { attributeChanges } from "./attribute-changes.js";
import type { PlanChange } from "./plan-types.js";

export interface Orphan extends DiscoveredObject {
  provider: string;
}

const objectKey = (provider: string, type: string, id: string): string => `${provider}\u0000${type}\u0000${id}`;

/** Orphans by address, in the order providers reported them. */
export async function findOrphans(
  stack: string,
  state: StateFile | undefined,
  providers: ProviderRegistry,
  names: readonly string[],
  signal?: AbortSignal,
): Promise<{ orphans: Map<string, Orphan[]>; diagnostics: Diagnostic[] }> {
  // Recorded, deposed, or let go on purpose (state rm, retainOnDelete): none of these is an orphan.
  const known = new Set([...(state?.resources ?? []), ...(state?.deposed ?? []), ...(state?.released ?? [])].map((r) => objectKey(r.provider, r.type, r.id)));
  const orphans = new Map<string, Orphan[]>();
  const diagnostics: Diagnostic[] = [];
  for (const name of names) {
    const provider = providers.get(name);
    if (provider?.discover === undefined) continue;
    let found: DiscoveredObject[];
    try {
      found = await provider.discover({ stack }, signal === undefined ? {} : { signal });
    } catch (e) {
      // Planning goes on: without the list, orphans stay unknown (an apply may then meet them as "already exists").
      diagnostics.push(
        warningDiag("INFRA_PLAN_DISCOVER_FAILED", `Could not look for objects of stack "${stack}" left by an interrupted apply (provider "${name}")`, {
          detail: e instanceof Error ? e.message : String(e),
          ...(isProviderError(e) ? { value: e.category } : {}),
          hint: "Check that the provider is reachable; plan again before applying.",
        }),
      );
      continue;
    }
    for (const o of found) {
      if (known.has(objectKey(name, o.type, o.id))) continue;
      orphans.set(o.address, [...(orphans.get(o.address) ?? []), { ...o, provider: name }]);
    }
  }
  return { orphans, diagnostics };
}

/**
 * Reads an orphan through its provider (as an import does); `props` shape what the provider
 * reports (the desired props for an adoption, none for a delete). Undefined when it is gone since.
 */
export async function readOrphan(o: Orphan, providers: ProviderRegistry, props: Props, signal?: AbortSignal): Promise<{ resource?: ResourceState; diagnostic?: Diagnostic }> {
  const provider = providers.get(o.provider)!;
  try {
    const live = await provider.read({ type: o.type, address: o.address, id: o.id, props, outputs: {} }, signal === undefined ? {} : { signal });
    const resource: ResourceState = {
      address: o.address,
      type: o.type,
      provider: o.provider,
      id: live.id,
      props: live.props,
      outputs: live.outputs,
      dependencies: [...o.dependencies],
      options: {},
      updatedAt: new Date().toISOString(),
    };
    return { resource };
  } catch (e) {
    if (isProviderError(e) && e.category === "NotFound") return {};
    return {
      diagnostic: errorDiag("INFRA_PLAN_ORPHAN_READ_FAILED", `Could not read ${o.type} ${o.id}, found with the labels of ${o.address}`, {
        address: o.address,
        detail: e instanceof Error ? e.message : String(e),
        hint: "Check that the provider is reachable, then plan again.",
      }),
    };
  }
}

/**
 * The delete of an orphan that is not adopted. `beside`: state holds (or the plan makes) another
 * object at its address, so the change is keyed by the orphan's id as a deposed object's is.
 */
export function orphanDeleteChange(o: Orphan, live: ResourceState | undefined, beside: boolean, extraDependencies: readonly string[], options: ResourceOptions): PlanChange {
  const props = live?.props ?? {};
  return {
    address: o.address,
    type: o.type,
    provider: o.provider,
    action: "delete",
    ...(beside ? { deposed: o.id } : {}),
    reasons: [{ code: "delete_orphan" }],
    before: { id: o.id, props, outputs: live?.outputs ?? {} },
    after: null,
    attributes: attributeChanges(Object.keys(props), props, {}, new Set(), undefined),
    unchangedCount: 0,
    dependencies: [...new Set([...o.dependencies, ...extraDependencies])].sort(),
    options: { ...options },
  };
}
