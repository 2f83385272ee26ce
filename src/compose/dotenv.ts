/**
 * Parses a `.env` or `env_file` text the way compose does: `KEY=VALUE` lines, `export ` prefixes,
 * `#` comments, single quotes literal, double quotes with escapes, and a bare `KEY` meaning
 * "take it from the environment" (returned as undefined).
 */
export interface DotenvEntry {
  key: string;
  value: string | undefined;
  line: number;
}

export type DotenvResult = { ok: true; entries: DotenvEntry[] } | { ok: false; line: number; message: string };

export function parseDotenv(text: string): DotenvResult {
  const entries: DotenvEntry[] = [];
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    let line = (lines[n] ?? "").trim();
    if (line === "" || line.startsWith("#")) continue;
    if (line.startsWith("export ")) line = line.slice(7).trimStart();
    const eq = line.indexOf("=");
    const key = (eq < 0 ? line : line.slice(0, eq)).trim();
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key)) return { ok: false, line: n + 1, message: `invalid variable name "${key}"` };
    if (eq < 0) {
      entries.push({ key, value: undefined, line: n + 1 });
      continue;
    }
    let raw = line.slice(eq + 1).trim();
    let value: string;
    const q = raw[0];
    if (q === "'" || q === '"') {
      // A quoted value may run over several lines until its closing quote.
      let end = findClosingQuote(raw, q);
      while (end < 0 && n + 1 < lines.length) {
        n++;
        raw += "\n" + (lines[n] ?? "");
        end = findClosingQuote(raw, q);
      }
      if (end < 0) return { ok: false, line: n + 1, message: `unterminated quoted value for ${key}` };
      const inner = raw.slice(1, end);
      value = q === "'" ? inner : unescapeDouble(inner);
    } else {
      const hash = raw.search(/\s#/);
      value = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
    }
    entries.push({ key, value, line: n + 1 });
  }
  return { ok: true, entries };
}

function findClosingQuote(s: string, q: string): number {
  for (let i = 1; i < s.length; i++) {
    if (q === '"' && s[i] === "\\") {
      i++;
      continue;
    }
    if (s[i] === q) return i;
  }
  return -1;
}

function unescapeDouble(s: string): string {
  return s.replace(/\\(.)/g, (_m, c: string) => ({ n: "\n", t: "\t", r: "\r" })[c] ?? c);
}
