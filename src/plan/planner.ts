/**
 * The planner: desired graph + recorded state + refreshed live state → `Plan` (data, with a
 * reason for every change). Pure apart from calling providers' read/validate/diff/preflight.
 */
import { errorDiag, type Diagnostic } from "../diag/diagnostic.js";
import { hashGraph } from "../graph/graph-hash.js";
import type { ResourceNode, StackGraph } from "../graph/resource.js";
import type { Props } from "../graph/value.js";
import type { ProviderRegistry } from "../providers/contract.js";
import { pendingDeposed } from "../state/deposed-objects.js";
import type { ResourceState, StateFile } from "../state/state-types.js";
import { topologicalOrder } from "./plan-order.js";
import { planOutputs } from "./plan-outputs.js";
import { findOrphans, orphanDeleteChange, readOrphan, type Orphan } from "./plan-orphans.js";
import { changeKey, deposedChange, removalChange } from "./plan-removal.js";
import { planResource, protectedDiag } from "./plan-resource.js";
import { selectAddresses } from "./plan-selection.js";
import { newPlanNonce, planDigest } from "./plan-digest.js";
import { PLAN_FORMAT_VERSION, type DriftEntry, type Plan, type PlanChange, type PlanOptions, type PlanSource, type PlanSummary } from "./plan-types.js";
import { refreshResources } from "./refresh.js";
import { unknownProviderDiag } from "./unknown-provider.js";
import { mapProps, readAttribute, resolveKnown, unknownForm, type RefLookup } from "./resolve-values.js";

export interface PlanInput {
  graph: StackGraph;
  state: StateFile | undefined;
  providers: ProviderRegistry;
  options: PlanOptions;
  infraVersion: string;
  /** The stack files and state the graph and state came from; none for a plan made in memory. */
  source?: PlanSource;
  /** The digest's salt; a fresh random one unless given (a re-derived plan reuses the saved one). */
  nonce?: string;
  /** Concurrent provider reads during refresh; 10 by default. */
  refreshParallelism?: number;
  signal?: AbortSignal;
}

export const DEFAULT_PLAN_OPTIONS: PlanOptions = { mode: "normal", refresh: true, targets: [], excludes: [], replace: [] };

export async function makePlan(input: PlanInput): Promise<Plan> {
  const { graph, state, providers, options } = input;
  const destroy = options.mode === "destroy";
  const diagnostics: Diagnostic[] = [];
  const nodes = new Map(graph.resources.map((r) => [r.address, r]));
  const recorded = new Map((state?.resources ?? []).map((r) => [r.address, r]));
  const deposed = pendingDeposed(state);

  // Selection follows dependencies from the stack and the state (removed and deposed objects too).
  const edges = new Map<string, string[]>();
  const addEdges = (a: string, ds: readonly string[]): void => void edges.set(a, [...new Set([...(edges.get(a) ?? []), ...ds])]);
  for (const n of graph.resources) addEdges(n.address, n.dependencies);
  for (const r of [...recorded.values(), ...deposed]) addEdges(r.address, r.dependencies);
  const selection = selectAddresses(edges, { targets: options.targets, excludes: options.excludes, replace: options.replace, destroy });
  diagnostics.push(...selection.diagnostics);

  // Refresh reads only what the plan may touch: with --target/--exclude, resources outside the
  // selection are taken as recorded (nothing will change them, so their live state cannot matter
  // beyond the references they feed, which use recorded values). --refresh=false reads nothing.
  // Deposed objects are not read either: they are deleted whatever their state, and deleting
  // what is already gone succeeds.
  const current = new Map(recorded);
  const goneLive = new Set<string>();
  const drift: DriftEntry[] = [];
  if (options.refresh) {
    const inScope = [...recorded.values()].filter((r) => selection.inScope(r.address));
    const refreshOpts = { parallelism: input.refreshParallelism ?? 10, ...(input.signal === undefined ? {} : { signal: input.signal }) };
    for (const o of await refreshResources(inScope, providers, refreshOpts)) {
      if (o.status === "deleted") goneLive.add(o.address);
      if (o.resource === undefined) current.delete(o.address);
      else current.set(o.address, o.resource);
      if (o.drift !== undefined) drift.push(o.drift);
      if (o.diagnostic !== undefined) diagnostics.push(o.diagnostic);
    }
  }

  // Objects labelled with this stack that state does not record (an apply died before writing them).
  // Like refresh, a live look: --refresh=false skips it.
  let orphans = new Map<string, Orphan[]>();
  if (options.refresh) {
    const names = [...new Set([...graph.resources, ...recorded.values()].map((r) => r.provider))];
    const found = await findOrphans(graph.stack, state, providers, names, input.signal);
    orphans = found.orphans;
    diagnostics.push(...found.diagnostics);
  }
  const adopted = new Set<string>();

  const known = new Map<string, { props: Props; outputs: Props }>();
  for (const r of current.values()) if (!selection.inScope(r.address)) known.set(r.address, { props: r.props, outputs: r.outputs });
  const lookup: RefLookup = (t) => {
    const k = known.get(t.address);
    return k === undefined ? undefined : readAttribute(k.outputs, k.props, t.attr);
  };

  const planned = new Map<string, PlanChange>();
  const forceReplace = new Set(options.replace);
  if (!destroy) {
    const graphOrder = topologicalOrder(new Map(graph.resources.map((n) => [n.address, n.dependencies])));
    if (graphOrder.cyclic.length > 0) {
      diagnostics.push(errorDiag("INFRA_PLAN_CYCLE", "The stack's resources depend on each other in a cycle", { value: graphOrder.cyclic, hint: "Remove one of the references or dependsOn entries between these resources." }));
    }
    for (const address of graphOrder.order) {
      const node = nodes.get(address)!;
      if (!selection.inScope(address)) continue;
      let prior = current.get(address);
      const orphan = prior === undefined ? orphans.get(address)?.[0] : undefined;
      if (orphan !== undefined && providers.has(orphan.provider)) {
        // Read as the stack wants it, so that what the provider reports compares with the stack.
        const desired = mapProps(mapProps(node.props, (v) => resolveKnown(v, lookup)), unknownForm);
        const r = await readOrphan(orphan, providers, desired, input.signal);
        if (r.diagnostic !== undefined) diagnostics.push(r.diagnostic);
        if (r.resource !== undefined) {
          prior = { ...r.resource, dependencies: [...new Set([...r.resource.dependencies, ...node.dependencies])] };
          adopted.add(address);
        }
        orphans.set(address, orphans.get(address)!.slice(1));
      }
      const d = await planOne(node, prior, input.providers, { lookup, planned, goneLive, forceReplace, adopted });
      diagnostics.push(...d.diagnostics);
      if (d.change !== undefined) planned.set(address, d.change);
      if (d.known !== undefined) known.set(address, d.known);
    }
  }

  for (const r of recorded.values()) {
    if (!selection.inScope(r.address) || (!destroy && nodes.has(r.address))) continue;
    const c = removalChange(r, current.get(r.address) ?? r, nodes.get(r.address), destroy);
    if (c.action === "delete" && c.options.protect === true) diagnostics.push(protectedDiag(r.address, "delete"));
    // With refresh on, refresh has reported an unknown provider already.
    if (!providers.has(r.provider) && !options.refresh) diagnostics.push(unknownProviderDiag(r.address, r.provider, "state"));
    planned.set(r.address, c);
  }
  // Orphans not adopted go: their address left the stack (or this is a destroy), or state holds another object there.
  for (const [address, list] of orphans) {
    if (!selection.inScope(address)) continue;
    const node = nodes.get(address);
    if (destroy && node?.options.retainOnDelete === true) continue;
    for (const o of list) {
      if (!providers.has(o.provider)) continue;
      const r = await readOrphan(o, providers, {}, input.signal);
      if (r.diagnostic !== undefined) diagnostics.push(r.diagnostic);
      if (r.diagnostic === undefined && r.resource === undefined) continue; // gone since discover
      const beside = planned.has(address) || recorded.has(address);
      const c = orphanDeleteChange(o, r.resource, beside, node?.dependencies ?? [], node?.options ?? {});
      planned.set(changeKey(c), c);
    }
  }
  const all = new Map<string, PlanChange>(planned);
  for (const d of deposed) {
    if (!selection.inScope(d.address)) continue;
    const c = deposedChange(d);
    if (!providers.has(d.provider)) diagnostics.push(unknownProviderDiag(d.address, d.provider, "state"));
    all.set(changeKey(c), c);
  }

  const orderEdges = new Map<string, string[]>();
  for (const [k, c] of all) orderEdges.set(k, c.dependencies);
  const order = topologicalOrder(orderEdges).order;
  if (destroy) order.reverse();
  const changes = order.map((k) => all.get(k)!);

  const outputs = planOutputs(graph.outputs, state?.outputs ?? {}, lookup, destroy);
  const summary = summarise(changes);
  const plan: Omit<Plan, "digest"> = {
    formatVersion: PLAN_FORMAT_VERSION,
    infraVersion: input.infraVersion,
    stack: graph.stack,
    createdAt: new Date().toISOString(),
    options: { ...options, targets: [...options.targets], excludes: [...options.excludes], replace: [...options.replace] },
    prior: { lineage: state?.lineage ?? null, serial: state?.serial ?? 0 },
    graphHash: hashGraph(graph),
    source: input.source === undefined ? { files: [], state: "" } : { files: [...input.source.files], state: input.source.state },
    nonce: input.nonce ?? newPlanNonce(),
    changes,
    drift: drift.sort((a, b) => (a.address < b.address ? -1 : 1)),
    outputs,
    diagnostics: dedupe(diagnostics),
    summary,
    empty: changes.every((c) => c.action === "noop") && outputs.every((o) => o.action === "noop"),
  };
  return { ...plan, digest: planDigest(plan) };
}

async function planOne(
  node: ResourceNode,
  prior: ResourceState | undefined,
  providers: ProviderRegistry,
  ctx: Parameters<typeof planResource>[4],
): Promise<{ change?: PlanChange; known?: { props: Props; outputs: Props }; diagnostics: Diagnostic[] }> {
  const provider = providers.get(node.provider);
  const schema = provider?.schema().resources[node.type];
  if (provider === undefined) return { diagnostics: [unknownProviderDiag(node.address, node.provider, "stack")] };
  if (schema === undefined) {
    const summary = `Provider "${node.provider}" does not manage ${node.type} resources`;
    return { diagnostics: [errorDiag("INFRA_PLAN_PROVIDER_UNKNOWN", summary, { address: node.address, value: node.provider, hint: "Check the resource's provider." })] };
  }
  return planResource(node, prior, provider, schema, ctx);
}

export function summarise(changes: readonly PlanChange[]): PlanSummary {
  const s: PlanSummary = { add: 0, change: 0, destroy: 0, replace: 0, forget: 0, import: 0 };
  for (const c of changes) {
    if (c.action === "create") s.add++;
    else if (c.action === "import") s.import++;
    else if (c.action === "update") s.change++;
    else if (c.action === "delete") s.destroy++;
    else if (c.action === "forget") s.forget++;
    else if (c.action === "replace") {
      s.replace++;
      s.add++;
      s.destroy++;
    }
  }
  return s;
}

function dedupe(diags: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diags.filter((d) => {
    const k = `${d.code}\u0000${d.address ?? ""}\u0000${d.attribute ?? ""}\u0000${d.summary}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
