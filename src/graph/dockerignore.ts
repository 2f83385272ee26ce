/**
 * `.dockerignore` rules as Docker applies them (moby/patternmatcher): each pattern is cleaned
 * and matched against the slash-separated path relative to the context; `*`, `?` and `[...]`
 * stay inside one segment, `**` spans any number of segments; a path is excluded when it or
 * one of its parent directories matches; the last matching pattern wins, and `!` re-includes.
 * Pure. Shared by the loader (which hashes a build context to plan rebuilds) and the builder
 * (which reads it), so both see exactly the same files.
 */
import { posix } from "node:path";

export interface IgnoreRule {
  pattern: string;
  negate: boolean;
  re: RegExp;
}

function segmentRegex(seg: string): string {
  let re = "";
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i]!;
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const end = seg.indexOf("]", i + 1);
      if (end < 0) re += "\\[";
      else {
        let body = seg.slice(i + 1, end);
        if (body.startsWith("^") || body.startsWith("!")) body = `^${body.slice(1)}`;
        re += `[${body.replace(/\\(?=[^\]\\-])/g, "")}]`;
        i = end;
      }
    } else if (c === "\\" && i + 1 < seg.length) {
      re += seg[++i]!.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  return re;
}

/** A glob over slash-separated paths (Go filepath.Match per segment, plus `**`) as a RegExp. */
export function globRegex(pattern: string): RegExp {
  const segs = pattern.split("/");
  let re = "";
  segs.forEach((s, i) => {
    const last = i === segs.length - 1;
    if (s === "**") re += last ? ".*" : "(?:[^/]*/)*";
    else re += segmentRegex(s) + (last ? "" : "/");
  });
  return new RegExp(`^${re}$`);
}

/** infra's own state folder is never part of a build context: apply writes it, so it would change every time. */
export const ALWAYS_IGNORED = ".infra";

/** The rules of a context's `.dockerignore`, with infra's state folder always excluded. */
export function contextIgnoreRules(dockerignoreText: string): IgnoreRule[] {
  return [...parseDockerignore(dockerignoreText), { pattern: ALWAYS_IGNORED, negate: false, re: globRegex(ALWAYS_IGNORED) }];
}

export function parseDockerignore(text: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const negate = line.startsWith("!");
    if (negate) line = line.slice(1).trim();
    // Docker cleans the pattern and strips a leading slash: /a, ./a and a/ all mean a.
    line = posix.normalize(line).replace(/^\/+/, "").replace(/\/+$/, "");
    if (line === "" || line === ".") continue;
    rules.push({ pattern: line, negate, re: globRegex(line) });
  }
  return rules;
}

/** True when `rel` (no leading `./`) is excluded: it or a parent matches; the last rule wins. */
export function isIgnored(rules: readonly IgnoreRule[], rel: string): boolean {
  if (rules.length === 0) return false;
  const parents: string[] = [];
  const parts = rel.split("/");
  for (let i = 1; i < parts.length; i++) parents.push(parts.slice(0, i).join("/"));
  let ignored = false;
  for (const r of rules) {
    let hit = r.re.test(rel);
    if (!hit) hit = parents.some((p) => r.re.test(p));
    if (hit) ignored = !r.negate;
  }
  return ignored;
}

/** True when some `!` rule could re-include something below `dir` (so the walk must go in). */
export function mayReinclude(rules: readonly IgnoreRule[], dir: string): boolean {
  return rules.some((r) => r.negate && (r.pattern.startsWith(`${dir}/`) || r.pattern.includes("*") || r.pattern.includes("?") || r.pattern.includes("[")));
}
