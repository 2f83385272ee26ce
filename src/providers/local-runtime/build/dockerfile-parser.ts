import { warningDiag, type Diagnostic } from "../../../diag/index.js";
import {
  DockerfileErrorCode,
  problemsToError,
  type DockerfileProblem,
} from "./dockerfile-errors.js";
import { DockerfileLexError, lexDockerfile } from "./dockerfile-lexer.js";
import type { DockerfileInstruction, ParseDockerfileOptions, ParsedDockerfile } from "./dockerfile-types.js";
import { heredocsFromLine } from "./heredoc-words.js";
import { parseInstruction, takesHeredocs } from "./instruction-parser.js";

/**
 * Parses a Dockerfile the way Docker's own parser does: it throws (one InfraError listing every
 * problem, each with its line) only on what that parser rejects — bad directives, unterminated
 * here-documents, JSON arrays of non-strings, ENV/LABEL without a value, a file with no
 * instruction. What Docker rejects later, when it turns the parse into build steps (unknown
 * instructions and flags, argument counts, instructions before the first FROM...), comes back in
 * `buildProblems`: `assertBuildable` throws them. Warnings come back in `diagnostics`. Pure.
 */
export function parseDockerfile(text: string, opts: ParseDockerfileOptions = {}): ParsedDockerfile {
  const file = opts.file ?? "Dockerfile";
  const problems: DockerfileProblem[] = [];
  const buildProblems: DockerfileProblem[] = [];
  const warnings: DockerfileProblem[] = [];

  let lexed;
  try {
    lexed = lexDockerfile(text, (line) => (takesHeredocs(line) ? heredocsFromLine(line) : []));
  } catch (e) {
    if (e instanceof DockerfileLexError) throw problemsToError(file, [e.problem]);
    throw e;
  }

  const instructions: DockerfileInstruction[] = [];
  let sawFrom = false;
  for (const ll of lexed.lines) {
    const r = parseInstruction(ll, lexed.escapeToken);
    instructions.push(r.instruction);
    problems.push(...r.problems);
    buildProblems.push(...r.buildProblems);
    warnings.push(...r.warnings);
    if (ll.hadEmptyContinuation) {
      warnings.push({
        code: "INFRA_BUILD_DOCKERFILE_EMPTY_CONTINUATION",
        message: `Empty continuation line found in: ${ll.text}`,
        line: ll.line,
        hint: "remove the empty line, or make it a comment: empty continuation lines will become errors in Docker",
      });
    }
    const name = r.instruction.instruction;
    if (name === "FROM") sawFrom = true;
    else if (!sawFrom && name !== "ARG") {
      buildProblems.push({
        code: DockerfileErrorCode.noFrom,
        message: `no build stage in current context: ${name} before the first FROM`,
        line: ll.line,
        value: name,
        hint: "start the Dockerfile with FROM IMAGE (only ARG may come before it)",
      });
    }
  }

  if (instructions.length === 0) {
    problems.push({
      code: DockerfileErrorCode.empty,
      message: "file with no instructions",
      line: 1,
      hint: "a Dockerfile needs at least a FROM instruction",
    });
  } else if (!sawFrom) {
    buildProblems.push({
      code: DockerfileErrorCode.noFrom,
      message: "dockerfile contains no stages to build",
      line: instructions[0]?.line ?? 1,
      hint: "add FROM IMAGE (only ARG may come before the first FROM)",
    });
  }

  if (problems.length > 0) throw problemsToError(file, problems);

  return {
    instructions,
    directives: lexed.directives,
    diagnostics: warnings.map((w) => problemWarning(file, w)),
    buildProblems,
    escapeToken: lexed.escapeToken,
  };
}

/** Throws, as one InfraError naming each line, what a build rejects in a file that parsed. */
export function assertBuildable(parsed: ParsedDockerfile, file = "Dockerfile"): void {
  if (parsed.buildProblems.length > 0) throw problemsToError(file, parsed.buildProblems);
}

/** The build problems as warnings, for a command that only parses (`infra image parse`). */
export function buildProblemWarnings(parsed: ParsedDockerfile, file = "Dockerfile"): Diagnostic[] {
  return parsed.buildProblems.map((p) => problemWarning(file, { ...p, message: `a build will fail: ${p.message}` }));
}

function problemWarning(file: string, w: DockerfileProblem): Diagnostic {
  const extra: Partial<Diagnostic> = { location: { file, line: w.line, column: 1 } };
  if (w.hint !== undefined) extra.hint = w.hint;
  if (w.value !== undefined) extra.value = w.value;
  return warningDiag(w.code, `${file}:${w.line}: ${w.message}`, extra);
}
