/** Sizes and tables as Docker's `system` verbs print them. Pure. */

/** Docker's human size: decimal units, three significant digits ("1.23MB", "512B"). */
export function humanSize(n: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return `${i === 0 ? String(v) : Number(v.toPrecision(3))}${units[i]}`;
}

/** Left-aligned columns three spaces apart, the first row the header. */
export function table(rows: string[][]): string {
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(w[i]!)).join("   ").trimEnd() + "\n").join("");
}
