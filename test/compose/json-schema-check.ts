/**
 * A small JSON-schema checker for the keywords the Compose Specification's schema uses: type,
 * properties, patternProperties, additionalProperties, required, enum, items, uniqueItems,
 * minimum, maximum, oneOf, anyOf, allOf, not and local `$ref`s. `format` is an annotation only
 * (as in draft 2019-09 by default). Test helper: returns every error with its path.
 */

type Schema = boolean | { [k: string]: unknown };

export interface SchemaError {
  path: string;
  message: string;
}

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

function typeMatches(v: unknown, t: string): boolean {
  const actual = typeOf(v);
  return actual === t || (t === "number" && actual === "integer");
}

function equal(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export class SchemaChecker {
  private readonly known = new Set<string>([
    "type", "properties", "patternProperties", "additionalProperties", "required", "enum", "items", "uniqueItems",
    "minimum", "maximum", "oneOf", "anyOf", "allOf", "not", "$ref", "format", "id", "$id", "$schema", "title",
    "description", "deprecated", "definitions", "default",
  ]);

  constructor(private readonly root: { [k: string]: unknown }) {}

  check(value: unknown): SchemaError[] {
    return this.at(this.root, value, "");
  }

  private resolve(ref: string): Schema {
    if (!ref.startsWith("#/")) throw new Error(`only local $refs are supported: ${ref}`);
    let node: unknown = this.root;
    for (const part of ref.slice(2).split("/")) node = (node as Record<string, unknown>)[part];
    if (node === undefined) throw new Error(`unresolved $ref ${ref}`);
    return node as Schema;
  }

  private at(schema: Schema, v: unknown, path: string): SchemaError[] {
    if (schema === true) return [];
    if (schema === false) return [{ path, message: "no value is allowed here" }];
    for (const k of Object.keys(schema)) {
      // A keyword this checker does not know would be ignored silently: refuse instead.
      if (!this.known.has(k)) throw new Error(`unsupported schema keyword ${k} at ${path || "(root)"}`);
    }
    const errors: SchemaError[] = [];
    const err = (message: string, p = path) => errors.push({ path: p, message });
    if (typeof schema.$ref === "string") errors.push(...this.at(this.resolve(schema.$ref), v, path));
    if (schema.type !== undefined) {
      const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
      if (!types.some((t) => typeMatches(v, t))) return [...errors, { path, message: `is ${typeOf(v)}, not ${types.join(" or ")}` }];
    }
    if (Array.isArray(schema.enum) && !schema.enum.some((e) => equal(e, v))) err(`${JSON.stringify(v)} is not one of ${JSON.stringify(schema.enum)}`);
    if (typeof v === "number") {
      if (typeof schema.minimum === "number" && v < schema.minimum) err(`${v} is less than ${schema.minimum}`);
      if (typeof schema.maximum === "number" && v > schema.maximum) err(`${v} is more than ${schema.maximum}`);
    }
    if (Array.isArray(v)) {
      if (schema.items !== undefined) v.forEach((x, i) => errors.push(...this.at(schema.items as Schema, x, `${path}[${i}]`)));
      if (schema.uniqueItems === true && new Set(v.map((x) => JSON.stringify(x))).size !== v.length) err("has duplicate items");
    }
    if (typeOf(v) === "object") {
      const obj = v as Record<string, unknown>;
      for (const r of (schema.required as string[] | undefined) ?? []) if (!(r in obj)) err(`lacks the required ${r}`);
      const props = (schema.properties ?? {}) as Record<string, Schema>;
      const patterns = Object.entries((schema.patternProperties ?? {}) as Record<string, Schema>).map(([p, s]) => [new RegExp(p, "u"), s] as const);
      for (const [k, x] of Object.entries(obj)) {
        const p = path === "" ? k : `${path}.${k}`;
        let matched = false;
        if (props[k] !== undefined) {
          matched = true;
          errors.push(...this.at(props[k], x, p));
        }
        for (const [re, s] of patterns) {
          if (!re.test(k)) continue;
          matched = true;
          errors.push(...this.at(s, x, p));
        }
        if (!matched && schema.additionalProperties !== undefined) {
          if (schema.additionalProperties === false) err("is not a known key", p);
          else errors.push(...this.at(schema.additionalProperties as Schema, x, p));
        }
      }
    }
    const branches = (key: "oneOf" | "anyOf" | "allOf") => ((schema[key] as Schema[] | undefined) ?? []).map((s) => this.at(s, v, path));
    if (schema.allOf !== undefined) for (const e of branches("allOf")) errors.push(...e);
    if (schema.anyOf !== undefined && !branches("anyOf").some((e) => e.length === 0)) err("matches none of anyOf");
    if (schema.oneOf !== undefined) {
      const results = branches("oneOf");
      const ok = results.filter((e) => e.length === 0).length;
      if (ok !== 1) {
        // Report the closest branch's errors: they say what is wrong far better than "oneOf".
        // A branch whose type does not fit at all is the least close.
        const typeMiss = (e: SchemaError[]) => e.some((x) => x.path === path && x.message.startsWith("is "));
        const ranked = [...results].sort((a, b) => Number(typeMiss(a)) - Number(typeMiss(b)) || a.length - b.length);
        const closest = ranked[0] ?? [];
        if (ok === 0) errors.push(...(closest.length > 0 ? closest : [{ path, message: "matches no oneOf branch" }]));
        else err(`matches ${ok} oneOf branches, not exactly one`);
      }
    }
    if (schema.not !== undefined && this.at(schema.not as Schema, v, path).length === 0) err("matches a schema it must not");
    return errors;
  }
}
