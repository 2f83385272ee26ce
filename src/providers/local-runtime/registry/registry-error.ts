/** Errors of registry pull/push: a ProviderError with a category and a stable `INFRA_REGISTRY_*` code. */
import { ProviderError, type FailureCategory } from "../../contract.js";

export function registryError(category: FailureCategory, what: string, message: string, hint?: string, cause?: unknown): ProviderError {
  const opts: { hint?: string; cause?: unknown } = {};
  if (hint !== undefined) opts.hint = hint;
  if (cause !== undefined) opts.cause = cause;
  return new ProviderError(category, `INFRA_REGISTRY_${what}`, message, opts);
}
