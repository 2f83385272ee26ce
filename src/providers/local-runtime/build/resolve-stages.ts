import { isInfraError } from "../../../diag/index.js";
import { ArgEnvScope, type ArgEnvScopeInit } from "./arg-env-scope.js";
import { DockerfileErrorCode, problemsToError, type DockerfileProblem } from "./dockerfile-errors.js";
import type { DockerfileInstruction } from "./dockerfile-types.js";

/** One `FROM ... [AS name]` and the instructions under it. */
export interface ResolvedStage {
  index: number;
  /** Lower-cased stage name, when the FROM line names one. */
  name: string | undefined;
  /** The image as written, e.g. `${BASE}:latest`. */
  baseName: string;
  /** The image after global ARG expansion, e.g. `alpine:latest`. */
  base: string;
  /** Index of the stage `base` names, when it names one; otherwise `base` is an image. */
  baseStage: number | undefined;
  /** `--platform` after expansion. */
  platform: string | undefined;
  from: DockerfileInstruction;
  instructions: DockerfileInstruction[];
}

export interface ResolvedStages {
  stages: ResolvedStage[];
  /** Global ARG values (after --build-arg), as FROM lines saw them. */
  globalArgs: Record<string, string | undefined>;
  /** The scope FROM lines were expanded in; `scope.stage()` starts a stage's scope. */
  globalScope: ArgEnvScope;
}

export interface ResolveStagesOptions extends Omit<ArgEnvScopeInit, "buildArgs"> {
  file?: string;
}

/**
 * Splits parsed instructions into stages and expands each FROM with the global ARGs.
 * A FROM names a stage only when an earlier stage has that name (so stages cannot form a
 * cycle). Rejects, with the FROM's line, an image that expands to nothing and a stage name
 * used twice.
 */
export function resolveStages(
  instructions: readonly DockerfileInstruction[],
  buildArgs: Readonly<Record<string, string>> = {},
  opts: ResolveStagesOptions = {},
): ResolvedStages {
  const file = opts.file ?? "Dockerfile";
  const init: ArgEnvScopeInit = { buildArgs };
  if (opts.builtinArgs !== undefined) init.builtinArgs = opts.builtinArgs;
  if (opts.escapeToken !== undefined) init.escapeToken = opts.escapeToken;
  const globalScope = ArgEnvScope.global(init);
  const problems: DockerfileProblem[] = [];
  const stages: ResolvedStage[] = [];
  const byName = new Map<string, number>();

  const expand = (text: string, line: number): string => {
    try {
      return globalScope.expandWord(text);
    } catch (e) {
      if (!isInfraError(e)) throw e;
      const p: DockerfileProblem = { code: e.code, message: e.summary, line, value: text };
      if (e.hint !== undefined) p.hint = e.hint;
      problems.push(p);
      return text;
    }
  };

  for (const ins of instructions) {
    const current = stages[stages.length - 1];
    if (ins.instruction !== "FROM") {
      if (current) current.instructions.push(ins);
      else if (ins.instruction === "ARG" && ins.keyValues) {
        try {
          globalScope.declareArgs(ins.keyValues);
        } catch (e) {
          if (!isInfraError(e)) throw e;
          problems.push({ code: e.code, message: e.summary, line: ins.line });
        }
      }
      continue;
    }
    const args = ins.args as string[];
    const baseName = args[0] ?? "";
    const base = expand(baseName, ins.line);
    const rawName = args.length === 3 ? args[2] : undefined;
    const name = rawName?.toLowerCase();
    const platformFlag = ins.flags.find((f) => f.startsWith("--platform="));
    const platform = platformFlag === undefined ? undefined : expand(platformFlag.slice("--platform=".length), ins.line);
    if (base.trim() === "") {
      problems.push({
        code: DockerfileErrorCode.baseName,
        message: `base name (${baseName}) should not be blank`,
        line: ins.line,
        value: baseName,
        hint: "give the ARG used in FROM a default, or pass it with --build-arg",
      });
    }
    // Only earlier stages count, so `FROM node AS node` still means the image.
    const baseStage = byName.get(base.toLowerCase());
    if (name !== undefined) {
      if (byName.has(name)) {
        problems.push({
          code: DockerfileErrorCode.stageName,
          message: `duplicate stage name ${JSON.stringify(name)}`,
          line: ins.line,
          value: rawName,
          hint: "give every stage its own name",
        });
      } else {
        byName.set(name, stages.length);
      }
    }
    stages.push({
      index: stages.length,
      name,
      baseName,
      base,
      baseStage,
      platform,
      from: ins,
      instructions: [],
    });
  }

  if (problems.length > 0) throw problemsToError(file, problems);
  return { stages, globalArgs: globalScope.argRecord(), globalScope };
}

/** The stage `--target` names (by name, case-insensitive), or the last stage when none given. */
export function findTargetStage(stages: readonly ResolvedStage[], target?: string): ResolvedStage | undefined {
  if (target === undefined || target === "") return stages[stages.length - 1];
  const t = target.toLowerCase();
  return stages.find((s) => s.name === t);
}
