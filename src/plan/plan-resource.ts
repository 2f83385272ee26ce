/**
 * The decision for one resource: create, update in place, replace (and why, and in which
 * order), or nothing. Pure apart from the provider's `validate`, `diff` and `preflight`.
 */
import { errorDiag, type Diagnostic } from "../diag/diagnostic.js";
import type { ResourceNode } from "../graph/resource.js";
import { collectRefs, UNKNOWN, containsUnknown, type Props } from "../graph/value.js";
import type { Provider, ResourceSchema } from "../providers/contract.js";
import type { ResourceState } from "../state/state-types.js";
import { attributeChanges, unchangedCount } from "./attribute-changes.js";
import type { ChangeReason, PlanChange, ReplaceOrder } from "./plan-types.js";
import { mapProps, resolveKnown, unknownForm, type RefLookup } from "./resolve-values.js";

export interface PlanResourceContext {
  lookup: RefLookup;
  /** Changes planned so far (dependencies come first). */
  planned: ReadonlyMap<string, PlanChange>;
  /** Addresses refresh found gone. */
  goneLive: ReadonlySet<string>;
  /** `--replace` addresses. */
  forceReplace: ReadonlySet<string>;
  /** Addresses whose prior is an orphan found live (see plan-orphans.ts), not a recorded object. */
  adopted?: ReadonlySet<string>;
}

export interface ResourceDecision {
  change: PlanChange;
  /** What later references to this resource may use (unknowns where not known until apply). */
  known: { props: Props; outputs: Props };
  diagnostics: Diagnostic[];
}

/** Outputs of a new object: unknown, except those that mirror a known input (a network's name). */
function newOutputs(schema: ResourceSchema, desired: Props): Props {
  const o: Props = {};
  for (const [k, s] of Object.entries(schema.outputs)) {
    const mirrored = s.fromInput === undefined ? undefined : desired[s.fromInput];
    o[k] = mirrored === undefined || containsUnknown(mirrored) ? UNKNOWN : mirrored;
  }
  return o;
}

/** Types whose engine names are unique: replacing one under the same name must free the name first. */
const NAMED_TYPES = new Set(["network", "volume"]);

export function replaceOrderFor(node: ResourceNode, changedAttrs: readonly string[]): ReplaceOrder {
  if (node.options.deleteBeforeReplace === true || node.type === "container") return "delete-before-create";
  if (NAMED_TYPES.has(node.type) && typeof node.props.name === "string" && !changedAttrs.includes("name")) return "delete-before-create";
  return "create-before-delete";
}

/** The dependency whose pending change makes `value` unknown, if any. */
function causeOf(node: ResourceNode, attr: string, ctx: PlanResourceContext): string | undefined {
  const v = node.props[attr];
  if (v === undefined) return undefined;
  for (const t of collectRefs(v)) {
    const c = ctx.planned.get(t.address);
    if (c === undefined) continue;
    if (c.action === "create" || c.action === "replace") return t.address;
    const now = ctx.lookup(t);
    if (now === undefined || containsUnknown(now)) return t.address;
  }
  return undefined;
}

export async function planResource(node: ResourceNode, prior: ResourceState | undefined, provider: Provider, schema: ResourceSchema, ctx: PlanResourceContext): Promise<ResourceDecision> {
  const diagnostics: Diagnostic[] = [];
  const afterProps = mapProps(node.props, (v) => resolveKnown(v, ctx.lookup));
  const desired = mapProps(afterProps, unknownForm);
  diagnostics.push(...(await provider.validate({ type: node.type, address: node.address, props: desired })));

  const base = {
    address: node.address,
    type: node.type,
    provider: node.provider,
    dependencies: [...node.dependencies],
    options: node.options,
  };

  if (prior === undefined) {
    const outputs = newOutputs(schema, desired);
    const change: PlanChange = {
      ...base,
      action: "create",
      reasons: [{ code: ctx.goneLive.has(node.address) ? "missing_live" : "new_in_config" }],
      before: null,
      after: { props: afterProps, outputs },
      attributes: attributeChanges(Object.keys(desired), {}, desired, new Set(), schema),
      unchangedCount: 0,
    };
    if (provider.preflight) diagnostics.push(...(await provider.preflight({ type: node.type, address: node.address, props: desired })));
    await addNotes(change, provider, desired);
    return { change, known: { props: desired, outputs }, diagnostics };
  }

  const d = await provider.diff({ type: node.type, address: node.address, id: prior.id, priorProps: prior.props, priorOutputs: prior.outputs, desiredProps: desired });
  const ignore = node.options.ignoreChanges ?? [];
  const ignored = (k: string): boolean => ignore.includes("*") || ignore.includes(k);
  // An ignored attribute keeps its recorded value, so that apply leaves it as it is.
  for (const k of new Set([...Object.keys(prior.props), ...Object.keys(desired)])) {
    if (!ignored(k)) continue;
    const was = prior.props[k];
    if (was === undefined) {
      delete afterProps[k];
      delete desired[k];
    } else {
      afterProps[k] = was;
      desired[k] = was;
    }
  }
  const changed = d.changed.filter((k) => !ignored(k));
  const replaceAttrs = d.replace.filter((k) => !ignored(k));
  const roc = node.options.replaceOnChanges ?? [];
  const rocAttrs = changed.filter((k) => !replaceAttrs.includes(k) && (roc.includes("*") || roc.includes(k)));

  const reasons: ChangeReason[] = [];
  for (const k of replaceAttrs) {
    const dep = containsUnknown(desired[k] ?? null) ? causeOf(node, k, ctx) : undefined;
    reasons.push(dep === undefined ? { code: "replace_because_cannot_update", attribute: k } : { code: "replace_because_dependency_replaced", attribute: k, dependency: dep });
  }
  for (const k of rocAttrs) reasons.push({ code: "replace_on_changes", attribute: k });
  if (ctx.forceReplace.has(node.address)) reasons.push({ code: "replace_by_request" });
  // An orphan that differs from the stack is replaced, never patched: nothing says what made it.
  const orphan = ctx.adopted?.has(node.address) === true;
  if (orphan && changed.length > 0) reasons.unshift({ code: "replace_orphan" });

  const forcing = new Set([...replaceAttrs, ...rocAttrs]);
  const before = { id: prior.id, props: prior.props, outputs: prior.outputs };
  const attributes = attributeChanges(changed, prior.props, desired, forcing, schema);
  const unchanged = unchangedCount(prior.props, desired, changed);

  let change: PlanChange;
  let outputs: Props;
  if (reasons.length > 0) {
    outputs = newOutputs(schema, desired);
    change = { ...base, action: "replace", replaceOrder: replaceOrderFor(node, changed), reasons, before, after: { props: afterProps, outputs }, attributes, unchangedCount: unchanged };
    if (node.options.protect === true) diagnostics.push(protectedDiag(node.address, "replace"));
  } else if (changed.length > 0) {
    outputs = { ...prior.outputs };
    for (const k of d.unknownOutputs) outputs[k] = UNKNOWN;
    change = { ...base, action: "update", reasons: changed.map((k) => ({ code: "attributes_changed", attribute: k })), before, after: { props: afterProps, outputs }, attributes, unchangedCount: unchanged };
  } else if (orphan) {
    outputs = prior.outputs;
    change = { ...base, action: "import", reasons: [{ code: "adopt_orphan" }], before, after: { props: afterProps, outputs }, attributes: [], unchangedCount: unchanged };
  } else {
    outputs = prior.outputs;
    change = { ...base, action: "noop", reasons: [{ code: "no_changes" }], before, after: { props: afterProps, outputs }, attributes: [], unchangedCount: unchanged };
  }
  if (change.action !== "noop" && change.action !== "import" && provider.preflight) diagnostics.push(...(await provider.preflight({ type: node.type, address: node.address, props: desired })));
  if (change.action === "replace") await addNotes(change, provider, desired);
  return { change, known: { props: desired, outputs }, diagnostics };
}

/** A create or replace: what the provider says it will do besides the attributes (an image pulled). */
async function addNotes(change: PlanChange, provider: Provider, props: Props): Promise<void> {
  if (!provider.notes) return;
  const notes = await provider.notes({ type: change.type, address: change.address, props });
  if (notes.length > 0) change.notes = notes;
}

export function protectedDiag(address: string, action: "replace" | "delete"): Diagnostic {
  return errorDiag("INFRA_PLAN_PROTECTED", `${address} is protected and cannot be ${action === "replace" ? "replaced" : "deleted"}`, {
    address,
    detail: `The plan would ${action} ${address}, but its options set protect: true.`,
    hint: `Remove \`protect\` from ${address} (and apply that) first, if you really mean to ${action} it.`,
  });
}
