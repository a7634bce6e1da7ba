/**
 * Attempts at a downstream call and the pauses between them: exponential backoff with full jitter
 * (a pause drawn uniformly from 0 up to `baseDelayMs * 2^(failures-1)`, at most `maxDelayMs`), so
 * that many instances retrying after one outage do not come back in step.
 */
export interface BackoffPolicy {
  /** Attempts in all, the first included; after the last failed one the action is parked. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { maxAttempts: 8, baseDelayMs: 500, maxDelayMs: 60_000 };

/**
 * The pause after the `failures`-th failed attempt (1-based). `random` is a number in [0, 1) the
 * caller draws; `retryAfterMs`, what the downstream asked for (Retry-After), is a floor, still capped.
 */
export const backoffDelayMs = (policy: BackoffPolicy, failures: number, random: number, retryAfterMs = 0): number => {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, failures - 1));
  return Math.min(policy.maxDelayMs, Math.max(Math.floor(random * ceiling), retryAfterMs));
};

/**
 * Whether an HTTP answer is worth trying again: server errors, 408 and 429 are (the downstream
 * may answer later); any other 4xx is a refusal that another attempt would only repeat.
 */
export const isRetryableStatus = (status: number): boolean => status >= 500 || status === 408 || status === 429;

/** Retry-After as milliseconds: delta-seconds, or an HTTP date relative to `now` (ms since the epoch). */
export const retryAfterMs = (header: string | null | undefined, now: number): number => {
  if (!header) return 0;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? 0 : Math.max(0, at - now);
};
