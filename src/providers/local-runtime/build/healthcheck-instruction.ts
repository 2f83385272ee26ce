import { DockerfileErrorCode } from "./dockerfile-errors.js";
import type { DockerfileInstruction } from "./dockerfile-types.js";
import { parseJsonArray } from "./dockerfile-words.js";
import { parseGoDuration } from "./go-duration.js";
import type { ProblemFn } from "./instruction-parser.js";

/**
 * HEALTHCHECK TYPE [COMMAND]: Docker's parser takes any type and any command (a bare
 * HEALTHCHECK too); only the instruction check, at build time, wants NONE or CMD with a command.
 */
export function parseHealthcheck(
  ins: DockerfileInstruction,
  rest: string,
  problem: ProblemFn,
  syntaxProblem: ProblemFn,
  checkFlags: () => Record<string, string[]>,
): void {
  const m = /\s+/u.exec(rest);
  const type = m === null ? rest : rest.slice(0, m.index);
  const cmdText = m === null ? "" : rest.slice(m.index + m[0].length);
  if (type === "") {
    problem(DockerfileErrorCode.arguments, "HEALTHCHECK requires at least one argument", "write HEALTHCHECK NONE or HEALTHCHECK CMD ...");
    return;
  }
  let cmd: string[] = [];
  if (cmdText !== "") {
    const j = parseJsonArray(cmdText);
    if (j.kind === "array") {
      ins.json = true;
      cmd = j.values;
    } else if (j.kind === "not-strings") {
      syntaxProblem(DockerfileErrorCode.json, "when using JSON array syntax, arrays must be comprised of strings only", 'quote every element: ["executable", "param1"]', cmdText);
    } else {
      cmd = [cmdText];
    }
  }
  ins.args = [type, ...cmd];
  const upper = type.toUpperCase();
  if (upper === "NONE") {
    if (cmd.length > 0) problem(DockerfileErrorCode.healthcheck, "HEALTHCHECK NONE takes no arguments", "write HEALTHCHECK NONE alone", cmd);
    return; // Docker does not read flags for NONE
  }
  const values = checkFlags();
  if (upper !== "CMD") {
    problem(DockerfileErrorCode.healthcheck, `Unknown type ${JSON.stringify(upper)} in HEALTHCHECK (try CMD)`, "write HEALTHCHECK CMD ... or HEALTHCHECK NONE", type);
    return;
  }
  if (cmd.length === 0) {
    problem(DockerfileErrorCode.healthcheck, "Missing command after HEALTHCHECK CMD", "write HEALTHCHECK CMD curl -f http://localhost/");
  }
  for (const flag of ["interval", "timeout", "start-period", "start-interval"]) {
    const v = values[flag]?.[0];
    if (v === undefined || v === "") continue;
    const ns = parseGoDuration(v);
    if (ns === undefined) {
      problem(DockerfileErrorCode.healthcheck, `time: invalid duration ${JSON.stringify(v)}`, `write --${flag}=30s, 1m30s or 500ms`, v);
    } else if (ns !== 0 && ns < 1e6) {
      problem(DockerfileErrorCode.healthcheck, `Interval ${JSON.stringify(flag)} cannot be less than 1ms`, undefined, v);
    }
  }
  const retries = values["retries"]?.[0];
  if (retries !== undefined && retries !== "") {
    if (!/^[+-]?\d+$/.test(retries)) {
      problem(DockerfileErrorCode.healthcheck, `strconv.ParseInt: parsing ${JSON.stringify(retries)}: invalid syntax`, "write --retries=3", retries);
    } else if (Number.parseInt(retries, 10) < 0) {
      problem(DockerfileErrorCode.healthcheck, `--retries cannot be negative (${retries})`, undefined, retries);
    }
  }
}
