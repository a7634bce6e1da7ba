import { BackoffPolicy, ProvisioningAction, ProvisioningResult, backoffDelayMs } from '@access-ledger/provisioning';
import { Sleep, sleep } from '@access-ledger/projection-runner';
import { ProviderError, ProvisioningProvider } from './providers';

export type { Sleep };

export interface DeliveryOptions {
  readonly policy: BackoffPolicy;
  readonly signal: AbortSignal;
  readonly sleep?: Sleep;
  /** A number in [0, 1) per pause: the jitter. */
  readonly random?: () => number;
  /** Told of every attempt that failed, and whether another follows. */
  readonly onFailedAttempt?: (attempt: number, error: ProviderError, willRetry: boolean) => void;
  readonly onSucceeded?: (attempt: number) => void;
}

export type Delivery = (ProvisioningResult & { readonly attempts: number }) | { readonly aborted: true };

const asProviderError = (error: unknown): ProviderError =>
  error instanceof ProviderError ? error : new ProviderError(error instanceof Error ? error.message : String(error), true);

/**
 * Makes up to `policy.maxAttempts` attempts at the action, pausing with backoff and full jitter
 * between them; a refusal (not retryable) ends at once. Aborted: the caller stops without an
 * outcome, and the event is delivered again after the restart.
 */
export async function deliverWithRetries(provider: ProvisioningProvider, action: ProvisioningAction, options: DeliveryOptions): Promise<Delivery> {
  const { policy, signal } = options;
  const pause = options.sleep ?? sleep;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt += 1) {
    if (signal.aborted) return { aborted: true };
    try {
      await provider.perform(action, signal);
      options.onSucceeded?.(attempt);
      return { ok: true, attempts: attempt };
    } catch (thrown) {
      if (signal.aborted) return { aborted: true };
      const error = asProviderError(thrown);
      const willRetry = error.retryable && attempt < policy.maxAttempts;
      options.onFailedAttempt?.(attempt, error, willRetry);
      if (!willRetry) {
        const why = error.retryable ? `after ${attempt} attempt${attempt === 1 ? '' : 's'}` : 'refused, not retried';
        return { ok: false, attempts: attempt, detail: `${error.message} (${why})` };
      }
      await pause(backoffDelayMs(policy, attempt, random(), error.retryAfterMs), signal);
    }
  }
}
