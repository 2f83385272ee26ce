/** A few lines of source around a position, with a caret under it (as Babel and tsc print them). */
export function codeFrame(text: string, line: number, column: number, length = 1, context = 1): string {
  const lines = text.split(/\r?\n/);
  const first = Math.max(1, line - context);
  const last = Math.min(lines.length, line + context);
  const width = String(last).length;
  const out: string[] = [];
  for (let n = first; n <= last; n++) {
    const src = (lines[n - 1] ?? "").replace(/\t/g, "  ");
    out.push(`${n === line ? ">" : " "} ${String(n).padStart(width)} | ${src}`.trimEnd());
    if (n === line) {
      const before = (lines[n - 1] ?? "").slice(0, column - 1).replace(/\t/g, "  ");
      const span = Math.max(1, Math.min(length, src.length - before.length));
      out.push(`  ${" ".repeat(width)} | ${" ".repeat(before.length)}${"^".repeat(span)}`);
    }
  }
  return out.join("\n");
}
