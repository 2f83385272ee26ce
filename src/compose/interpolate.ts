/**
 * Compose variable interpolation, pure: `$V`, `${V}`, `${V:-d}`, `${V-d}`, `${V:?err}`,
 * `${V?err}`, `${V:+x}`, `${V+x}` and `$$` for a literal dollar. Defaults and alternatives may
 * themselves hold variables (`${A:-${B}}`).
 */

export type InterpolationResult = { ok: true; value: string } | { ok: false; message: string; variable: string };

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

class InterpolationFailure extends Error {
  constructor(readonly variable: string, message: string) {
    super(message);
  }
}

export function interpolate(input: string, env: Readonly<Record<string, string | undefined>>): InterpolationResult {
  try {
    return { ok: true, value: expand(input, env) };
  } catch (e) {
    if (e instanceof InterpolationFailure) return { ok: false, message: e.message, variable: e.variable };
    throw e;
  }
}

function expand(s: string, env: Readonly<Record<string, string | undefined>>): string {
  let out = "";
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c !== "$") {
      out += c;
      i++;
      continue;
    }
    const next = s[i + 1];
    if (next === "$") {
      out += "$";
      i += 2;
      continue;
    }
    if (next === "{") {
      const end = matchingBrace(s, i + 1);
      if (end < 0) throw new InterpolationFailure("", `unterminated "\${" in "${s}"`);
      out += braced(s.slice(i + 2, end), env, s);
      i = end + 1;
      continue;
    }
    const m = NAME.exec(s.slice(i + 1));
    if (m) {
      out += env[m[0]] ?? "";
      i += 1 + m[0].length;
      continue;
    }
    // A lone "$" (end of string, or before a character that cannot start a name) stays as it is.
    out += "$";
    i++;
  }
  return out;
}

function matchingBrace(s: string, open: number): number {
  let depth = 0;
  for (let j = open; j < s.length; j++) {
    if (s[j] === "$" && s[j + 1] === "$") {
      j++;
      continue;
    }
    if (s[j] === "{") depth++;
    else if (s[j] === "}") {
      depth--;
      if (depth === 0) return j;
    }
  }
  return -1;
}

function braced(body: string, env: Readonly<Record<string, string | undefined>>, whole: string): string {
  const m = NAME.exec(body);
  if (!m) throw new InterpolationFailure(body, `invalid interpolation format for "${whole}": "\${${body}}" is not a variable name`);
  const name = m[0];
  const rest = body.slice(name.length);
  const value = env[name];
  if (rest === "") return value ?? "";
  const op = rest.startsWith(":") ? rest.slice(0, 2) : rest.slice(0, 1);
  const arg = rest.slice(op.length);
  const set = value !== undefined;
  const nonEmpty = set && value !== "";
  switch (op) {
    case ":-":
      return nonEmpty ? value : expand(arg, env);
    case "-":
      return set ? value : expand(arg, env);
    case ":+":
      return nonEmpty ? expand(arg, env) : "";
    case "+":
      return set ? expand(arg, env) : "";
    case ":?":
      if (!nonEmpty) throw new InterpolationFailure(name, `required variable ${name} is missing a value${arg ? `: ${expand(arg, env)}` : ""}`);
      return value;
    case "?":
      if (!set) throw new InterpolationFailure(name, `required variable ${name} is missing a value${arg ? `: ${expand(arg, env)}` : ""}`);
      return value;
    default:
      throw new InterpolationFailure(name, `invalid interpolation format for "${whole}": unexpected "${rest}" after ${name}`);
  }
}
