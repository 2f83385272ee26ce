import { errorDiag, InfraError, type Diagnostic } from "../../../diag/index.js";

/** Stable codes for everything the Dockerfile front end rejects. */
export const DockerfileErrorCode = {
  /** No instruction at all. */
  empty: "INFRA_BUILD_DOCKERFILE_EMPTY",
  /** A keyword that is not a Dockerfile instruction. */
  unknownInstruction: "INFRA_BUILD_DOCKERFILE_UNKNOWN_INSTRUCTION",
  /** An instruction other than ARG before the first FROM, or no FROM at all. */
  noFrom: "INFRA_BUILD_DOCKERFILE_NO_FROM",
  /** A flag the instruction does not take. */
  unknownFlag: "INFRA_BUILD_DOCKERFILE_UNKNOWN_FLAG",
  /** A known flag used wrongly: repeated, missing its value, not a boolean. */
  badFlag: "INFRA_BUILD_DOCKERFILE_BAD_FLAG",
  /** Too few or too many arguments, or arguments of the wrong shape. */
  arguments: "INFRA_BUILD_DOCKERFILE_ARGUMENTS",
  /** A JSON array with something other than strings, or SHELL not in JSON form. */
  json: "INFRA_BUILD_DOCKERFILE_JSON",
  /** A here-document without its terminator, or used where none is allowed. */
  heredoc: "INFRA_BUILD_DOCKERFILE_HEREDOC",
  /** A repeated parser directive or an invalid escape token. */
  directive: "INFRA_BUILD_DOCKERFILE_DIRECTIVE",
  /** `FROM x AS name` with an invalid name, or a name used twice. */
  stageName: "INFRA_BUILD_DOCKERFILE_STAGE_NAME",
  /** A FROM whose image is empty after expansion. */
  baseName: "INFRA_BUILD_DOCKERFILE_BASE_NAME",
  /** ONBUILD ONBUILD, ONBUILD FROM, ONBUILD MAINTAINER. */
  onbuild: "INFRA_BUILD_DOCKERFILE_ONBUILD",
  /** HEALTHCHECK with an unknown type or bad option values. */
  healthcheck: "INFRA_BUILD_DOCKERFILE_HEALTHCHECK",
  /** An unterminated quote or a bad `${...}` in a value. */
  substitution: "INFRA_BUILD_DOCKERFILE_SUBSTITUTION",
} as const;

export type DockerfileErrorCodeValue = (typeof DockerfileErrorCode)[keyof typeof DockerfileErrorCode];

/** One problem at a line of a Dockerfile, before it becomes a diagnostic. */
export interface DockerfileProblem {
  code: string;
  /** Message without location, in Docker's words where Docker has one. */
  message: string;
  line: number;
  hint?: string;
  value?: unknown;
}

export function problemToDiagnostic(file: string, p: DockerfileProblem): Diagnostic {
  const extra: Partial<Diagnostic> = { location: { file, line: p.line, column: 1 } };
  if (p.hint !== undefined) extra.hint = p.hint;
  if (p.value !== undefined) extra.value = p.value;
  return errorDiag(p.code, `${file}:${p.line}: ${p.message}`, extra);
}

/** All problems of one file as one error; the first names the code and the summary. */
export function problemsToError(file: string, problems: DockerfileProblem[]): InfraError {
  const first = problems[0];
  if (first === undefined) throw new Error("problemsToError needs at least one problem");
  const diagnostics = problems.map((p) => problemToDiagnostic(file, p));
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? "s" : ""})` : "";
  const init: ConstructorParameters<typeof InfraError>[2] = {
    detail: problems.map((p) => `${file}:${p.line}: ${p.message}`).join("\n"),
    diagnostics,
  };
  if (first.hint !== undefined) init.hint = first.hint;
  return new InfraError(first.code, `${file}:${first.line}: ${first.message}${more}`, init);
}
