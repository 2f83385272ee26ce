import { InfraError } from "../../../diag/index.js";
import { lexShellWord, ShellLexError, type EnvLookup, type ShellLexOptions } from "./shell-lexer.js";

/** Variables to expand with: a plain record, a Map, or a lookup function (undefined = unset). */
export type ExpansionEnv = Readonly<Record<string, string | undefined>> | ReadonlyMap<string, string> | EnvLookup;

export interface ExpandOptions {
  escapeToken?: "\\" | "`";
  /** Leave `$V` as written when V is unset (Docker does this for heredoc names). */
  skipUnset?: boolean;
}

/** Codes of expansion failures (a build-time error in Docker, with the instruction's line). */
export const ExpansionErrorCode = {
  quote: "INFRA_BUILD_UNTERMINATED_QUOTE",
  substitution: "INFRA_BUILD_BAD_SUBSTITUTION",
  required: "INFRA_BUILD_VARIABLE_REQUIRED",
} as const;

export function toLookup(env: ExpansionEnv): EnvLookup {
  if (typeof env === "function") return env;
  if (env instanceof Map) return (name) => env.get(name);
  const rec = env as Readonly<Record<string, string | undefined>>;
  return (name) => (Object.prototype.hasOwnProperty.call(rec, name) ? rec[name] : undefined);
}

function lex(text: string, env: ExpansionEnv, opts: ExpandOptions) {
  const lexOpts: ShellLexOptions = {};
  if (opts.escapeToken !== undefined) lexOpts.escapeToken = opts.escapeToken;
  if (opts.skipUnset !== undefined) lexOpts.skipUnset = opts.skipUnset;
  try {
    return lexShellWord(text, toLookup(env), lexOpts);
  } catch (e) {
    if (!(e instanceof ShellLexError)) throw e;
    throw new InfraError(ExpansionErrorCode[e.kind], `failed to process ${JSON.stringify(text)}: ${e.message}`, {
      hint:
        e.kind === "required"
          ? "pass the variable with --build-arg or give it a value with ARG/ENV"
          : e.kind === "quote"
            ? "close the quote, or escape it with the escape token"
            : "write ${NAME}, ${NAME:-default}, ${NAME:+alt} or ${NAME:?message}; escape a literal $ as \\$",
      cause: e,
    });
  }
}

/** Expands and unquotes `text` as one word (whitespace kept): ENV values, WORKDIR, USER... */
export function expandWord(text: string, env: ExpansionEnv, opts: ExpandOptions = {}): string {
  return lex(text, env, opts).word;
}

/**
 * Expands and unquotes `text`, then splits it into words the way the shell does: whitespace
 * in expanded values splits, quoted whitespace does not (EXPOSE $PORTS, FROM lines...).
 */
export function expandWords(text: string, env: ExpansionEnv, opts: ExpandOptions = {}): string[] {
  return lex(text, env, opts).words;
}

/** Like expandWord, also telling which variables were used (for "unused build arg" notes). */
export function expandWordWithMatches(
  text: string,
  env: ExpansionEnv,
  opts: ExpandOptions = {},
): { word: string; matched: string[]; unmatched: string[] } {
  const r = lex(text, env, opts);
  return { word: r.word, matched: [...r.matched], unmatched: [...r.unmatched] };
}

/** Removes quotes and escapes without expanding anything: for showing values as written. */
export function unquoteWord(text: string, escapeToken: "\\" | "`" = "\\"): string {
  return lex(text, () => undefined, { escapeToken, skipUnset: true }).word;
}
