import { isInfraError } from "../../../diag/index.js";
import { DockerfileErrorCode, type DockerfileProblem } from "./dockerfile-errors.js";
import type { DockerfileHeredoc, DockerfileInstruction, DockerfileKeyValue } from "./dockerfile-types.js";
import { parseJsonArray, splitCommand, splitQuotedWords, splitWhitespace } from "./dockerfile-words.js";
import { parseHealthcheck } from "./healthcheck-instruction.js";
import { parseHeredocWord } from "./heredoc-words.js";
import { closest, readFlags } from "./instruction-flags.js";
import { unquoteWord } from "./variable-expansion.js";

export const KNOWN_INSTRUCTIONS = [
  "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL",
  "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
] as const;

const HEREDOC_INSTRUCTIONS = new Set(["RUN", "COPY", "ADD"]);
const STAGE_NAME = /^[a-z][a-z0-9-_.]*$/;

export interface InstructionParse {
  instruction: DockerfileInstruction;
  /** Errors of Docker's parser (malformed JSON arrays, ENV/LABEL without values): the file does not parse. */
  problems: DockerfileProblem[];
  /** What Docker's instruction checks reject (flags, argument counts...): the file parses, a build fails. */
  buildProblems: DockerfileProblem[];
  /** Warnings: accepted, but deprecated or suspicious. */
  warnings: DockerfileProblem[];
}

export interface InstructionInput {
  text: string;
  line: number;
  endLine: number;
  heredocs: DockerfileHeredoc[];
}

/** Whether a logical line takes here-documents: shell-form RUN/COPY/ADD, also as ONBUILD triggers. */
export function takesHeredocs(text: string): boolean {
  let { keyword, rest } = splitCommand(text);
  if (keyword.toUpperCase() === "ONBUILD") ({ keyword, rest } = splitCommand(rest));
  return HEREDOC_INSTRUCTIONS.has(keyword.toUpperCase()) && parseJsonArray(rest).kind === "not-json";
}

/** Parses one logical line into an instruction, with what Docker would reject about it. */
export function parseInstruction(input: InstructionInput, escape: "\\" | "`"): InstructionParse {
  const problems: DockerfileProblem[] = [];
  const buildProblems: DockerfileProblem[] = [];
  const warnings: DockerfileProblem[] = [];
  const { line } = input;
  const { keyword, flags, rest } = splitCommand(input.text);
  const name = keyword.toUpperCase();
  const ins: DockerfileInstruction = {
    instruction: name,
    line,
    endLine: input.endLine,
    flags,
    json: false,
    args: [],
    original: input.text,
  };
  if (input.heredocs.length > 0) ins.heredocs = input.heredocs;
  const make = (into: DockerfileProblem[]): ProblemFn => (code, message, hint, value) => {
    const p: DockerfileProblem = { code, message, line };
    if (hint !== undefined) p.hint = hint;
    if (value !== undefined) p.value = value;
    into.push(p);
  };
  /** A build-time problem: Docker's parser keeps the instruction, its instruction checks reject it. */
  const problem = make(buildProblems);
  /** A parse error: Docker's parser itself rejects the line. */
  const syntaxProblem = make(problems);
  const checkFlags = (forName = name) => {
    const r = readFlags(forName, flags, line);
    if (r.problem) buildProblems.push(r.problem);
    return r.values;
  };
  const atLeastOne = () => problem(DockerfileErrorCode.arguments, `${name} requires at least one argument`);
  const exactlyOne = () =>
    problem(DockerfileErrorCode.arguments, `${name} requires exactly one argument`, undefined, ins.args);

  /** JSON array or, failing that, `fallback` (a malformed array is not an error: it is shell form). */
  const maybeJson = (text: string, fallback: (t: string) => string[] | string): string[] | string => {
    const j = parseJsonArray(text);
    if (j.kind === "array") {
      ins.json = true;
      return j.values;
    }
    if (j.kind === "not-strings") {
      syntaxProblem(
        DockerfileErrorCode.json,
        "when using JSON array syntax, arrays must be comprised of strings only",
        'quote every element: ["executable", "param1"]',
        text,
      );
    }
    return fallback(text);
  };

  switch (name) {
    case "RUN":
    case "CMD":
    case "ENTRYPOINT":
    case "SHELL": {
      ins.args = rest === "" ? "" : maybeJson(rest, (t) => t);
      checkFlags();
      const empty = Array.isArray(ins.args) ? ins.args.length === 0 : ins.args === "";
      if ((name === "RUN" || name === "SHELL") && empty) atLeastOne();
      else if (name === "SHELL" && !ins.json) {
        problem(DockerfileErrorCode.json, "SHELL requires the arguments to be in JSON form", 'write SHELL ["/bin/sh", "-c"]', rest);
      }
      break;
    }
    case "COPY":
    case "ADD":
    case "VOLUME": {
      ins.args = maybeJson(rest, splitWhitespace);
      const args = ins.args as string[];
      if (name === "VOLUME") {
        if (args.length === 0) atLeastOne();
        else if (args.some((a) => a.trim() === "")) problem(DockerfileErrorCode.arguments, "VOLUME specified can not be an empty string");
        checkFlags();
        break;
      }
      if (args.length < 2) {
        problem(
          DockerfileErrorCode.arguments,
          `${name} requires at least two arguments, but only one was provided. Destination could not be determined.`,
          `write ${name} SOURCE... DEST`,
          args,
        );
        break;
      }
      checkFlags();
      if (parseHeredocWord(args[args.length - 1] as string) !== undefined) {
        problem(DockerfileErrorCode.heredoc, `${name} cannot accept a heredoc as a destination`, `write ${name} <<EOF /path/to/file`);
      }
      break;
    }
    case "FROM": {
      ins.args = splitWhitespace(rest);
      const a = ins.args;
      if (a.length === 3 && a[1]?.toLowerCase() === "as") {
        const stage = (a[2] as string).toLowerCase();
        if (!STAGE_NAME.test(stage)) {
          problems.push({
            code: DockerfileErrorCode.stageName,
            message: `invalid name for build stage: ${JSON.stringify(a[2])}, name can't start with a number or contain symbols`,
            line,
            value: a[2],
            hint: "use letters, digits, '-', '_' and '.', starting with a letter",
          });
        }
      } else if (a.length !== 1) {
        problem(DockerfileErrorCode.arguments, "FROM requires either one or three arguments", "write FROM IMAGE [AS NAME]", a);
      }
      checkFlags();
      break;
    }
    case "EXPOSE":
      ins.args = splitWhitespace(rest);
      if (ins.args.length === 0) atLeastOne();
      checkFlags();
      break;
    case "USER":
    case "WORKDIR":
    case "STOPSIGNAL":
    case "MAINTAINER":
      // Docker keeps the whole rest of the line as the single argument.
      ins.args = rest === "" ? [] : [rest];
      if (ins.args.length !== 1) exactlyOne();
      else if (name !== "STOPSIGNAL") checkFlags(); // Docker never reads STOPSIGNAL's flags
      if (name === "MAINTAINER") {
        warnings.push({
          code: "INFRA_BUILD_DOCKERFILE_MAINTAINER_DEPRECATED",
          message: "MAINTAINER is deprecated",
          line,
          hint: 'use LABEL org.opencontainers.image.authors="..." instead',
        });
      }
      break;
    case "ENV":
    case "LABEL":
      parseNameValue(ins, rest, escape, problem, syntaxProblem, warnings);
      checkFlags();
      break;
    case "ARG":
      parseArgs(ins, rest, escape, problem);
      checkFlags();
      break;
    case "HEALTHCHECK":
      parseHealthcheck(ins, rest, problem, syntaxProblem, checkFlags);
      break;
    case "ONBUILD":
      parseOnbuild(ins, rest, input, escape, { problem, problems, warnings }, checkFlags);
      break;
    default: {
      ins.args = splitWhitespace(rest);
      const near = closest(name, KNOWN_INSTRUCTIONS);
      problem(
        DockerfileErrorCode.unknownInstruction,
        `unknown instruction: ${name}${near ? ` (did you mean ${near}?)` : ""}`,
        near ? `did you mean ${near}?` : `instructions are ${KNOWN_INSTRUCTIONS.join(", ")}`,
        keyword,
      );
    }
  }
  return { instruction: ins, problems, buildProblems, warnings };
}

export type ProblemFn = (code: string, message: string, hint?: string, value?: unknown) => void;

function unquoteOr(text: string, escape: "\\" | "`", problem: ProblemFn): string {
  try {
    return unquoteWord(text, escape);
  } catch (e) {
    if (!isInfraError(e)) throw e;
    problem(DockerfileErrorCode.substitution, e.summary, e.hint, text);
    return text;
  }
}

function setKeyValues(ins: DockerfileInstruction, kvs: DockerfileKeyValue[]): void {
  ins.keyValues = kvs;
  ins.args = kvs.flatMap((kv) => [kv.key, kv.value ?? ""]);
}

/** ENV and LABEL: `k=v k2="v 2"` or the legacy `k value with spaces`. */
function parseNameValue(
  ins: DockerfileInstruction,
  rest: string,
  escape: "\\" | "`",
  problem: ProblemFn,
  syntaxProblem: ProblemFn,
  warnings: DockerfileProblem[],
): void {
  const name = ins.instruction;
  const words = splitQuotedWords(rest, escape);
  if (words.length === 0) {
    problem(DockerfileErrorCode.arguments, `${name} requires at least one argument`);
    return;
  }
  const kvs: DockerfileKeyValue[] = [];
  if (!(words[0] as string).includes("=")) {
    const m = /[\t\v\f\r ]+/.exec(rest);
    if (m === null) {
      syntaxProblem(DockerfileErrorCode.arguments, `${name} must have two arguments`, `write ${name} KEY=VALUE`, rest);
      return;
    }
    const raw = rest.slice(m.index + m[0].length);
    const key = rest.slice(0, m.index);
    kvs.push({ key: unquoteOr(key, escape, problem), value: unquoteOr(raw, escape, problem), raw });
    warnings.push({
      code: "INFRA_BUILD_DOCKERFILE_LEGACY_KEY_VALUE",
      message: `"${name} key=value" should be used instead of legacy "${name} key value" format`,
      line: ins.line,
      hint: `write ${name} ${key}=...`,
    });
  } else {
    for (const word of words) {
      const eq = word.indexOf("=");
      if (eq < 0) {
        syntaxProblem(
          DockerfileErrorCode.arguments,
          `Syntax error - can't find = in ${JSON.stringify(word)}. Must be of the form: name=value`,
          "quote values that contain spaces",
          word,
        );
        return;
      }
      const raw = word.slice(eq + 1);
      kvs.push({ key: unquoteOr(word.slice(0, eq), escape, problem), value: unquoteOr(raw, escape, problem), raw });
    }
  }
  if (kvs.some((kv) => kv.key === "")) problem(DockerfileErrorCode.arguments, `${name} names can not be blank`);
  setKeyValues(ins, kvs);
}

/** ARG: `NAME` or `NAME=default`, several per line. */
function parseArgs(ins: DockerfileInstruction, rest: string, escape: "\\" | "`", problem: ProblemFn): void {
  const words = splitQuotedWords(rest, escape);
  if (words.length === 0) {
    problem(DockerfileErrorCode.arguments, "ARG requires at least one argument");
    return;
  }
  const kvs: DockerfileKeyValue[] = [];
  for (const word of words) {
    const eq = word.indexOf("=");
    if (eq < 0) {
      kvs.push({ key: word, value: undefined, raw: undefined });
      continue;
    }
    if (eq === 0) problem(DockerfileErrorCode.arguments, "ARG names can not be blank", undefined, word);
    const raw = word.slice(eq + 1);
    kvs.push({ key: word.slice(0, eq), value: unquoteOr(raw, escape, problem), raw });
  }
  setKeyValues(ins, kvs);
}

interface OnbuildSinks {
  problem: ProblemFn;
  problems: DockerfileProblem[];
  warnings: DockerfileProblem[];
}

function parseOnbuild(
  ins: DockerfileInstruction,
  rest: string,
  input: InstructionInput,
  escape: "\\" | "`",
  sinks: OnbuildSinks,
  checkFlags: () => Record<string, string[]>,
): void {
  const { problem, warnings } = sinks;
  if (rest === "") {
    problem(DockerfileErrorCode.arguments, "ONBUILD requires at least one argument", "write ONBUILD INSTRUCTION ...");
    return;
  }
  checkFlags();
  const sub = parseInstruction({ text: rest, line: input.line, endLine: input.endLine, heredocs: input.heredocs }, escape);
  const inner = sub.instruction;
  ins.inner = inner;
  ins.json = inner.json;
  ins.args = [inner.instruction, ...inner.flags, ...(Array.isArray(inner.args) ? inner.args : [inner.args])];
  // Docker's parser parses the trigger as a line of its own: what it rejects there fails now.
  sinks.problems.push(...sub.problems);
  if (inner.instruction === "ONBUILD") {
    problem(DockerfileErrorCode.onbuild, "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
  } else if (inner.instruction === "FROM" || inner.instruction === "MAINTAINER") {
    problem(DockerfileErrorCode.onbuild, `${inner.instruction} isn't allowed as an ONBUILD trigger`);
  } else {
    // Docker checks the trigger only when an image built FROM this one runs it.
    for (const p of sub.buildProblems) {
      warnings.push({ ...p, message: `ONBUILD trigger will fail: ${p.message}` });
    }
  }
  warnings.push(...sub.warnings);
}
