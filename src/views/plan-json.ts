/**
 * The plan for machines: a versioned JSON document with Terraform's names where they fit
 * (`resource_changes[].change.actions`, `action_reason`, `replace_paths`, `after_unknown`,
 * `*_sensitive`), so that jq recipes written for `terraform show -json` carry over.
 * The schema is documented in docs/plan-json-schema.md; bump the version on any breaking change.
 */
import { containsSecret, type Value } from "../graph/value.js";
import type { ChangeAction, DriftEntry, OutputChange, Plan, PlanChange } from "../plan/plan-types.js";
import { compareChanges } from "./deposed-object.js";
import { encodeObject, encodeValue, type JsonValue, type Mask } from "./json-value.js";
import { splitAddress, typeOfAddress } from "./resource-block.js";

export const PLAN_JSON_FORMAT_VERSION = "1.1";

/** Terraform's action lists: a replacement is two actions in the order they run. */
export function jsonActions(change: Pick<PlanChange, "action" | "replaceOrder">): string[] {
  const byAction: Record<ChangeAction, string[]> = {
    create: ["create"],
    update: ["update"],
    replace: change.replaceOrder === "create-before-delete" ? ["create", "delete"] : ["delete", "create"],
    delete: ["delete"],
    forget: ["forget"],
    // Terraform's form: an import changes no object, and says so in `importing`.
    import: ["no-op"],
    noop: ["no-op"],
  };
  return byAction[change.action];
}

interface JsonChange {
  actions: string[];
  before: JsonValue;
  after: JsonValue;
  after_unknown: Mask;
  before_sensitive: Mask;
  after_sensitive: Mask;
  replace_paths?: string[][];
  importing?: { id: string };
}

export function renderPlanJson(plan: Plan): string {
  const doc = {
    format_version: PLAN_JSON_FORMAT_VERSION,
    plan_format_version: plan.formatVersion,
    infra_version: plan.infraVersion,
    stack: plan.stack,
    timestamp: plan.createdAt,
    plan_mode: plan.options.mode,
    options: {
      refresh: plan.options.refresh,
      targets: plan.options.targets,
      excludes: plan.options.excludes,
      replace: plan.options.replace,
    },
    prior_state: { lineage: plan.prior.lineage, serial: plan.prior.serial },
    graph_hash: plan.graphHash,
    source: { files: [...plan.source.files], state: plan.source.state },
    plan_digest: plan.digest,
    applyable: !plan.empty,
    complete: true,
    errored: plan.diagnostics.some((d) => d.severity === "error"),
    summary: { ...plan.summary },
    resource_changes: [...plan.changes].sort(compareChanges).map(resourceChange),
    resource_drift: [...plan.drift].sort(byAddress).map((d) => driftChange(d, typeOfAddress(d.address, plan.changes))),
    output_changes: Object.fromEntries([...plan.outputs].sort((a, b) => (a.name < b.name ? -1 : 1)).map((o) => [o.name, outputChange(o)])),
    diagnostics: plan.diagnostics.map((d) => {
      const out: Record<string, JsonValue> = { severity: d.severity, code: d.code, summary: d.summary };
      if (d.detail !== undefined) out.detail = d.detail;
      if (d.hint !== undefined) out.hint = d.hint;
      if (d.address !== undefined) out.address = d.address;
      if (d.attribute !== undefined) out.attribute = d.attribute;
      // The offending value is kept only when it holds no secret.
      if (d.value !== undefined && !containsSecret(d.value as Value)) out.value = encodeValue(d.value as Value).value ?? null;
      if (d.location !== undefined) out.location = { ...d.location };
      return out;
    }),
  };
  return JSON.stringify(doc, null, 2) + "\n";
}

function byAddress(a: { address: string }, b: { address: string }): number {
  return a.address < b.address ? -1 : a.address > b.address ? 1 : 0;
}

function resourceChange(c: PlanChange): Record<string, unknown> {
  const sensitiveKeys = new Set(c.attributes.filter((a) => a.sensitive).map((a) => a.path));
  const before = encodeObject(c.before === null ? null : snapshot(c.before.props, c.before.outputs, c.before.id), sensitiveKeys);
  const after = encodeObject(c.after === null ? null : snapshot(c.after.props, c.after.outputs, undefined), sensitiveKeys);
  const change: JsonChange = {
    actions: jsonActions(c),
    before: before.value,
    after: after.value,
    after_unknown: c.after === null ? false : after.unknown,
    before_sensitive: c.before === null ? false : before.sensitive,
    after_sensitive: c.after === null ? false : after.sensitive,
  };
  if (c.action === "replace") change.replace_paths = c.attributes.filter((a) => a.forcesReplacement).map((a) => [a.path]);
  if (c.action === "import") change.importing = { id: c.before?.id ?? "" };
  const { name } = splitAddress(c.address, c.type);
  const out: Record<string, unknown> = {
    address: c.address,
    mode: "managed",
    type: c.type,
    name,
    // Terraform's field: the deposed object's key (here its id); absent for the current object.
    ...(c.deposed === undefined ? {} : { deposed: c.deposed }),
    provider_name: c.provider,
    change,
  };
  const first = c.reasons[0];
  if (first !== undefined && c.action !== "noop") out.action_reason = first.code;
  out.reasons = c.reasons.map((r) => ({ ...r }));
  if (c.notes !== undefined) out.notes = c.notes.map((n) => ({ ...n }));
  out.changed_attributes = c.attributes.map((a) => a.path);
  out.unchanged_attribute_count = c.unchangedCount;
  out.dependencies = [...c.dependencies];
  return out;
}

/** Terraform's before/after hold inputs and computed attributes together; inputs win a clash. */
function snapshot(props: Record<string, Value>, outputs: Record<string, Value>, id: string | undefined): Record<string, Value> {
  const o: Record<string, Value> = { ...outputs, ...props };
  if (id !== undefined && !("id" in o)) o.id = id;
  return o;
}

function driftChange(d: DriftEntry, type: string): Record<string, unknown> {
  const sensitiveKeys = new Set(d.attributes.filter((a) => a.sensitive).map((a) => a.path));
  const beforeObj: Record<string, Value> = {};
  const afterObj: Record<string, Value> = {};
  for (const a of d.attributes) {
    if (a.before !== undefined) beforeObj[a.path] = a.before;
    if (a.after !== undefined) afterObj[a.path] = a.after;
  }
  const before = encodeObject(beforeObj, sensitiveKeys);
  const after = encodeObject(d.kind === "deleted" ? null : afterObj, sensitiveKeys);
  return {
    address: d.address,
    mode: "managed",
    type,
    name: splitAddress(d.address, type).name,
    change: {
      actions: d.kind === "deleted" ? ["delete"] : ["update"],
      before: before.value,
      after: after.value,
      after_unknown: false,
      before_sensitive: before.sensitive,
      after_sensitive: d.kind === "deleted" ? false : after.sensitive,
    },
  };
}

function outputChange(o: OutputChange): JsonChange {
  const actions = o.action === "noop" ? ["no-op"] : [o.action];
  const side = (v: Value | undefined): { value: JsonValue; unknown: Mask; sensitive: Mask } => {
    if (v === undefined) return { value: null, unknown: false, sensitive: false };
    if (o.sensitive) return { value: null, unknown: false, sensitive: true };
    const e = encodeValue(v);
    return { value: e.value ?? null, unknown: e.unknown, sensitive: e.sensitive };
  };
  const before = side(o.action === "create" ? undefined : o.before);
  const after = side(o.action === "delete" ? undefined : o.after);
  return {
    actions,
    before: before.value,
    after: after.value,
    after_unknown: after.unknown,
    before_sensitive: before.sensitive,
    after_sensitive: after.sensitive,
  };
}
