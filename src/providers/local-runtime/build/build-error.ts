/** Errors of the image builder: a ProviderError with an `INFRA_BUILD_*` code, the line, and a hint. */
import { ProviderError, type FailureCategory } from "../../contract.js";

export function buildError(category: FailureCategory, what: string, message: string, hint?: string, cause?: unknown): ProviderError {
  const opts: { hint?: string; cause?: unknown } = {};
  if (hint !== undefined) opts.hint = hint;
  if (cause !== undefined) opts.cause = cause;
  return new ProviderError(category, `INFRA_BUILD_${what}`, message, opts);
}

/** `Dockerfile:7: ` in front of a message about the instruction at that line. */
export function at(file: string, line: number): string {
  return `${file}:${line}: `;
}
