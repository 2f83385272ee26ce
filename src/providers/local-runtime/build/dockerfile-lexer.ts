import { DockerfileErrorCode, type DockerfileProblem } from "./dockerfile-errors.js";
import { chompHeredocContent, type HeredocHeader } from "./heredoc-words.js";
import type { DockerfileHeredoc } from "./dockerfile-types.js";

/** One instruction's text after comments, continuations and here-document bodies are handled. */
export interface LogicalLine {
  /** Continuation lines joined with the escape token and what follows it removed. */
  text: string;
  line: number;
  endLine: number;
  heredocs: DockerfileHeredoc[];
  /** Empty lines were skipped inside the continuation (deprecated by Docker). */
  hadEmptyContinuation: boolean;
}

export interface LexedDockerfile {
  lines: LogicalLine[];
  directives: Record<string, string>;
  escapeToken: "\\" | "`";
}

/** Thrown by the lexer: nothing after such a problem can be read reliably. */
export class DockerfileLexError extends Error {
  constructor(readonly problem: DockerfileProblem) {
    super(problem.message);
    this.name = "DockerfileLexError";
  }
}

const DIRECTIVE = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/;
const KNOWN_DIRECTIVES = new Set(["syntax", "escape", "check"]);

function trimNewline(s: string): string {
  return s.replace(/[\r\n]+$/, "");
}

function trimLeadingSpace(s: string): string {
  return s.replace(/^\s+/u, "");
}

function isComment(rawLine: string): boolean {
  return trimLeadingSpace(trimNewline(rawLine)).startsWith("#");
}

function continuationRegex(escape: string): RegExp {
  const e = escape === "\\" ? "\\\\" : escape;
  // The escape token ends a line unless it is itself escaped (`\\`).
  return new RegExp(`([^${e}])${e}[ \\t]*$|^${e}[ \\t]*$`);
}

/** Parser directives: only at the very top, each once, ended by the first other line. */
class DirectiveReader {
  done = false;
  readonly values: Record<string, string> = {};
  escape: "\\" | "`" = "\\";

  read(token: string, line: number): void {
    if (this.done) return;
    const m = DIRECTIVE.exec(token);
    const key = m?.[1]?.toLowerCase();
    if (m === null || key === undefined || !KNOWN_DIRECTIVES.has(key)) {
      this.done = true;
      return;
    }
    const value = m[2] ?? "";
    if (Object.prototype.hasOwnProperty.call(this.values, key)) {
      throw new DockerfileLexError({
        code: DockerfileErrorCode.directive,
        message: `only one ${key} parser directive can be used`,
        line,
        hint: `remove the second "# ${key}=" line`,
      });
    }
    if (key === "escape") {
      if (value !== "\\" && value !== "`") {
        throw new DockerfileLexError({
          code: DockerfileErrorCode.directive,
          message: `invalid escape token '${value}' does not match \` or \\`,
          line,
          value,
          hint: "use # escape=\\ or # escape=`",
        });
      }
      this.escape = value;
    }
    this.values[key] = value;
  }
}

/**
 * Reads a Dockerfile into logical lines the way Docker's parser does. `heredocsFor` says
 * which here-documents a logical line announces (only some instructions take them); their
 * bodies are then read verbatim from the following lines.
 */
export function lexDockerfile(text: string, heredocsFor: (line: string) => HeredocHeader[]): LexedDockerfile {
  const source = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const raw = source.split(/(?<=\n)/);
  const directives = new DirectiveReader();
  let contRe = continuationRegex("\\");
  const out: LogicalLine[] = [];
  let i = 0;
  let lineNo = 0;

  const trimContinuation = (s: string): { text: string; ends: boolean } => {
    if (!contRe.test(s)) return { text: s, ends: true };
    return { text: s.replace(contRe, "$1"), ends: false };
  };

  while (i < raw.length) {
    const first = raw[i++] as string;
    lineNo++;
    const token = trimLeadingSpace(trimNewline(first));
    const escapeBefore = directives.escape;
    directives.read(token, lineNo);
    if (directives.escape !== escapeBefore) contRe = continuationRegex(directives.escape);
    const content = token.startsWith("#") ? "" : token;
    const startLine = lineNo;
    let { text: line, ends } = trimContinuation(content);
    if (ends && line === "") continue;

    let hadEmptyContinuation = false;
    while (!ends && i < raw.length) {
      const next = raw[i++] as string;
      lineNo++;
      if (isComment(next)) continue;
      const body = trimNewline(next);
      if (trimLeadingSpace(body) === "") {
        hadEmptyContinuation = true;
        continue;
      }
      const t = trimContinuation(body);
      line += t.text;
      ends = t.ends;
    }

    const heredocs: DockerfileHeredoc[] = [];
    for (const h of heredocsFor(line)) {
      let content = "";
      let terminated = false;
      while (i < raw.length) {
        const bodyLine = raw[i++] as string;
        lineNo++;
        let candidate = trimNewline(bodyLine);
        if (h.chomp) candidate = candidate.replace(/^\t+/, "");
        if (candidate === h.name) {
          terminated = true;
          break;
        }
        content += bodyLine;
      }
      if (!terminated) {
        throw new DockerfileLexError({
          code: DockerfileErrorCode.heredoc,
          message: `unterminated heredoc ${h.name} (started at line ${startLine}, reached end of file at line ${lineNo})`,
          line: startLine,
          value: h.name,
          hint: `end the here-document with a line containing only ${h.name}`,
        });
      }
      heredocs.push({
        name: h.name,
        content: h.chomp ? chompHeredocContent(content) : content,
        expand: h.expand,
        chomp: h.chomp,
        fileDescriptor: h.fileDescriptor,
      });
    }

    out.push({ text: line, line: startLine, endLine: lineNo, heredocs, hadEmptyContinuation });
  }

  return { lines: out, directives: directives.values, escapeToken: directives.escape };
}
