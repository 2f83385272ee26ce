/**
 * Diagnostics for people: severity and code, the summary, where (file:line:col and the resource
 * address), a code frame when the source is at hand, the detail, and the hint.
 */
import type { Diagnostic } from "../diag/diagnostic.js";
import type { Value } from "../graph/value.js";
import { makeStyle, type Style } from "./style.js";
import { formatInline } from "./value-format.js";

export interface DiagnosticsViewOptions {
  color: boolean;
  /** Returns the text of a source file, for code frames; views never read files themselves. */
  source?: (file: string) => string | undefined;
}

export function renderDiagnostics(diags: readonly Diagnostic[], opts: DiagnosticsViewOptions): string {
  const style = makeStyle(opts.color);
  return diags.map((d) => renderOne(d, style, opts.source)).join("\n");
}

function renderOne(d: Diagnostic, style: Style, source: DiagnosticsViewOptions["source"]): string {
  const label = d.severity === "error" ? style.bold(style.red("Error")) : style.bold(style.yellow("Warning"));
  const out = [`${label}: ${style.bold(d.summary)} ${style.dim(`[${d.code}]`)}`];
  if (d.location !== undefined) out.push(`  --> ${d.location.file}:${d.location.line}:${d.location.column}`);
  if (d.address !== undefined) out.push(`  at ${d.address}${d.attribute !== undefined ? `, attribute ${d.attribute}` : ""}`);
  else if (d.attribute !== undefined) out.push(`  attribute ${d.attribute}`);
  if (d.value !== undefined) out.push(`  value: ${formatAny(d.value)}`);
  const hasFrame = d.detail !== undefined && /^\s*>?\s*\d+ \|/m.test(d.detail);
  if (d.location !== undefined && source !== undefined && !hasFrame) {
    const text = source(d.location.file);
    if (text !== undefined) out.push("", ...codeFrame(text, d.location.line, d.location.column, style));
  }
  if (d.detail !== undefined && d.detail.trim() !== "") out.push("", ...d.detail.replace(/\s+$/, "").split("\n").map((l) => (l === "" ? "" : `  ${l}`)));
  if (d.hint !== undefined) out.push("", `  ${style.cyan("Hint:")} ${d.hint}`);
  return out.join("\n") + "\n";
}

/** Up to two lines of context before the line, the line with `>`, a caret under the column. */
export function codeFrame(text: string, line: number, column: number, style: Style = makeStyle(false)): string[] {
  const lines = text.split("\n");
  const first = Math.max(1, line - 2);
  const last = Math.min(lines.length, line + 1);
  const width = String(last).length;
  const out: string[] = [];
  for (let n = first; n <= last; n++) {
    const src = (lines[n - 1] ?? "").replace(/\t/g, "  ").replace(/\r$/, "");
    const gutter = String(n).padStart(width);
    out.push(`${n === line ? style.red(">") : " "} ${gutter} | ${src}`.trimEnd());
    if (n === line) out.push(`  ${" ".repeat(width)} | ${" ".repeat(Math.max(0, column - 1))}${style.red("^")}`);
  }
  return out;
}

/** A diagnostic's value may be anything the user wrote; markers (secrets) are hidden as everywhere. */
function formatAny(v: unknown): string {
  try {
    const plain = JSON.parse(JSON.stringify(v)) as Value;
    return formatInline(plain);
  } catch {
    return String(v);
  }
}
