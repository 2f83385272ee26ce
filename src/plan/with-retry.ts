/** Retries `Unavailable` provider failures (the only retryable category) with exponential backoff. */
import { isProviderError } from "../providers/contract.js";

export interface RetryPolicy {
  /** Extra attempts after the first. */
  retries: number;
  baseDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 3, baseDelayMs: 250 };

export async function withRetry<T>(fn: () => Promise<T>, policy: RetryPolicy = DEFAULT_RETRY): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!isProviderError(e) || !e.retryable || attempt >= policy.retries) throw e;
      await new Promise((r) => setTimeout(r, policy.baseDelayMs * 2 ** attempt));
    }
  }
}
