/**
 * Which stages a build runs: the target and, transitively, the stages it starts FROM or copies
 * `--from`, in file order (BuildKit skips the others). Pure.
 */
import { buildError } from "./build-error.js";
import { flagValue } from "./image-config-update.js";
import type { ResolvedStage, ResolvedStages } from "./resolve-stages.js";

/** The stage `--from=NAME` (a name or an index) refers to, if it names one before `before`. */
export function stageByRef(stages: readonly ResolvedStage[], ref: string, before: number): ResolvedStage | undefined {
  if (/^\d+$/.test(ref)) {
    const s = stages[Number(ref)];
    return s !== undefined && s.index < before ? s : undefined;
  }
  const n = ref.toLowerCase();
  return stages.find((s) => s.name === n && s.index < before);
}

export function stagesToBuild(resolved: ResolvedStages, target: string | undefined, file: string): ResolvedStage[] {
  const { stages } = resolved;
  let last: ResolvedStage | undefined;
  if (target === undefined || target === "") last = stages[stages.length - 1];
  else last = stages.find((s) => s.name === target.toLowerCase());
  if (last === undefined)
    throw buildError("NotFound", "TARGET_NOT_FOUND", `target stage '${target}' could not be found in ${file}`, `stages: ${stages.map((s) => s.name ?? String(s.index)).join(", ")}`);
  const need = new Set<number>();
  const visit = (s: ResolvedStage): void => {
    if (need.has(s.index)) return;
    need.add(s.index);
    if (s.baseStage !== undefined) visit(stages[s.baseStage]!);
    for (const ins of s.instructions) {
      if (ins.instruction !== "COPY") continue;
      const from = flagValue(ins.flags, "from");
      if (from === undefined) continue;
      // Global ARGs are the only ones visible here; a name that is no stage is an image.
      const ref = resolved.globalScope.expandWord(from);
      const dep = stageByRef(stages, ref, s.index);
      if (dep) visit(dep);
    }
  };
  visit(last);
  return stages.filter((s) => need.has(s.index));
}
