/** Errors of the local engine: a ProviderError with a category callers branch on and a stable code. */
import { ProviderError, type FailureCategory } from "../contract.js";

export function runtimeError(category: FailureCategory, what: string, message: string, hint?: string, cause?: unknown): ProviderError {
  const opts: { hint?: string; cause?: unknown } = {};
  if (hint !== undefined) opts.hint = hint;
  if (cause !== undefined) opts.cause = cause;
  return new ProviderError(category, `INFRA_RUNTIME_${what}`, message, opts);
}
