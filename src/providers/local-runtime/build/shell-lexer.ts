/**
 * The small shell-word language Dockerfiles use for variable substitution and unquoting
 * (the rules of BuildKit's `shell.Lex`): single quotes are literal, double quotes allow `$`
 * and escape only `"`, `$` and the escape token, the escape token outside quotes makes the
 * next character literal, and `$V`, `${V}`, `${V:-x}`, `${V-x}`, `${V:+x}`, `${V+x}`,
 * `${V:?x}`, `${V?x}`, `${V#p}`, `${V##p}`, `${V%p}`, `${V%%p}`, `${V/p/r}`, `${V//p/r}`.
 * Pure: failures are thrown as `ShellLexError` and mapped to diagnostics by callers.
 */

export type EnvLookup = (name: string) => string | undefined;

export interface ShellLexOptions {
  /** The Dockerfile escape token (`# escape=`). Default backslash. */
  escapeToken?: "\\" | "`";
  /** Keep quote characters in the output (used to detect quoted heredoc names). */
  rawQuotes?: boolean;
  /** Keep escape tokens in the output. */
  rawEscapes?: boolean;
  /** Leave references to unset variables as written instead of replacing them with "". */
  skipUnset?: boolean;
}

export interface ShellLexResult {
  /** The whole text processed as one word (whitespace kept). */
  word: string;
  /** The text split into words; whitespace from expanded values splits too, quoted text does not. */
  words: string[];
  /** Variables that were referenced and set. */
  matched: Set<string>;
  /** Variables that were referenced and unset. */
  unmatched: Set<string>;
}

/** Why a word could not be processed; `kind` lets callers pick an error code. */
export class ShellLexError extends Error {
  constructor(
    readonly kind: "quote" | "substitution" | "required",
    message: string,
  ) {
    super(message);
    this.name = "ShellLexError";
  }
}

const EOF = "";

/** Word accumulator: mirrors how the shell splits words after expansion. */
class WordCollector {
  private word = "";
  private inWord = false;
  readonly words: string[] = [];

  addChar(ch: string): void {
    if (isSpace(ch)) {
      if (this.inWord && this.word.length > 0) {
        this.words.push(this.word);
        this.word = "";
        this.inWord = false;
      }
      return;
    }
    this.addRaw(ch);
  }

  addString(s: string): void {
    for (const ch of s) this.addChar(ch);
  }

  addRaw(s: string): void {
    this.word += s;
    this.inWord = true;
  }

  finish(): string[] {
    if (this.word.length > 0) {
      this.words.push(this.word);
      this.word = "";
      this.inWord = false;
    }
    return this.words;
  }
}

class ShellWordLexer {
  private pos = 0;
  private readonly chars: string[];
  private readonly esc: string;
  readonly matched = new Set<string>();
  readonly unmatched = new Set<string>();

  constructor(
    src: string,
    private readonly lookup: EnvLookup,
    private readonly opts: ShellLexOptions,
  ) {
    this.chars = Array.from(src);
    this.esc = opts.escapeToken ?? "\\";
  }

  private peek(): string {
    return this.chars[this.pos] ?? EOF;
  }

  private next(): string {
    const ch = this.chars[this.pos] ?? EOF;
    if (ch !== EOF) this.pos++;
    return ch;
  }

  run(): ShellLexResult {
    const { text, words } = this.processUntil(EOF, this.opts.rawEscapes ?? false);
    return { word: text, words, matched: this.matched, unmatched: this.unmatched };
  }

  /** Reads up to `stop` (consumed) or the end; EOF is the only stop allowed to be missing. */
  private processUntil(stop: string, rawEscapes: boolean): { text: string; words: string[] } {
    let out = "";
    const words = new WordCollector();
    while (this.peek() !== EOF) {
      const ch = this.peek();
      if (stop !== EOF && ch === stop) {
        this.next();
        return { text: out, words: words.finish() };
      }
      if (ch === "'" || ch === '"' || ch === "$") {
        const part = ch === "'" ? this.singleQuoted() : ch === '"' ? this.doubleQuoted() : this.dollar();
        out += part;
        if (ch === "$") words.addString(part);
        else words.addRaw(part);
        continue;
      }
      this.next();
      if (ch === this.esc) {
        if (rawEscapes) {
          out += ch;
          words.addRaw(ch);
        }
        const escaped = this.next();
        if (escaped === EOF) break; // an escape token at the very end is dropped
        out += escaped;
        words.addRaw(escaped);
        continue;
      }
      out += ch;
      words.addChar(ch);
    }
    if (stop !== EOF) {
      throw new ShellLexError("substitution", `unexpected end of statement while looking for matching ${stop}`);
    }
    return { text: out, words: words.finish() };
  }

  private singleQuoted(): string {
    const raw = this.opts.rawQuotes ?? false;
    let out = raw ? "'" : "";
    this.next();
    for (;;) {
      const ch = this.next();
      if (ch === EOF) {
        throw new ShellLexError("quote", "unexpected end of statement while looking for matching single-quote");
      }
      if (ch === "'") break;
      out += ch;
    }
    return raw ? out + "'" : out;
  }

  private doubleQuoted(): string {
    const raw = this.opts.rawQuotes ?? false;
    let out = raw ? '"' : "";
    this.next();
    for (;;) {
      const ch = this.peek();
      if (ch === EOF) {
        throw new ShellLexError("quote", "unexpected end of statement while looking for matching double-quote");
      }
      if (ch === '"') {
        this.next();
        break;
      }
      if (ch === "$") {
        out += this.dollar();
        continue;
      }
      this.next();
      if (ch === this.esc) {
        const after = this.peek();
        if (after === EOF) continue; // a trailing escape inside quotes is dropped
        if (after === '"' || after === "$" || after === this.esc) {
          if (this.opts.rawEscapes) out += ch;
          out += this.next();
          continue;
        }
      }
      out += ch;
    }
    return raw ? out + '"' : out;
  }

  private get(name: string): string | undefined {
    const v = this.lookup(name);
    if (v === undefined) this.unmatched.add(name);
    else this.matched.add(name);
    return v;
  }

  private dollar(): string {
    this.next(); // $
    if (this.peek() !== "{") {
      const name = this.name();
      if (name === "") return "$";
      const value = this.get(name);
      if (value === undefined && this.opts.skipUnset) return "$" + name;
      return value ?? "";
    }
    this.next(); // {
    const first = this.peek();
    if (first === EOF) throw new ShellLexError("substitution", "syntax error: missing '}'");
    if (first === "{" || first === "}" || first === ":") {
      throw new ShellLexError("substitution", "syntax error: bad substitution");
    }
    const name = this.name();
    let op = this.next();
    if (op === "}") {
      const value = this.get(name);
      if (value === undefined && this.opts.skipUnset) return "${" + name + "}";
      return value ?? "";
    }
    let colon = false;
    if (op === ":") {
      colon = true;
      op = this.next();
    }
    const opText = (colon ? ":" : "") + op;
    if (op === "-" || op === "+" || op === "?" || op === "#" || op === "%") {
      const patternOp = op === "#" || op === "%";
      if (colon && patternOp) throw new ShellLexError("substitution", `unsupported modifier (${opText}) in substitution`);
      const word = this.operand("}", patternOp);
      const value = this.get(name);
      if (value === undefined && this.opts.skipUnset) return "${" + name + opText + word + "}";
      const empty = value === undefined || (colon && value === "");
      switch (op) {
        case "-":
          return empty ? word : (value ?? "");
        case "+":
          return empty ? "" : word;
        case "?":
          if (value === undefined) throw new ShellLexError("required", `${name}: ${word || "is not allowed to be unset"}`);
          if (colon && value === "") throw new ShellLexError("required", `${name}: ${word || "is not allowed to be empty"}`);
          return value;
        default: {
          const greedy = word.startsWith(op);
          const pattern = greedy ? word.slice(1) : word;
          return op === "#" ? trimPrefix(value ?? "", pattern, greedy) : trimSuffix(value ?? "", pattern, greedy);
        }
      }
    }
    if (op === "/" && !colon) {
      const all = this.peek() === "/";
      if (all) this.next();
      const pattern = this.operand("/", true);
      const replacement = this.operand("}", true);
      const value = this.get(name);
      if (value === undefined && this.opts.skipUnset) {
        return "${" + name + (all ? "//" : "/") + pattern + "/" + replacement + "}";
      }
      return replacePattern(value ?? "", pattern, replacement, all);
    }
    if (op === EOF) throw new ShellLexError("substitution", "syntax error: missing '}'");
    throw new ShellLexError("substitution", `unsupported modifier (${opText}) in substitution`);
  }

  private operand(stop: string, rawEscapes: boolean): string {
    try {
      return this.processUntil(stop, rawEscapes).text;
    } catch (e) {
      if (e instanceof ShellLexError && e.kind === "substitution" && this.peek() === EOF) {
        throw new ShellLexError("substitution", "syntax error: missing '}'");
      }
      throw e;
    }
  }

  /** A variable name: letters, digits and `_`; or a run of digits; or one special parameter. */
  private name(): string {
    let name = "";
    for (;;) {
      const ch = this.peek();
      if (ch === EOF) return name;
      if (name === "" && /^[0-9]$/.test(ch)) {
        while (/^[0-9]$/.test(this.peek())) name += this.next();
        return name;
      }
      if (name === "" && "*#@$?-!".includes(ch)) return this.next();
      if (!/^[\p{L}\p{N}_]$/u.test(ch)) return name;
      name += this.next();
    }
  }
}

function isSpace(ch: string): boolean {
  return /^\s$/u.test(ch);
}

/** A shell glob (`*`, `?`, `[...]`, backslash escapes) as an anchored-later regex source. */
function globToRegex(pattern: string, greedy: boolean): string {
  let out = "";
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    if (ch === "\\" && i + 1 < chars.length) {
      out += escapeRegex(chars[++i] as string);
    } else if (ch === "*") {
      out += greedy ? "[\\s\\S]*" : "[\\s\\S]*?";
    } else if (ch === "?") {
      out += "[\\s\\S]";
    } else if (ch === "[") {
      const end = chars.indexOf("]", i + 2);
      if (end < 0) {
        out += "\\[";
      } else {
        let cls = chars.slice(i + 1, end).join("");
        if (cls.startsWith("!")) cls = "^" + cls.slice(1);
        out += "[" + cls.replace(/\\/g, "\\\\") + "]";
        i = end;
      }
    } else {
      out += escapeRegex(ch);
    }
  }
  return out;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

function trimPrefix(value: string, pattern: string, greedy: boolean): string {
  const m = new RegExp("^" + globToRegex(pattern, greedy), "u").exec(value);
  return m ? value.slice(m[0].length) : value;
}

function trimSuffix(value: string, pattern: string, greedy: boolean): string {
  // Shortest suffix: try the latest start first; longest: the earliest.
  const re = new RegExp("^(?:" + globToRegex(pattern, true) + ")$", "u");
  const chars = Array.from(value);
  const starts = chars.map((_, i) => i).concat(chars.length);
  const order = greedy ? starts : starts.reverse();
  for (const i of order) {
    if (re.test(chars.slice(i).join(""))) return chars.slice(0, i).join("");
  }
  return value;
}

function replacePattern(value: string, pattern: string, replacement: string, all: boolean): string {
  if (pattern === "") return value;
  const re = new RegExp(globToRegex(pattern, true), all ? "gu" : "u");
  return value.replace(re, () => replacement);
}

/** Processes `src` as a shell word with the variables that `lookup` knows. */
export function lexShellWord(src: string, lookup: EnvLookup, opts: ShellLexOptions = {}): ShellLexResult {
  return new ShellWordLexer(src, lookup, opts).run();
}
