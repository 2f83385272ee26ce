/**
 * Durations as Docker reads them (Go's time.ParseDuration): "30s", "1m30s", "1.5h", "250ms".
 * Returns nanoseconds, the unit image configs store healthcheck times in; undefined if invalid.
 */
const UNIT_NS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  "µs": 1e3,
  "μs": 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

export function parseGoDuration(text: string): number | undefined {
  let s = text;
  let sign = 1;
  if (s.startsWith("-") || s.startsWith("+")) {
    if (s.startsWith("-")) sign = -1;
    s = s.slice(1);
  }
  if (s === "0") return 0;
  if (s === "") return undefined;
  let total = 0;
  const part = /^(\d*(?:\.\d*)?)(ns|us|µs|μs|ms|s|m|h)/;
  while (s.length > 0) {
    const m = part.exec(s);
    if (m === null) return undefined;
    const num = m[1] ?? "";
    if (num === "" || num === ".") return undefined;
    total += Number.parseFloat(num) * (UNIT_NS[m[2] ?? ""] ?? Number.NaN);
    s = s.slice(m[0].length);
  }
  return Number.isFinite(total) ? sign * Math.round(total) : undefined;
}
