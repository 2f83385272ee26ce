/** Compose's scalar formats: Go durations, docker byte sizes, and shell words. Pure. */

const DURATION_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "1m30s", "500ms", "10s" → milliseconds; a bare number is seconds. undefined when invalid. */
export function parseDurationMs(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isFinite(v) && v >= 0) return v * 1000;
  if (typeof v !== "string") return undefined;
  const s = v.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let pos = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    total += Number(m[1]) * (DURATION_UNITS[m[2] ?? ""] ?? 0);
    pos = re.lastIndex;
  }
  if (pos !== s.length || s === "") return undefined;
  return Math.round(total);
}

const SIZE_UNITS: Record<string, number> = { "": 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** "512m", "1g", "1.5gb", 1024 → bytes (binary units, as docker reads them). undefined when invalid. */
export function parseSizeBytes(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isFinite(v) && v >= 0) return Math.floor(v);
  if (typeof v !== "string") return undefined;
  const m = /^(\d+(?:\.\d+)?)\s*([bkmgt]?)b?$/i.exec(v.trim());
  if (!m) return undefined;
  return Math.floor(Number(m[1]) * (SIZE_UNITS[(m[2] ?? "").toLowerCase()] ?? 1));
}

/** Splits a command string into words as compose does (quotes and backslashes, no expansion). */
export function shellSplit(s: string): string[] | undefined {
  const words: string[] = [];
  let cur = "";
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else cur += c;
      continue;
    }
    if (c === "\\" && i + 1 < s.length) {
      const n = s[i + 1] as string;
      if (quote === '"' && !['"', "\\", "$", "`"].includes(n)) cur += c;
      cur += n;
      i++;
      inWord = true;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = undefined;
      else cur += c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
      continue;
    }
    if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = "";
      inWord = false;
      continue;
    }
    cur += c;
    inWord = true;
  }
  if (quote) return undefined;
  if (inWord) words.push(cur);
  return words;
}

/** A file mode as compose users write it: 0400, "0400", 0o400 or 1777 all read as octal. */
export function parseMode(v: unknown): number | undefined {
  const s = typeof v === "number" ? String(v) : typeof v === "string" ? v.trim().replace(/^0o/, "") : "";
  return /^[0-7]+$/.test(s) ? parseInt(s, 8) : undefined;
}
