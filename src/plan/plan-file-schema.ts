/**
 * The shape of a saved plan, checked field by field before anything reads it: a plan file is
 * input from outside (it may be edited, truncated or made by hand), so a bad one is refused with
 * the JSON path of the bad field, never half-used.
 */
import { RESOURCE_TYPES } from "../graph/resource.js";
import type { ChangeAction, Plan, PlanSummary, ReasonCode } from "./plan-types.js";

/** Deeper than any stack value gets; bounds the recursion of everything that reads the plan. */
export const MAX_PLAN_DEPTH = 64;

// Records over the unions, so that a new action or reason cannot be missed here (the compiler says so).
const ACTIONS = Object.keys({ create: 1, update: 1, replace: 1, delete: 1, forget: 1, import: 1, noop: 1 } satisfies Record<ChangeAction, 1>);
const REPLACE_ORDERS = ["delete-before-create", "create-before-delete"];
const REASONS = Object.keys({
  new_in_config: 1,
  missing_live: 1,
  attributes_changed: 1,
  replace_because_cannot_update: 1,
  replace_on_changes: 1,
  replace_by_request: 1,
  replace_because_dependency_replaced: 1,
  delete_because_no_resource_config: 1,
  delete_because_destroy: 1,
  delete_because_deposed: 1,
  forget_because_retain_on_delete: 1,
  adopt_orphan: 1,
  replace_orphan: 1,
  delete_orphan: 1,
  no_changes: 1,
} satisfies Record<ReasonCode, 1>);
const SUMMARY_KEYS = Object.keys({ add: 1, change: 1, destroy: 1, replace: 1, forget: 1, import: 1 } satisfies Record<keyof PlanSummary, 1>);
const OUTPUT_ACTIONS = ["create", "update", "delete", "noop"];
const SHA256 = /^sha256:[0-9a-f]{64}$/;
const NONCE = /^[0-9a-f]{64}$/;

/** A field that does not fit: its JSON path (`changes[2].action`), what it holds and what was expected. */
export interface SchemaProblem {
  path: string;
  problem: string;
}

type Obj = Record<string, unknown>;

class Problem extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path}: ${problem}`);
  }
}

/** A string from a plan file made safe to print: control characters (terminal escapes) as \\u escapes. */
export function printable(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}

/** The first problem of `v` as a plan file, or undefined when it is one. Call after the version check. */
export function planSchemaProblem(v: unknown): SchemaProblem | undefined {
  try {
    checkShape(v);
    return undefined;
  } catch (e) {
    if (e instanceof Problem) return { path: printable(e.path), problem: e.problem };
    throw e;
  }
}

/** Nesting depth and `__proto__` members, walked without recursion (JSON.parse accepts any depth). */
function checkStructure(root: unknown): void {
  const stack: Array<{ v: unknown; depth: number; path: string }> = [{ v: root, depth: 0, path: "" }];
  while (stack.length > 0) {
    const { v, depth, path } = stack.pop()!;
    // JSON.parse reads 1e999 as Infinity, which has no JSON form to digest.
    if (typeof v === "number" && !Number.isFinite(v)) throw new Problem(path, "a number too large for JSON");
    if (typeof v !== "object" || v === null) continue;
    if (depth >= MAX_PLAN_DEPTH) throw new Problem(path || "(the document)", `nested deeper than ${MAX_PLAN_DEPTH} levels`);
    if (Array.isArray(v)) {
      v.forEach((x, i) => stack.push({ v: x, depth: depth + 1, path: `${path}[${i}]` }));
      continue;
    }
    for (const [k, x] of Object.entries(v as Obj)) {
      // JSON.parse makes it an own member; copies made by assignment would make it a prototype.
      const at = path === "" ? k : `${path}.${k}`;
      if (k === "__proto__") throw new Problem(at, "a member named __proto__ is not allowed");
      stack.push({ v: x, depth: depth + 1, path: at });
    }
  }
}

function checkShape(v: unknown): asserts v is Plan {
  checkStructure(v);
  const p = obj(v, "(the document)");
  only(p, "", ["formatVersion", "infraVersion", "stack", "createdAt", "options", "prior", "graphHash", "source", "nonce", "digest", "changes", "drift", "outputs", "diagnostics", "summary", "empty"]);
  str(p.infraVersion, "infraVersion");
  str(p.stack, "stack", { nonEmpty: true });
  str(p.createdAt, "createdAt");
  const o = obj(p.options, "options");
  oneOf(o.mode, "options.mode", ["normal", "destroy"]);
  bool(o.refresh, "options.refresh");
  for (const k of ["targets", "excludes", "replace"]) strings(o[k], `options.${k}`);
  const prior = obj(p.prior, "prior");
  if (prior.lineage !== null) str(prior.lineage, "prior.lineage");
  count(prior.serial, "prior.serial");
  match(p.graphHash, "graphHash", SHA256, "sha256: and 64 hex digits");
  const source = obj(p.source, "source");
  strings(source.files, "source.files");
  (source.files as string[]).forEach((f, i) => {
    if (!f.startsWith("/")) throw new Problem(`source.files[${i}]`, `${JSON.stringify(f)} is not an absolute path`);
  });
  str(source.state, "source.state");
  match(p.nonce, "nonce", NONCE, "64 hex digits");
  match(p.digest, "digest", SHA256, "sha256: and 64 hex digits");
  arr(p.changes, "changes").forEach((c, i) => checkChange(c, `changes[${i}]`));
  arr(p.drift, "drift").forEach((d, i) => {
    const at = `drift[${i}]`;
    const e = obj(d, at);
    str(e.address, `${at}.address`);
    oneOf(e.kind, `${at}.kind`, ["deleted", "changed"]);
    arr(e.attributes, `${at}.attributes`).forEach((a, j) => checkAttribute(a, `${at}.attributes[${j}]`));
  });
  arr(p.outputs, "outputs").forEach((x, i) => {
    const at = `outputs[${i}]`;
    const e = obj(x, at);
    only(e, at, ["name", "action", "before", "after", "sensitive"]);
    str(e.name, `${at}.name`, { nonEmpty: true });
    oneOf(e.action, `${at}.action`, OUTPUT_ACTIONS);
    bool(e.sensitive, `${at}.sensitive`);
  });
  arr(p.diagnostics, "diagnostics").forEach((d, i) => {
    const e = obj(d, `diagnostics[${i}]`);
    oneOf(e.severity, `diagnostics[${i}].severity`, ["error", "warning"]);
    str(e.code, `diagnostics[${i}].code`);
    str(e.summary, `diagnostics[${i}].summary`);
  });
  const s = obj(p.summary, "summary");
  only(s, "summary", SUMMARY_KEYS);
  for (const k of SUMMARY_KEYS) count(s[k], `summary.${k}`);
  bool(p.empty, "empty");
}

function checkChange(v: unknown, at: string): void {
  const c = obj(v, at);
  only(c, at, ["address", "type", "provider", "action", "replaceOrder", "deposed", "reasons", "before", "after", "attributes", "unchangedCount", "dependencies", "options", "notes"]);
  str(c.address, `${at}.address`, { nonEmpty: true });
  oneOf(c.type, `${at}.type`, RESOURCE_TYPES);
  str(c.provider, `${at}.provider`, { nonEmpty: true });
  oneOf(c.action, `${at}.action`, ACTIONS);
  if (c.replaceOrder !== undefined) oneOf(c.replaceOrder, `${at}.replaceOrder`, REPLACE_ORDERS);
  if (c.deposed !== undefined) str(c.deposed, `${at}.deposed`);
  arr(c.reasons, `${at}.reasons`).forEach((r, i) => {
    const e = obj(r, `${at}.reasons[${i}]`);
    only(e, `${at}.reasons[${i}]`, ["code", "attribute", "dependency"]);
    oneOf(e.code, `${at}.reasons[${i}].code`, REASONS);
    if (e.attribute !== undefined) str(e.attribute, `${at}.reasons[${i}].attribute`);
    if (e.dependency !== undefined) str(e.dependency, `${at}.reasons[${i}].dependency`);
  });
  if (c.before !== null) {
    const b = obj(c.before, `${at}.before`);
    only(b, `${at}.before`, ["id", "props", "outputs"]);
    if (b.id !== undefined) str(b.id, `${at}.before.id`);
    obj(b.props, `${at}.before.props`);
    obj(b.outputs, `${at}.before.outputs`);
  }
  if (c.after !== null) {
    const a = obj(c.after, `${at}.after`);
    only(a, `${at}.after`, ["props", "outputs"]);
    obj(a.props, `${at}.after.props`);
    obj(a.outputs, `${at}.after.outputs`);
  }
  arr(c.attributes, `${at}.attributes`).forEach((a, i) => checkAttribute(a, `${at}.attributes[${i}]`));
  count(c.unchangedCount, `${at}.unchangedCount`);
  if (c.notes !== undefined) arr(c.notes, `${at}.notes`).forEach((n, i) => {
    const e = obj(n, `${at}.notes[${i}]`);
    only(e, `${at}.notes[${i}]`, ["code", "image"]);
    oneOf(e.code, `${at}.notes[${i}].code`, ["image_pull"]);
    str(e.image, `${at}.notes[${i}].image`, { nonEmpty: true });
  });
  strings(c.dependencies, `${at}.dependencies`);
  obj(c.options, `${at}.options`);
}

function checkAttribute(v: unknown, at: string): void {
  const a = obj(v, at);
  only(a, at, ["path", "before", "after", "forcesReplacement", "sensitive"]);
  str(a.path, `${at}.path`, { nonEmpty: true });
  bool(a.forcesReplacement, `${at}.forcesReplacement`);
  bool(a.sensitive, `${at}.sensitive`);
}

function describe(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return "an object";
  const s = JSON.stringify(v);
  return `${typeof v} ${s.length > 40 ? s.slice(0, 40) + "…" : s}`;
}

function obj(v: unknown, at: string): Obj {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Problem(at, `expected an object, found ${describe(v)}`);
  return v as Obj;
}

function arr(v: unknown, at: string): unknown[] {
  if (!Array.isArray(v)) throw new Problem(at, `expected an array, found ${describe(v)}`);
  return v;
}

function str(v: unknown, at: string, o: { nonEmpty?: boolean } = {}): void {
  if (typeof v !== "string" || (o.nonEmpty === true && v === "")) throw new Problem(at, `expected a${o.nonEmpty === true ? " non-empty" : ""} string, found ${describe(v)}`);
}

function strings(v: unknown, at: string): void {
  arr(v, at).forEach((x, i) => str(x, `${at}[${i}]`));
}

function bool(v: unknown, at: string): void {
  if (typeof v !== "boolean") throw new Problem(at, `expected true or false, found ${describe(v)}`);
}

function count(v: unknown, at: string): void {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) throw new Problem(at, `expected a whole number ≥ 0, found ${describe(v)}`);
}

function oneOf(v: unknown, at: string, allowed: readonly string[]): void {
  if (typeof v !== "string" || !allowed.includes(v)) throw new Problem(at, `expected one of ${allowed.join(", ")}, found ${describe(v)}`);
}

function match(v: unknown, at: string, re: RegExp, what: string): void {
  if (typeof v !== "string" || !re.test(v)) throw new Problem(at, `expected ${what}, found ${describe(v)}`);
}

function only(o: Obj, at: string, allowed: readonly string[]): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) throw new Problem(`${at === "" ? "" : at + "."}${k}`, "is not a field of a plan file");
}
