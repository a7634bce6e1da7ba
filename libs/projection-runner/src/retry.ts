/**
 * How often an event is tried before it is parked, and how long the runner waits in between:
 * `initialDelayMs` after the first failure, doubling after each further one, at most
 * `maxDelayMs`. No jitter: one runner retries one event of one consumer at a time.
 */
export interface RetryPolicy {
  /** Attempts per event, the first included; after the last failed one the event is parked. */
  readonly maxAttempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

/** 5 attempts, 1 s, 2 s, 4 s and 8 s apart: about 15 s before an event is parked. */
export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, initialDelayMs: 1000, maxDelayMs: 60_000 };

/** The pause after the `failures`-th failed attempt (1-based). */
export const retryDelayMs = (policy: RetryPolicy, failures: number): number =>
  Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, failures - 1));

/** Waits `ms`, or less when `signal` aborts first. Runners take one as an option, so tests can see the pauses asked for. */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

export const sleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });

export const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));
