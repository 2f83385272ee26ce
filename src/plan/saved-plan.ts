/**
 * Saved plans (`plan --out F`, `apply F`): the plan as JSON, written atomically. Read back as
 * hostile input: bounded in size, parsed with the file's name and position in errors, checked
 * field by field, and refused when its content no longer matches the digest it carries.
 * Whether it still fits the stack and state is checked by plan-rederive.ts.
 */
import { constants } from "node:fs";
import { open } from "node:fs/promises";
import { InfraError } from "../diag/infra-error.js";
import { writeFileAtomic } from "../state/atomic-write.js";
import type { StateFile } from "../state/state-types.js";
import { planSchemaProblem, printable } from "./plan-file-schema.js";
import { planDigest } from "./plan-digest.js";
import { PLAN_FORMAT_VERSION, type Plan, type PlanSource } from "./plan-types.js";

/** Far above any real plan (a 1,000-resource plan is a few MB); refuses a file meant to exhaust memory. */
export const MAX_PLAN_FILE_BYTES = 64 * 1024 * 1024;

const AGAIN = "Run `infra plan --out FILE` again, review it, and apply the new file.";

/** Written as-is, mode 0600: secret values are in the file (wrapped, not encrypted). */
export async function writePlanFile(path: string, plan: Plan): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(plan, null, 2) + "\n", 0o600);
}

export async function readPlanFile(path: string, opts: { maxBytes?: number } = {}): Promise<Plan> {
  const text = await readBounded(path, opts.maxBytes ?? MAX_PLAN_FILE_BYTES);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const at = /at position (\d+)/.exec(msg);
    const where = at === null ? "" : `:${lineColumn(text, Number(at[1]))}`;
    // An error at the very end of the text means the JSON stops early, whatever V8 calls it.
    const truncated = /end of JSON input/.test(msg) || (at !== null && Number(at[1]) >= text.trimEnd().length);
    throw new InfraError("INFRA_PLAN_FILE_CORRUPT", `The plan file ${path}${where} is not valid JSON${truncated ? " (it ends too early: truncated?)" : ""}`, {
      detail: text.length === 0 ? "The file is empty." : msg,
      hint: AGAIN,
    });
  }
  const o = v as Partial<Plan> | null;
  if (typeof o !== "object" || o === null || Array.isArray(o) || !("formatVersion" in o)) {
    throw new InfraError("INFRA_PLAN_FILE_CORRUPT", `${path} is not an infra plan file`, { detail: "It has no formatVersion field.", hint: "Give the path written by `infra plan --out`." });
  }
  if (o.formatVersion !== PLAN_FORMAT_VERSION) {
    throw new InfraError("INFRA_PLAN_FILE_VERSION", `The plan file ${path} has format ${JSON.stringify(o.formatVersion)}; this infra reads ${PLAN_FORMAT_VERSION}`, {
      detail: `It was made by infra ${typeof o.infraVersion === "string" ? printable(o.infraVersion.slice(0, 40)) : "(unknown)"}.`,
      hint: "Make the plan again with this version of infra.",
    });
  }
  const problem = planSchemaProblem(o);
  if (problem !== undefined) {
    throw new InfraError("INFRA_PLAN_FILE_CORRUPT", `The plan file ${path} is malformed at ${problem.path}`, { detail: `${problem.path}: ${problem.problem}.`, hint: AGAIN });
  }
  const plan = o as Plan;
  const digest = planDigest(plan);
  if (digest !== plan.digest) {
    throw new InfraError("INFRA_PLAN_EDITED", `The plan file ${path} was changed after infra wrote it`, {
      detail: `It records the digest ${plan.digest}, but what it holds has the digest ${digest}: a change, a value, or the stack or state it names was edited. Nothing was applied.`,
      hint: `Do not apply it. ${AGAIN}`,
    });
  }
  return plan;
}

/** At most `max` bytes of a regular file; a FIFO or device is refused before it can block or stream forever. */
async function readBounded(path: string, max: number): Promise<string> {
  let fh;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer.
    fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InfraError(code === "ENOENT" ? "INFRA_PLAN_FILE_NOT_FOUND" : "INFRA_PLAN_FILE_UNREADABLE", `Cannot read the plan file ${path}`, {
      detail: (e as Error).message,
      hint: "Give the path written by `infra plan --out`.",
      cause: e,
    });
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) {
      throw new InfraError("INFRA_PLAN_FILE_UNREADABLE", `The plan file ${path} is not a regular file`, { hint: "Give the path written by `infra plan --out`." });
    }
    const tooLarge = (size: string): InfraError =>
      new InfraError("INFRA_PLAN_FILE_TOO_LARGE", `The plan file ${path} is ${size}; infra reads plan files up to ${max} bytes`, {
        detail: "No plan infra writes comes near this size; the file is not one, or it was altered.",
        hint: AGAIN,
      });
    if (st.size > max) throw tooLarge(`${st.size} bytes`);
    // Read to the end rather than trust st.size: the file may grow, and /proc files report 0.
    const chunks: Buffer[] = [];
    let n = 0;
    for (;;) {
      const chunk = Buffer.alloc(Math.min(1 << 20, max + 1 - n));
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      n += bytesRead;
      if (n > max) throw tooLarge(`over ${max} bytes`);
    }
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks, n));
    } catch {
      throw new InfraError("INFRA_PLAN_FILE_CORRUPT", `The plan file ${path} is not UTF-8 text`, { hint: AGAIN });
    }
  } finally {
    await fh.close();
  }
}

function lineColumn(text: string, pos: number): string {
  const before = text.slice(0, pos);
  const line = before.split("\n").length;
  return `${line}:${pos - before.lastIndexOf("\n")}`;
}

function stale(summary: string, detail: string): InfraError {
  return new InfraError("INFRA_PLAN_STALE", summary, { detail, hint: AGAIN });
}

/** Refuses a plan made for another stack file, stack name or state than the ones this command reads. */
export function checkPlanSource(plan: Plan, here: { stack: string } & PlanSource): void {
  const same = plan.stack === here.stack && plan.source.state === here.state && plan.source.files.length === here.files.length && plan.source.files.every((f, i) => f === here.files[i]);
  if (same) return;
  throw new InfraError("INFRA_PLAN_STACK_MISMATCH", "The saved plan was made for another stack than the one this command reads", {
    detail:
      `The plan is for stack "${printable(plan.stack)}" from ${printable(plan.source.files.join(", ")) || "(no file)"} with state ${printable(plan.source.state) || "(none)"}; ` +
      `this command reads stack "${here.stack}" from ${here.files.join(", ")} with state ${here.state}. Nothing was applied.`,
    hint: "Run apply where the plan was made (-C DIR, -f FILE, -p NAME as for `infra plan`), or make a plan for this stack.",
  });
}

/** Refuses a plan made against another state (lineage/serial) or another version of the stack. */
export function checkPlanApplicable(plan: Plan, state: StateFile | undefined, graphHash: string): void {
  const lineage = state === undefined || (state.serial === 0 && state.resources.length === 0 && plan.prior.lineage === null) ? null : state.lineage;
  const serial = state?.serial ?? 0;
  if (lineage !== plan.prior.lineage) {
    throw stale("The saved plan is stale: the state is another one", `It was made for state lineage ${plan.prior.lineage === null ? "(no state)" : printable(plan.prior.lineage)}; the state now has lineage ${lineage ?? "(no state)"}. Nothing was applied.`);
  }
  if (serial !== plan.prior.serial) {
    throw stale("The saved plan is stale: the state changed since it was made", `The state changed since the plan was made (serial ${plan.prior.serial} then, ${serial} now). Nothing was applied.`);
  }
  if (graphHash !== plan.graphHash) {
    throw stale("The saved plan is stale: the stack changed since it was made", `The stack changed since the plan was made (its graph digest was ${plan.graphHash}, it is ${graphHash} now). Nothing was applied.`);
  }
}
