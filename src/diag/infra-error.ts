import type { Diagnostic } from "./diagnostic.js";

const BRAND = Symbol.for("infra.InfraError");

export interface InfraErrorInit {
  detail?: string;
  hint?: string;
  /** Further problems found at the same time (validation reports all at once). */
  diagnostics?: Diagnostic[];
  /** Exit status the CLI should use; 1 unless said otherwise. */
  exitCode?: number;
  cause?: unknown;
}

/**
 * The one error type that crosses layers. The CLI renders it; nothing below the CLI prints.
 * Branded so that `isInfraError` works across copies of the module.
 */
export class InfraError extends Error {
  readonly [BRAND] = true;
  readonly code: string;
  readonly summary: string;
  readonly detail: string | undefined;
  readonly hint: string | undefined;
  readonly diagnostics: Diagnostic[];
  readonly exitCode: number;

  constructor(code: string, summary: string, init: InfraErrorInit = {}) {
    super(summary, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = "InfraError";
    this.code = code;
    this.summary = summary;
    this.detail = init.detail;
    this.hint = init.hint;
    this.diagnostics = init.diagnostics ?? [];
    this.exitCode = init.exitCode ?? 1;
  }

  /** The error and its attached problems as a list of diagnostics. */
  toDiagnostics(): Diagnostic[] {
    if (this.diagnostics.length > 0) return this.diagnostics;
    const d: Diagnostic = { code: this.code, severity: "error", summary: this.summary };
    if (this.detail !== undefined) d.detail = this.detail;
    if (this.hint !== undefined) d.hint = this.hint;
    return [d];
  }
}

export function isInfraError(e: unknown): e is InfraError {
  return typeof e === "object" && e !== null && (e as Record<symbol, unknown>)[BRAND] === true;
}
