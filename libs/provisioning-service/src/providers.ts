import { ProvisioningAction, isRetryableStatus, retryAfterMs, webhookPayloadOf } from '@access-ledger/provisioning';
import { SIGNATURE_HEADER, SIGNATURE_TIMESTAMP_HEADER, signWebhook } from './signature';

/**
 * Performs provisioning actions downstream. `perform` makes one attempt: it resolves when the
 * downstream has done it, or throws a ProviderError saying whether another attempt may succeed.
 * Called again for the same action (same `idempotencyKey`) after a restart or a retry, so the
 * downstream must do it once per key.
 */
export interface ProvisioningProvider {
  readonly name: string;
  perform(action: ProvisioningAction, signal: AbortSignal): Promise<void>;
}

export class ProviderError extends Error {
  constructor(
    message: string,
    /** Worth another attempt (a 5xx, 408, 429, a network error or time-out); false: refused, parked at once. */
    readonly retryable: boolean,
    /** What the downstream asked to wait (Retry-After), in ms. */
    readonly retryAfterMs = 0,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

export interface ProvisioningLogger {
  log(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

/** The embedded default: says what it would provision, in the log, and succeeds. */
export class LogProvider implements ProvisioningProvider {
  readonly name = 'log';
  constructor(private readonly logger: ProvisioningLogger) {}

  async perform(action: ProvisioningAction): Promise<void> {
    this.logger.log(`Provisioning (log only): ${action.kind}`, { eventId: action.idempotencyKey, subject: action.subject });
  }
}

export interface WebhookOptions {
  readonly url: string;
  readonly secret: string;
  readonly timeoutMs: number;
  /** Milliseconds since the epoch (the signature's timestamp, Retry-After dates). */
  readonly now?: () => number;
}

/**
 * POSTs each action as JSON to the webhook URL, with `Idempotency-Key: <event id>` and the body
 * signed (X-Signature, X-Signature-Timestamp: docs/operations.md, "Verifying a webhook"). A 2xx is
 * done; 5xx, 408, 429, network errors and time-outs may be tried again; any other answer is a refusal.
 */
export class WebhookProvider implements ProvisioningProvider {
  readonly name = 'webhook';
  private readonly now: () => number;

  constructor(private readonly options: WebhookOptions) {
    this.now = options.now ?? Date.now;
  }

  async perform(action: ProvisioningAction, signal: AbortSignal): Promise<void> {
    const body = JSON.stringify(webhookPayloadOf(action));
    const timestamp = Math.floor(this.now() / 1000);
    let response: Response;
    try {
      response = await fetch(this.options.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'Idempotency-Key': action.idempotencyKey,
          [SIGNATURE_TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: signWebhook(this.options.secret, body, timestamp),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.options.timeoutMs)]),
      });
    } catch (error) {
      if (signal.aborted) throw error;
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${this.options.timeoutMs} ms` : (cause?.code ?? cause?.message ?? (error as Error).message);
      throw new ProviderError(`webhook unreachable: ${reason}`, true);
    }
    // Read (and drop) the body so that the connection can be reused.
    const text = await response.text().catch(() => '');
    if (response.ok) return;
    const summary = text.replace(/\s+/g, ' ').trim().slice(0, 200);
    throw new ProviderError(
      `webhook answered ${response.status}${summary ? `: ${summary}` : ''}`,
      isRetryableStatus(response.status),
      retryAfterMs(response.headers.get('retry-after'), this.now()),
    );
  }
}
