import { lexShellWord, ShellLexError } from "./shell-lexer.js";

/** A here-document announced on an instruction line, before its body is read. */
export interface HeredocHeader {
  name: string;
  expand: boolean;
  chomp: boolean;
  fileDescriptor: number;
}

const HEREDOC_WORD = /^(\d*)<<(-?)([^<]*)$/;
const unset = () => undefined;

/**
 * A word such as `<<EOF`, `<<-"EOF"` or `3<<'END'` announces a here-document. Its name
 * must lex to one word; any quoting in it turns expansion of the body off.
 */
export function parseHeredocWord(word: string): HeredocHeader | undefined {
  const m = HEREDOC_WORD.exec(word);
  if (m === null) return undefined;
  const rest = m[3] ?? "";
  if (rest === "") return undefined;
  const plain = lexShellWord(rest, unset, { skipUnset: true }).words;
  if (plain.length !== 1) return undefined;
  const raw = lexShellWord(rest, unset, { skipUnset: true, rawQuotes: true }).words;
  const name = plain[0] as string;
  const quotes = (s: string) => (s.match(/['"]/g) ?? []).length;
  return {
    name,
    expand: quotes(name) === quotes(raw[0] ?? ""),
    chomp: m[2] === "-",
    fileDescriptor: m[1] ? Number.parseInt(m[1], 10) : 0,
  };
}

/**
 * Every here-document announced on a logical line, in order. Docker reads the line with a
 * backslash escape whatever the escape directive says; a line that does not lex has none.
 */
export function heredocsFromLine(line: string): HeredocHeader[] {
  let words: string[];
  try {
    words = lexShellWord(line, unset, { rawQuotes: true, rawEscapes: true, skipUnset: true }).words;
  } catch (e) {
    if (e instanceof ShellLexError) return [];
    throw e;
  }
  const out: HeredocHeader[] = [];
  for (const w of words) {
    const h = parseHeredocWord(w);
    if (h !== undefined) out.push(h);
  }
  return out;
}

/** `<<-`: leading tabs go from every line of the body. */
export function chompHeredocContent(content: string): string {
  return content.replace(/^\t+/gm, "");
}
