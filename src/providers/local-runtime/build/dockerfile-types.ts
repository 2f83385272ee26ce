import type { Diagnostic } from "../../../diag/index.js";
import type { DockerfileProblem } from "./dockerfile-errors.js";

/** A here-document attached to RUN, COPY or ADD (`<<EOF`, `<<-EOF`, `<<"EOF"`). */
export interface DockerfileHeredoc {
  /** The delimiter word with quotes removed; also how the instruction's args refer to it. */
  name: string;
  /** The body, lines joined with their original line endings. Leading tabs removed when `chomp`. */
  content: string;
  /** False when any part of the delimiter was quoted: the body is then taken literally. */
  expand: boolean;
  /** `<<-`: leading tabs stripped from the body and the terminator line. */
  chomp: boolean;
  /** The file descriptor written before `<<` (`3<<EOF`), 0 when none. */
  fileDescriptor: number;
}

/** One ENV/LABEL/ARG assignment. */
export interface DockerfileKeyValue {
  key: string;
  /** Unquoted but not expanded; undefined for `ARG NAME` without a default. */
  value: string | undefined;
  /** The value exactly as written (quotes kept): what the builder expands. */
  raw: string | undefined;
}

export interface DockerfileInstruction {
  /** Upper-case keyword: RUN, COPY, FROM ... */
  instruction: string;
  /** 1-based line where the instruction starts. */
  line: number;
  /** Last line, including continuation lines and here-document bodies. */
  endLine: number;
  /** Flags in front of the arguments (`--chown=1:1`), with quotes removed as Docker does. */
  flags: string[];
  /** Exec (JSON array) form. */
  json: boolean;
  /**
   * Exec form: the array. RUN/CMD/ENTRYPOINT/SHELL shell form: one string (continuations joined).
   * ENV/LABEL/ARG: [key, value, key, value ...] unquoted ("" for an ARG without default).
   * HEALTHCHECK: [type, ...command] where the command is the array or the one shell string.
   * ONBUILD: [inner keyword, ...inner flags, ...inner args].
   * USER/WORKDIR/STOPSIGNAL/MAINTAINER: the rest of the line as one word (as Docker keeps it).
   * Others: the whitespace-separated words.
   */
  args: string[] | string;
  heredocs?: DockerfileHeredoc[];
  /** ENV/LABEL/ARG: the assignments, with the raw values the builder expands. */
  keyValues?: DockerfileKeyValue[];
  /** ONBUILD: the trigger instruction, parsed. */
  inner?: DockerfileInstruction;
  /** The logical line as Docker keeps it: continuations joined, comments dropped. */
  original: string;
}

export interface ParsedDockerfile {
  instructions: DockerfileInstruction[];
  /** Parser directives found at the top: syntax, escape, check. */
  directives: Record<string, string>;
  /** Warnings (deprecated forms, empty continuation lines); parse errors are thrown. */
  diagnostics: Diagnostic[];
  /**
   * What a build rejects although Docker's parser accepts it (unknown instructions and flags,
   * argument counts, no FROM...), in file order; `assertBuildable` throws them.
   */
  buildProblems: DockerfileProblem[];
  /** The escape token in effect (`\` or a backtick). */
  escapeToken: "\\" | "`";
}

export interface ParseDockerfileOptions {
  /** Shown in errors and diagnostics; default "Dockerfile". */
  file?: string;
}
