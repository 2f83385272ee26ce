/**
 * Reading one compose file's plain data into typed values: each reader checks a shape, reports
 * a schema error at the key's line when it is wrong, and records where the key was written.
 */
import { errorDiag, warningDiag, type Diagnostic, type SourceLocation } from "../diag/diagnostic.js";
import { isAbsolute, resolve } from "node:path";
import { locationOf } from "./source-map.js";

export type Raw = Record<string, unknown>;

export function isMapping(v: unknown): v is Raw {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Full key paths (`services.web.ports[0]`) to where they were written, across all files. */
export type LocationIndex = Map<string, SourceLocation>;

export class ReadContext {
  constructor(
    readonly file: string,
    /** Relative paths in this file resolve against it (the project directory for `-f` files). */
    readonly baseDir: string,
    readonly env: Readonly<Record<string, string | undefined>>,
    readonly diagnostics: Diagnostic[],
    readonly locations: LocationIndex,
  ) {}

  loc(node: unknown, key?: string | number): SourceLocation {
    return locationOf(node, key) ?? { file: this.file, line: 1, column: 1 };
  }

  record(path: string, node: unknown, key?: string | number): void {
    this.locations.set(path, this.loc(node, key));
  }

  schema(path: string, node: unknown, key: string | number | undefined, summary: string, value?: unknown, hint?: string): void {
    this.diagnostics.push(
      errorDiag("INFRA_COMPOSE_SCHEMA", `${path}: ${summary}`, {
        attribute: path,
        location: this.loc(node, key),
        ...(value === undefined ? {} : { value }),
        ...(hint === undefined ? {} : { hint }),
      }),
    );
  }

  unsupported(path: string, node: unknown, key: string | number | undefined, why = "infra does not support it yet; it is ignored"): void {
    this.diagnostics.push(
      warningDiag("INFRA_COMPOSE_UNSUPPORTED", `${path}: ${why}`, {
        attribute: path,
        location: this.loc(node, key),
        hint: "Remove the key, or convert the stack to TypeScript (infra import compose) and adapt it.",
      }),
    );
  }

  /** A relative host path, made absolute against this file's base directory. */
  path(p: string): string {
    if (p === "~" || p.startsWith("~/")) return resolve(this.env.HOME ?? "/root", p.slice(2));
    return isAbsolute(p) ? resolve(p) : resolve(this.baseDir, p);
  }

  // Scalar readers: each returns undefined (after a schema error) when the value has the wrong shape.

  str(node: Raw, key: string, path: string): string | undefined {
    const v = node[key];
    if (v === null || v === undefined) return undefined;
    if (typeof v === "string") return v;
    if (typeof v === "number" || typeof v === "boolean") return String(v);
    this.schema(path, node, key, "must be a string", v);
    return undefined;
  }

  bool(node: Raw, key: string, path: string): boolean | undefined {
    const v = node[key];
    if (v === null || v === undefined) return undefined;
    if (typeof v === "boolean") return v;
    if (v === "true" || v === "false") return v === "true";
    this.schema(path, node, key, "must be true or false", v);
    return undefined;
  }

  int(node: Raw, key: string, path: string, min = 0): number | undefined {
    const v = node[key];
    if (v === null || v === undefined) return undefined;
    const n = typeof v === "string" && /^-?\d+$/.test(v.trim()) ? Number(v) : v;
    if (typeof n === "number" && Number.isInteger(n) && n >= min) return n;
    this.schema(path, node, key, `must be an integer${min > -Infinity ? ` >= ${min}` : ""}`, v);
    return undefined;
  }

  num(node: Raw, key: string, path: string): number | undefined {
    const v = node[key];
    if (v === null || v === undefined) return undefined;
    const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
    if (typeof n === "number" && Number.isFinite(n) && n >= 0) return n;
    this.schema(path, node, key, "must be a number", v);
    return undefined;
  }

  /** A string or a list of strings, always returned as a list. */
  strList(node: Raw, key: string, path: string, allowSingle = true): string[] | undefined {
    const v = node[key];
    if (v === null || v === undefined) return undefined;
    if (allowSingle && (typeof v === "string" || typeof v === "number")) return [String(v)];
    if (Array.isArray(v) && v.every((x) => ["string", "number", "boolean"].includes(typeof x))) return v.map(String);
    this.schema(path, node, key, allowSingle ? "must be a string or a list of strings" : "must be a list of strings", v);
    return undefined;
  }

  /**
   * A mapping, or a list of `KEY=VALUE` (or `KEY:VALUE` with sep ":"). A key without a value is
   * passed to `missing` (environment: taken from the shell, else dropped).
   */
  strMap(
    node: Raw,
    key: string,
    path: string,
    missing: (k: string) => string | undefined = () => "",
    seps: string[] = ["="],
  ): Record<string, string> | undefined {
    const v = node[key];
    if (v === null || v === undefined) return undefined;
    const out: Record<string, string> = {};
    if (Array.isArray(v)) {
      v.forEach((item, i) => {
        if (typeof item !== "string" && typeof item !== "number") {
          this.schema(`${path}[${i}]`, v, i, "must be a string like KEY=VALUE", item);
          return;
        }
        const s = String(item);
        const at = Math.min(...seps.map((c) => (s.indexOf(c) < 0 ? Infinity : s.indexOf(c))));
        if (at === Infinity) {
          const m = missing(s);
          if (m !== undefined) out[s] = m;
        } else out[s.slice(0, at)] = s.slice(at + 1);
      });
      return out;
    }
    if (isMapping(v)) {
      for (const [k, x] of Object.entries(v)) {
        if (x === null || x === undefined) {
          const m = missing(k);
          if (m !== undefined) out[k] = m;
        } else if (typeof x === "string" || typeof x === "number" || typeof x === "boolean") out[k] = String(x);
        else this.schema(`${path}.${k}`, v, k, "must be a string, number or boolean", x);
      }
      return out;
    }
    this.schema(path, node, key, "must be a mapping or a list of KEY=VALUE strings", v);
    return undefined;
  }

  mapping(node: Raw, key: string, path: string): Raw | undefined {
    const v = node[key];
    if (v === null || v === undefined) return undefined;
    if (isMapping(v)) return v;
    this.schema(path, node, key, "must be a mapping", v);
    return undefined;
  }

  /** Reports keys not in `known` (schema errors) and keys in `unsupported` (warnings). */
  checkKeys(node: Raw, path: string, known: ReadonlySet<string>, unsupported: ReadonlySet<string> = new Set()): void {
    for (const k of Object.keys(node)) {
      if (k.startsWith("x-")) continue;
      if (unsupported.has(k)) this.unsupported(`${path}.${k}`, node, k);
      else if (!known.has(k)) this.schema(`${path}.${k}`, node, k, `unknown key "${k}"`, undefined, "Check the spelling against the Compose Specification.");
    }
  }
}
