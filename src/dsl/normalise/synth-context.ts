import { errorDiag, type Diagnostic } from "../../diag/diagnostic.js";
import type { Value, ValueObject } from "../../graph/value.js";
import { ValueError } from "../parse/value-error.js";
import { isRefObject } from "../ref.js";
import { Resource } from "../resource.js";
import { isSecretObject } from "../secret.js";
import type { Stack } from "../stack.js";
import { splitTokens } from "../token-registry.js";

/** What the normalise phase needs while it turns one resource's props into its spec. */
export class SynthContext {
  readonly stack: Stack;
  readonly diagnostics: Diagnostic[];
  /** The resource being normalised. */
  address = "";

  constructor(stack: Stack, diagnostics: Diagnostic[]) {
    this.stack = stack;
    this.diagnostics = diagnostics;
  }

  error(code: string, summary: string, attribute: string | undefined, value: unknown, hint?: string): void {
    const d = errorDiag(code, summary, { address: this.address });
    if (attribute !== undefined) d.attribute = attribute;
    if (value !== undefined) d.value = printable(value);
    if (hint !== undefined) d.hint = hint;
    this.diagnostics.push(d);
  }

  /** Runs a parser; its ValueError becomes a diagnostic on `attribute` and the result `undefined`. */
  parse<T>(attribute: string, value: unknown, fn: () => T): T | undefined {
    try {
      return fn();
    } catch (e) {
      if (e instanceof ValueError) {
        this.error(e.code, e.message, attribute, value, e.hint);
        return undefined;
      }
      throw e;
    }
  }

  /** A reference to another resource's attribute, checked to belong to this stack. */
  refTo(target: Resource, attr: string, attribute: string): Value | undefined {
    if (target.node.root !== this.stack) {
      this.error("INFRA_VALIDATE_FOREIGN_REF", `${attribute} refers to ${target.address} of another stack`, attribute, target.address,
        "a stack can only refer to its own resources; declare it in this stack, or pass its name as a string");
      return undefined;
    }
    return { $ref: { address: target.address, attr } };
  }

  /** Resolve phase: user values to graph Values (Refs, tokens in strings, secrets). */
  toValue(v: unknown, attribute: string): Value | undefined {
    if (v === undefined) return undefined;
    if (v === null || typeof v === "boolean") return v;
    if (typeof v === "number") {
      if (Number.isFinite(v)) return v;
      this.error("INFRA_VALIDATE_INVALID_VALUE", `${attribute} is ${v}`, attribute, String(v), "give a finite number");
      return undefined;
    }
    if (typeof v === "string") return this.stringValue(v, attribute);
    if (isRefObject(v)) {
      return v.owner instanceof Resource ? this.refTo(v.owner, v.attr, attribute) : undefined;
    }
    if (isSecretObject(v)) {
      const inner = this.toValue(v.value, attribute);
      return inner === undefined ? undefined : { $secret: inner };
    }
    if (v instanceof Resource) {
      this.error("INFRA_VALIDATE_INVALID_VALUE", `${attribute} is the resource ${v.address} itself, not a value`, attribute, v.address,
        `use one of its attributes, e.g. ${v.node.id}.name or ${v.node.id}.id`);
      return undefined;
    }
    if (Array.isArray(v)) {
      const out: Value[] = [];
      v.forEach((x, i) => {
        const y = this.toValue(x, `${attribute}[${i}]`);
        out.push(y === undefined ? null : y);
      });
      return out;
    }
    if (typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
      const out: ValueObject = {};
      for (const [k, x] of Object.entries(v)) {
        if (k.startsWith("$")) {
          this.error("INFRA_VALIDATE_INVALID_KEY", `key "${k}" in ${attribute} starts with "$"`, `${attribute}.${k}`, k, 'keys starting with "$" are reserved; rename it');
          continue;
        }
        const y = this.toValue(x, `${attribute}.${k}`);
        if (y !== undefined) out[k] = y;
      }
      return out;
    }
    this.error("INFRA_VALIDATE_INVALID_VALUE", `${attribute} holds a ${typeof v === "object" ? "non-plain object" : typeof v}`, attribute, String(v),
      "props hold strings, numbers, booleans, arrays, plain objects, references and secrets");
    return undefined;
  }

  private stringValue(s: string, attribute: string): Value | undefined {
    const parts = splitTokens(s);
    if (parts === undefined) return s;
    const out: Array<string | { $ref: { address: string; attr: string } }> = [];
    for (const p of parts) {
      if (typeof p === "string") {
        out.push(p);
        continue;
      }
      const t = this.stack.node.tokens.lookup(p.nonce, p.index);
      if (t === undefined) {
        this.error("INFRA_VALIDATE_FOREIGN_REF", `${attribute} contains a reference from another stack`, attribute, s,
          "a stack can only refer to its own resources");
        return undefined;
      }
      out.push({ $ref: { address: t.address, attr: t.attr } });
    }
    return { $template: out };
  }

  /** A string that must be known at synth (a port spec, a path to parse): tokens are refused. */
  literal(v: unknown, attribute: string): v is string {
    if (typeof v === "string" && splitTokens(v) === undefined) return true;
    this.error("INFRA_VALIDATE_NOT_LITERAL", `${attribute} must be known when the stack is planned`, attribute, printable(v),
      "write the value itself here; references are allowed in env, command and similar strings");
    return false;
  }
}

/** Something safe to put in a Diagnostic's `value` (plain JSON, resources by address). */
export function printable(v: unknown): unknown {
  if (v instanceof Resource) return v.address;
  if (isRefObject(v)) return `${v.owner.address}.${v.attr}`;
  if (isSecretObject(v)) return "(secret)";
  if (typeof v === "function" || typeof v === "symbol" || typeof v === "bigint") return String(v);
  if (Array.isArray(v)) return v.map(printable);
  if (typeof v === "object" && v !== null) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = printable(x);
    return o;
  }
  return v;
}

/** The closest of `known` to `key`, for "did you mean" hints. */
export function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return bestD <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

/** Reports props the resource does not know (JavaScript stacks, typos past `as any`). */
export function checkKeys(ctx: SynthContext, raw: object, known: readonly string[], prefix = ""): void {
  for (const k of Object.keys(raw)) {
    if (known.includes(k)) continue;
    const near = closest(k, known);
    ctx.error("INFRA_VALIDATE_UNKNOWN_KEY", `unknown property "${prefix}${k}"`, `${prefix}${k}`, k,
      near !== undefined ? `did you mean "${near}"?` : `known properties: ${known.join(", ")}`);
  }
}
