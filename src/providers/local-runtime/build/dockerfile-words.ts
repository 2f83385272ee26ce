/**
 * How Docker's parser cuts an instruction's text into pieces before any expansion:
 * keyword/flags/rest, quote-preserving words (ENV, LABEL, ARG), whitespace words, JSON arrays.
 */

/** Docker splits words on these only (not on newlines, which cannot occur in a logical line). */
const WHITESPACE = /[\t\v\f\r ]+/;

export function isSpaceChar(ch: string): boolean {
  return /^\s$/u.test(ch);
}

export function splitWhitespace(rest: string): string[] {
  if (rest === "") return [];
  return rest.split(WHITESPACE);
}

/** Keyword, leading `--flags` and the remaining argument text of one logical line. */
export function splitCommand(line: string): { keyword: string; flags: string[]; rest: string } {
  const trimmed = line.trim();
  const m = /[\t\v\f\r ]+/.exec(trimmed);
  if (m === null) return { keyword: trimmed, flags: [], rest: "" };
  const keyword = trimmed.slice(0, m.index);
  const { rest, flags } = extractFlags(trimmed.slice(m.index + m[0].length));
  return { keyword, flags, rest: rest.trim() };
}

/**
 * Leading words that start with `--` are flags; quotes in them are removed and a backslash
 * escapes the next character. A lone `--` ends the flags and is dropped.
 */
export function extractFlags(text: string): { flags: string[]; rest: string } {
  const flags: string[] = [];
  let pos = 0;
  for (;;) {
    while (pos < text.length && isSpaceChar(text[pos] as string)) pos++;
    if (pos >= text.length) return { flags, rest: "" };
    if (!text.startsWith("--", pos)) return { flags, rest: text.slice(pos) };
    let word = "";
    let quote = "";
    let blankOk = false;
    for (; pos < text.length; pos++) {
      const ch = text[pos] as string;
      if (quote === "" && isSpaceChar(ch)) break;
      if (quote === "" && (ch === "'" || ch === '"')) {
        quote = ch;
        blankOk = true;
        continue;
      }
      if (quote !== "" && ch === quote) {
        quote = "";
        continue;
      }
      if (ch === "\\") {
        if (pos + 1 >= text.length) continue;
        pos++;
        word += text[pos] as string;
        continue;
      }
      word += ch;
    }
    if (word === "--") return { flags, rest: pos >= text.length ? "" : text.slice(pos) };
    if (blankOk || word.length > 0) flags.push(word);
  }
}

/**
 * Words separated by whitespace where quotes group; quotes and escapes are kept in the
 * words (they are removed later, when the value is expanded).
 */
export function splitQuotedWords(rest: string, escapeToken: string): string[] {
  const words: string[] = [];
  const chars = Array.from(rest);
  let word = "";
  let inWord = false;
  let quote = "";
  let blankOk = false;
  const flush = () => {
    if (blankOk || word.length > 0) words.push(word);
    word = "";
    inWord = false;
    blankOk = false;
  };
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    const last = i + 1 === chars.length;
    if (!inWord) {
      if (isSpaceChar(ch)) continue;
      inWord = true;
    }
    if (quote === "") {
      if (isSpaceChar(ch)) {
        flush();
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOk = true;
      }
      if (ch === escapeToken) {
        if (last) continue; // an escape token at the end is dropped
        word += ch + (chars[++i] as string);
        continue;
      }
      word += ch;
      continue;
    }
    if (ch === quote) {
      quote = "";
      word += ch;
      continue;
    }
    if (ch === escapeToken && quote !== "'") {
      if (last) {
        quote = "";
        continue;
      }
      word += ch + (chars[++i] as string);
      continue;
    }
    word += ch;
  }
  if (inWord) flush();
  return words;
}

export type JsonArrayResult =
  | { kind: "array"; values: string[] }
  | { kind: "not-json" }
  | { kind: "not-strings" };

/** `[...]` that is valid JSON is exec form; anything else (even `[` unterminated) is not. */
export function parseJsonArray(rest: string): JsonArrayResult {
  const text = rest.replace(/^\s+/u, "");
  if (!text.startsWith("[")) return { kind: "not-json" };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { kind: "not-json" };
  }
  if (!Array.isArray(parsed)) return { kind: "not-json" };
  if (!parsed.every((v): v is string => typeof v === "string")) return { kind: "not-strings" };
  return { kind: "array", values: parsed };
}
