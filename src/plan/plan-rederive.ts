/**
 * `apply PLANFILE` makes the plan again from the same stack and state (with the saved options and
 * the saved nonce) and compares: a saved plan is applied only if re-deriving it gives the same
 * changes. The rule for drift (docs/commands/apply.md): a resource the plan changes must come out
 * identical; a resource it leaves alone (no-op both times) may have changed live in what refresh
 * reads (status, outputs) without making the plan stale, as Terraform applies a saved plan
 * whatever drifted; its current values are recorded instead of the saved ones.
 */
import { InfraError } from "../diag/infra-error.js";
import type { Props } from "../graph/value.js";
import { canonicalChange, canonicalJson } from "./plan-digest.js";
import { printable } from "./plan-file-schema.js";
import { changeKey } from "./plan-removal.js";
import type { Plan, PlanChange } from "./plan-types.js";

/** One change (or output) that differs, and which of its fields. */
export interface PlanDifference {
  /** `container.web`, `container.web (deposed ID)` or `output NAME`. */
  key: string;
  /** `action (update in the plan file, replace now)`, `after.props.command`, ... */
  fields: string[];
}

export interface RederiveResult {
  /** What to apply: the saved plan, with current values for the resources it leaves alone. */
  plan: Plan;
  /** Resources the plan leaves alone whose live values changed since it was made. */
  refreshed: string[];
}

const MAX_LISTED = 20;

export function compareRederived(saved: Plan, now: Plan): { differences: PlanDifference[]; refreshed: string[] } {
  const differences: PlanDifference[] = [];
  const refreshed: string[] = [];
  for (const field of ["stack", "graphHash", "prior", "options", "source", "nonce", "summary", "empty"] as const) {
    if (canonicalJson(saved[field]) !== canonicalJson(now[field])) differences.push({ key: "(plan)", fields: [field] });
  }
  const before = new Map(saved.changes.map((c) => [changeKey(c), c]));
  const after = new Map(now.changes.map((c) => [changeKey(c), c]));
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    const s = before.get(key);
    const n = after.get(key);
    if (s === undefined || n === undefined) {
      differences.push({ key, fields: [s === undefined ? `not in the plan file (${n!.action} now)` : `in the plan file (${s.action}), not planned now`] });
      continue;
    }
    if (canonicalChange(s) === canonicalChange(n)) continue;
    const fields = changeFields(s, n);
    // A no-op's before and after outputs are what refresh read; its props are what the stack wants.
    if (s.action === "noop" && n.action === "noop" && fields.every((f) => f.startsWith("before.") || f.startsWith("after.outputs."))) refreshed.push(key);
    else differences.push({ key, fields });
  }
  const outs = new Map(now.outputs.map((o) => [o.name, o]));
  for (const o of saved.outputs) {
    if (canonicalJson(o) !== canonicalJson(outs.get(o.name) ?? null)) differences.push({ key: `output ${o.name}`, fields: [outs.has(o.name) ? "value" : "not planned now"] });
    outs.delete(o.name);
  }
  for (const name of outs.keys()) differences.push({ key: `output ${name}`, fields: ["not in the plan file"] });
  if (saved.changes.map(changeKey).join("\n") !== now.changes.map(changeKey).join("\n") && differences.length === 0) {
    differences.push({ key: "(plan)", fields: ["the order of the changes"] });
  }
  return { differences, refreshed };
}

/** The plan to apply, or INFRA_PLAN_STALE (INFRA_PLAN_EDITED when nothing else can explain it) naming what differs. */
export function verifyRederived(saved: Plan, now: Plan, context: { sameInfra: boolean; readsLive: boolean }): RederiveResult {
  // Reports the digest does not cover (drift, warnings) are taken from the re-derived plan, never the file.
  const reports = { drift: now.drift, diagnostics: now.diagnostics };
  if (now.digest === saved.digest) return { plan: { ...saved, ...reports }, refreshed: [] };
  const { differences, refreshed } = compareRederived(saved, now);
  if (differences.length === 0) {
    const current = new Map(now.changes.map((c) => [changeKey(c), c]));
    const keep = new Set(refreshed);
    const changes = saved.changes.map((c) => (keep.has(changeKey(c)) ? current.get(changeKey(c))! : c));
    return { plan: { ...saved, ...reports, changes }, refreshed };
  }
  const listed = differences.slice(0, MAX_LISTED).map((d) => printable(`  ${d.key}: ${d.fields.join(", ")}`));
  if (differences.length > MAX_LISTED) listed.push(`  … and ${differences.length - MAX_LISTED} more`);
  // Same stack graph, same state, no live reads, same planner: only an edit of the file explains a difference.
  const edited = !context.readsLive && context.sameInfra;
  const why = edited
    ? "The stack and the state are the ones it was made from and planning reads no live objects (--refresh=false, or nothing recorded yet), so the plan file itself was altered (and its digest recomputed)."
    : "The stack and the state are the ones it was made from, so the objects they manage changed outside infra since the plan was made (or the plan file was altered and its digest recomputed).";
  throw new InfraError(edited ? "INFRA_PLAN_EDITED" : "INFRA_PLAN_STALE", `The saved plan does not match what the stack and the state give now (${differences.length} difference${differences.length === 1 ? "" : "s"})`, {
      detail: `Re-deriving the plan gives other changes than the plan file holds:\n${listed.join("\n")}\n${why} Nothing was applied.`,
    hint: `${edited ? "Do not apply this file. " : ""}Run \`infra plan --out FILE\` again, review it, and apply the new file.`,
  });
}

/** Which fields of two versions of a change differ, attribute by attribute where there are attributes. */
function changeFields(s: PlanChange, n: PlanChange): string[] {
  const out: string[] = [];
  if (s.action !== n.action) out.push(`action (${s.action} in the plan file, ${n.action} now)`);
  for (const f of ["type", "provider", "replaceOrder", "deposed", "unchangedCount"] as const) if (s[f] !== n[f]) out.push(f);
  for (const f of ["reasons", "dependencies", "options"] as const) if (canonicalJson(s[f]) !== canonicalJson(n[f])) out.push(f);
  if ((s.before === null) !== (n.before === null)) out.push("before");
  else if (s.before !== null && n.before !== null) {
    if (s.before.id !== n.before.id) out.push("before.id");
    out.push(...propFields("before.props", s.before.props, n.before.props), ...propFields("before.outputs", s.before.outputs, n.before.outputs));
  }
  if ((s.after === null) !== (n.after === null)) out.push("after");
  else if (s.after !== null && n.after !== null) {
    out.push(...propFields("after.props", s.after.props, n.after.props), ...propFields("after.outputs", s.after.outputs, n.after.outputs));
  }
  if (out.length === 0 && canonicalJson(s.attributes) !== canonicalJson(n.attributes)) {
    const paths = new Set([...s.attributes, ...n.attributes].map((a) => a.path));
    out.push(...[...paths].filter((p) => canonicalJson(s.attributes.find((a) => a.path === p) ?? null) !== canonicalJson(n.attributes.find((a) => a.path === p) ?? null)).map((p) => `attributes.${p}`));
  }
  return out;
}

function propFields(prefix: string, a: Props, b: Props): string[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.filter((k) => canonicalJson(a[k] ?? null) !== canonicalJson(b[k] ?? null)).map((k) => `${prefix}.${k}`);
}
