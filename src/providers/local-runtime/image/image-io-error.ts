/** Errors of image import and export: a ProviderError with a category and a stable `INFRA_IMAGE_*` code. */
import { ProviderError, type FailureCategory } from "../../contract.js";

export function imageIoError(category: FailureCategory, what: string, message: string, hint?: string, cause?: unknown): ProviderError {
  const opts: { hint?: string; cause?: unknown } = {};
  if (hint !== undefined) opts.hint = hint;
  if (cause !== undefined) opts.cause = cause;
  return new ProviderError(category, `INFRA_IMAGE_${what}`, message, opts);
}

/** The archive is not what it claims to be; nothing was stored. */
export function malformed(where: string, why: string, hint = "the archive is damaged or was not written by docker save, skopeo, umoci or infra; nothing was imported"): ProviderError {
  return imageIoError("Invalid", "ARCHIVE_MALFORMED", `${where}: ${why}`, hint);
}
