/**
 * The planner: desired graph + recorded state + refreshed live state → `Plan` (data, with a
 * reason for every change). Pure apart from calling providers' read/validate/diff/preflight.
 */
import { errorDiag, type Diagnostic } from "../diag/diagnostic.js";
import { hashGraph } from "../graph/graph-hash.js";
import type { ResourceNode, StackGraph } from "../graph/resource.js";
import type { Props } from "../graph/value.js";
import type { ProviderRegistry } from "../providers/contract.js";
import type { ResourceState, StateFile } from "../state/state-types.js";
import { attributeChanges } from "./attribute-changes.js";
import { topologicalOrder } from "./plan-order.js";
import { planOutputs } from "./plan-outputs.js";
import { planResource, protectedDiag } from "./plan-resource.js";
import { selectAddresses } from "./plan-selection.js";
import { PLAN_FORMAT_VERSION, type DriftEntry, type Plan, type PlanChange, type PlanOptions, type PlanSummary } from "./plan-types.js";
import { refreshResources } from "./refresh.js";
import { readAttribute, type RefLookup } from "./resolve-values.js";

export interface PlanInput {
  graph: StackGraph;
  state: StateFile | undefined;
  providers: ProviderRegistry;
  options: PlanOptions;
  infraVersion: string;
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

  // Selection follows dependencies from both the stack and the state (removed resources too).
  const edges = new Map<string, string[]>();
  for (const n of graph.resources) edges.set(n.address, [...n.dependencies]);
  for (const r of recorded.values()) edges.set(r.address, [...new Set([...(edges.get(r.address) ?? []), ...r.dependencies])]);
  const selection = selectAddresses(edges, { targets: options.targets, excludes: options.excludes, destroy });
  diagnostics.push(...selection.diagnostics);
  for (const a of options.replace) {
    if (!edges.has(a)) diagnostics.push(errorDiag("INFRA_PLAN_UNKNOWN_ADDRESS", `--replace ${a}: no such resource in the stack or the state`, { address: a, value: a, hint: "Run `infra state list` to see recorded addresses." }));
  }

  // Refresh what the plan may touch; the rest is taken as recorded.
  const current = new Map<string, ResourceState>();
  const goneLive = new Set<string>();
  const drift: DriftEntry[] = [];
  const inScope = [...recorded.values()].filter((r) => selection.inScope(r.address));
  for (const r of recorded.values()) if (!selection.inScope(r.address)) current.set(r.address, r);
  if (options.refresh) {
    const refreshOpts = input.signal === undefined ? { parallelism: input.refreshParallelism ?? 10 } : { parallelism: input.refreshParallelism ?? 10, signal: input.signal };
    for (const o of await refreshResources(inScope, providers, refreshOpts)) {
      if (o.status === "deleted") goneLive.add(o.address);
      if (o.resource !== undefined) current.set(o.address, o.resource);
      if (o.drift !== undefined) drift.push(o.drift);
      if (o.diagnostic !== undefined) diagnostics.push(o.diagnostic);
    }
  } else {
    for (const r of inScope) current.set(r.address, r);
  }

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
      const d = await planOne(node, current.get(address), input.providers, { lookup, planned, goneLive, forceReplace });
      diagnostics.push(...d.diagnostics);
      if (d.change !== undefined) planned.set(address, d.change);
      if (d.known !== undefined) known.set(address, d.known);
    }
  }

  for (const r of recorded.values()) {
    if (!selection.inScope(r.address) || (!destroy && nodes.has(r.address))) continue;
    const c = removal(r, current.get(r.address) ?? r, nodes.get(r.address), destroy);
    if (c.action === "delete" && c.options.protect === true) diagnostics.push(protectedDiag(r.address, "delete"));
    if (!providers.has(r.provider) && !options.refresh) {
      diagnostics.push(errorDiag("INFRA_PLAN_PROVIDER_UNKNOWN", `No provider named "${r.provider}" for ${r.address}`, { address: r.address, value: r.provider }));
    }
    planned.set(r.address, c);
  }

  const orderEdges = new Map<string, string[]>();
  for (const c of planned.values()) orderEdges.set(c.address, c.dependencies);
  const order = topologicalOrder(orderEdges).order;
  if (destroy) order.reverse();
  const changes = order.map((a) => planned.get(a)!);

  const outputs = planOutputs(graph.outputs, state?.outputs ?? {}, lookup, destroy);
  const summary = summarise(changes);
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    infraVersion: input.infraVersion,
    stack: graph.stack,
    createdAt: new Date().toISOString(),
    options: { ...options, targets: [...options.targets], excludes: [...options.excludes], replace: [...options.replace] },
    prior: { lineage: state?.lineage ?? null, serial: state?.serial ?? 0 },
    graphHash: hashGraph(graph),
    changes,
    drift: drift.sort((a, b) => (a.address < b.address ? -1 : 1)),
    outputs,
    diagnostics: dedupe(diagnostics),
    summary,
    empty: changes.every((c) => c.action === "noop") && outputs.every((o) => o.action === "noop"),
  };
}

async function planOne(
  node: ResourceNode,
  prior: ResourceState | undefined,
  providers: ProviderRegistry,
  ctx: Parameters<typeof planResource>[4],
): Promise<{ change?: PlanChange; known?: { props: Props; outputs: Props }; diagnostics: Diagnostic[] }> {
  const provider = providers.get(node.provider);
  const schema = provider?.schema().resources[node.type];
  if (provider === undefined || schema === undefined) {
    const summary = provider === undefined ? `No provider named "${node.provider}" for ${node.address}` : `Provider "${node.provider}" does not manage ${node.type} resources`;
    return { diagnostics: [errorDiag("INFRA_PLAN_PROVIDER_UNKNOWN", summary, { address: node.address, value: node.provider, hint: "Check the resource's provider." })] };
  }
  return planResource(node, prior, provider, schema, ctx);
}

function removal(r: ResourceState, now: ResourceState, node: ResourceNode | undefined, destroy: boolean): PlanChange {
  const options = node?.options ?? r.options;
  const forget = options.retainOnDelete === true;
  return {
    address: r.address,
    type: r.type,
    provider: r.provider,
    action: forget ? "forget" : "delete",
    reasons: [{ code: forget ? "forget_because_retain_on_delete" : destroy ? "delete_because_destroy" : "delete_because_no_resource_config" }],
    before: { id: now.id, props: now.props, outputs: now.outputs },
    after: null,
    attributes: attributeChanges(Object.keys(now.props), now.props, {}, new Set(), undefined),
    unchangedCount: 0,
    dependencies: [...r.dependencies],
    options: { ...options },
  };
}

export function summarise(changes: readonly PlanChange[]): PlanSummary {
  const s: PlanSummary = { add: 0, change: 0, destroy: 0, replace: 0, forget: 0 };
  for (const c of changes) {
    if (c.action === "create") s.add++;
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
