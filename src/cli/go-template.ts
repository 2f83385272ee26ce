/**
 * The small part of Go's text/template that Docker's `--format` is used with in scripts: field
 * paths (`{{.ID}}`, `{{.State.Status}}`, `{{.}}`), method-style calls with string arguments
 * (`{{.Label "k"}}`), `json`, `index`, `upper`, `lower`, `join`; the `table` prefix, and `\t` /
 * `\n` written as two characters (as Docker replaces them). Values print as Go prints them
 * (maps as `map[k:v]`, lists as `[a b]`, absent as `<no value>`). A template that does not parse
 * is a usage error naming the action.
 */
import { usageError } from "./parse-flags.js";

type Arg = { path: string[] } | { str: string } | { call: string; args: Arg[] };
type Part = { text: string } | { action: Arg };

export interface Template {
  /** `table ...`: a header row of the fields' names, then columns aligned. */
  table: boolean;
  /** `json` alone: each value as one JSON line. */
  json: boolean;
  parts: Part[];
}

const FUNCS = new Set(["json", "index", "upper", "lower", "join", "title"]);

export function parseTemplate(format: string, command: string): Template {
  let f = format;
  if (f.trim() === "json") return { table: false, json: true, parts: [] };
  const table = /^table(\s|$)/.test(f);
  if (table) f = f.slice(5).trimStart();
  f = f.replace(/\\t/g, "\t").replace(/\\n/g, "\n");
  const parts: Part[] = [];
  let i = 0;
  while (i < f.length) {
    const open = f.indexOf("{{", i);
    if (open < 0) { parts.push({ text: f.slice(i) }); break; }
    if (open > i) parts.push({ text: f.slice(i, open) });
    const close = f.indexOf("}}", open);
    if (close < 0) throw badTemplate(format, `unclosed action at "${f.slice(open, open + 20)}"`, command);
    parts.push({ action: parseAction(f.slice(open + 2, close).replace(/^-\s|\s-$/g, "").trim(), format, command) });
    i = close + 2;
  }
  return { table, json: false, parts };
}

function parseAction(src: string, format: string, command: string): Arg {
  const toks = src.match(/"(?:[^"\\]|\\.)*"|[^\s"]+/g) ?? [];
  if (toks.length === 0) throw badTemplate(format, "empty action {{}}", command);
  const arg = (t: string): Arg => {
    if (t.startsWith('"')) return { str: JSON.parse(t) as string };
    if (t === ".") return { path: [] };
    if (/^(\.[A-Za-z_][\w-]*)+$/.test(t)) return { path: t.slice(1).split(".") };
    throw badTemplate(format, `"${t}" is not a field (.Name) or a string`, command);
  };
  const [head, ...rest] = toks;
  if (FUNCS.has(head!)) return { call: head!, args: rest.map(arg) };
  const first = arg(head!);
  // `.Label "k"`: a method with arguments, called on the value the path leads to.
  if (rest.length > 0) {
    if (!("path" in first) || first.path.length === 0) throw badTemplate(format, `cannot call "${head}"`, command);
    return { call: "method", args: [first, ...rest.map(arg)] };
  }
  return first;
}

function badTemplate(format: string, why: string, command: string) {
  return usageError("INFRA_CLI_BAD_FORMAT", `--format '${format}': ${why}`, command);
}

/** Fields are looked up by name; `strict` makes a missing one an error (Docker's typed contexts). */
export function renderTemplate(t: Template, value: unknown, command: string, strict = false): string {
  if (t.json) return JSON.stringify(value);
  return t.parts.map((p) => ("text" in p ? p.text : goString(evalArg(p.action, value, command, strict)))).join("");
}

function evalArg(a: Arg, dot: unknown, command: string, strict: boolean): unknown {
  if ("str" in a) return a.str;
  if ("path" in a) return lookup(dot, a.path, command, strict);
  const args = a.args.map((x) => evalArg(x, dot, command, strict));
  switch (a.call) {
    case "json": return new Raw(JSON.stringify(args[0] ?? null));
    case "upper": return goString(args[0]).toUpperCase();
    case "lower": return goString(args[0]).toLowerCase();
    case "title": return goString(args[0]).replace(/\b\w/g, (c) => c.toUpperCase());
    case "join": return Array.isArray(args[0]) ? args[0].map(goString).join(goString(args[1] ?? "")) : goString(args[0]);
    case "index": {
      let v = args[0];
      for (const k of args.slice(1)) v = v !== null && typeof v === "object" ? (v as Record<string, unknown>)[String(k)] : undefined;
      return v;
    }
    default: {
      const [fn, ...rest] = args;
      if (typeof fn !== "function") throw usageError("INFRA_CLI_BAD_FORMAT", `--format: ".${(a.args[0] as { path: string[] }).path.join(".")}" takes no arguments`, command);
      return (fn as (...x: unknown[]) => unknown)(...rest);
    }
  }
}

function lookup(dot: unknown, path: string[], command: string, strict: boolean): unknown {
  let v = dot;
  for (const k of path) {
    if (v !== null && typeof v === "object" && k in v) v = (v as Record<string, unknown>)[k];
    else if (strict) throw usageError("INFRA_CLI_BAD_FORMAT", `--format: can't evaluate field ${k}`, command);
    else return undefined;
  }
  return v;
}

/** JSON text that `goString` prints as is. */
class Raw { constructor(readonly text: string) {} }

export function goString(v: unknown): string {
  if (v instanceof Raw) return v.text;
  if (v === undefined || v === null) return "<no value>";
  if (typeof v === "function") return "<function>";
  if (Array.isArray(v)) return `[${v.map(goString).join(" ")}]`;
  if (typeof v === "object") {
    const keys = Object.keys(v).sort();
    return `map[${keys.map((k) => `${k}:${goString((v as Record<string, unknown>)[k])}`).join(" ")}]`;
  }
  return String(v);
}

/** Rows of a `table` template, tab-separated cells aligned as Docker's tabwriter does (3 spaces). */
export function alignTable(lines: string[]): string {
  const rows = lines.map((l) => l.split("\t"));
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => { if (i < r.length - 1) widths[i] = Math.max(widths[i] ?? 0, c.length); });
  return rows.map((r) => r.map((c, i) => (i < r.length - 1 ? c.padEnd(widths[i]! + 3) : c)).join("").trimEnd() + "\n").join("");
}
