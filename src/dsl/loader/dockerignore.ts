/** `.dockerignore` matching: Go-style globs per path segment, `**` across segments, `!` re-includes. */

interface Rule {
  re: RegExp;
  negate: boolean;
}

function segmentGlob(seg: string): string {
  let re = "";
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i] as string;
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const end = seg.indexOf("]", i + 1);
      if (end < 0) re += "\\[";
      else {
        re += "[" + seg.slice(i + 1, end).replace(/^!/, "^").replace(/\\/g, "\\\\") + "]";
        i = end;
      }
    } else if (c === "\\" && i + 1 < seg.length) re += "\\" + seg[++i];
    else re += c.replace(/[.+^${}()|\]\\]/g, "\\$&");
  }
  return re;
}

export function parseDockerignore(text: string): Rule[] {
  const rules: Rule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const negate = line.startsWith("!");
    if (negate) line = line.slice(1).trim();
    line = line.replace(/^\/+/, "").replace(/\/+$/, "").replace(/^\.\//, "");
    if (line === "") continue;
    const parts = line.split("/").map((s) => (s === "**" ? "(?:.*)" : segmentGlob(s)));
    // "**" between slashes may match zero segments: a/**/b matches a/b.
    const body = parts.join("/").replace(/\/\(\?:\.\*\)\//g, "(?:/.*/|/)").replace(/^\(\?:\.\*\)\//, "(?:.*/)?");
    rules.push({ re: new RegExp(`^${body}(?:/.*)?$`), negate });
  }
  return rules;
}

/** True when `relPath` (slash separated, relative to the context) is excluded. */
export function isIgnored(rules: readonly Rule[], relPath: string): boolean {
  let ignored = false;
  for (const r of rules) if (r.re.test(relPath)) ignored = !r.negate;
  return ignored;
}
