/**
 * How a failure of the stack program is told: its own stack trace (the user's frames only, file
 * URLs as paths), and an InfraError that crosses from the stack's worker as plain data.
 */
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Diagnostic } from "../../diag/diagnostic.js";
import { InfraError, isInfraError } from "../../diag/infra-error.js";
import { dslEntry } from "./dsl-entry.js";

/** The error's stack with file URLs as paths and the loader's and Node's own frames left out. */
export function userStackTrace(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const root = dslEntry().codeRoot + path.sep;
  const lines = (e.stack ?? `${e.name}: ${e.message}`).split("\n");
  const kept: string[] = [];
  let sawUser = false;
  for (const l of lines) {
    if (!/^\s+at /.test(l)) {
      kept.push(l);
      continue;
    }
    const ours = l.includes(pathToFileURL(root).href) || l.includes(`(${root}`) || l.includes(` ${root}`);
    // Past the user's frames, the loader's caller follows: the CLI, not the stack.
    if (ours && sawUser) break;
    if (ours || l.includes("node:internal")) continue;
    sawUser = true;
    kept.push(l);
  }
  return kept.map((l) => l.replace(/file:\/\/[^\s):]+/g, (u) => fileURLToPath(u))).join("\n");
}

export function stackThrew(e: unknown, file: string): InfraError {
  const message = e instanceof Error ? e.message : String(e);
  return new InfraError("INFRA_LOAD_STACK_THREW", `the stack program ${file} threw: ${message}`, {
    detail: userStackTrace(e),
    hint: isInfraError(e) && e.hint !== undefined ? e.hint : "fix the error in the stack program; nothing was planned or changed",
    cause: e,
  });
}

/** An InfraError as structured-clone data (its class and cause stay behind). */
export interface PlainInfraError {
  code: string;
  summary: string;
  detail?: string;
  hint?: string;
  diagnostics: Diagnostic[];
  exitCode: number;
}

export function toPlainError(e: InfraError): PlainInfraError {
  return {
    code: e.code,
    summary: e.summary,
    ...(e.detail !== undefined ? { detail: e.detail } : {}),
    ...(e.hint !== undefined ? { hint: e.hint } : {}),
    diagnostics: e.diagnostics,
    exitCode: e.exitCode,
  };
}

export function fromPlainError(p: PlainInfraError): InfraError {
  return new InfraError(p.code, p.summary, {
    ...(p.detail !== undefined ? { detail: p.detail } : {}),
    ...(p.hint !== undefined ? { hint: p.hint } : {}),
    diagnostics: p.diagnostics,
    exitCode: p.exitCode,
  });
}
