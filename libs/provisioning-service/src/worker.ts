import { BackoffPolicy, FeedEvent, OutcomeReport, ProvisioningAction, ProvisioningResult, backoffDelayMs, outcomeReportOf, provisioningActionOf } from '@access-ledger/provisioning';
import { ApiCallError, ApiClient } from './api-client';
import { sleep as realSleep } from '@access-ledger/projection-runner';
import { Sleep, deliverWithRetries } from './deliver';
import { ProvisioningMetrics } from './metrics';
import { ProvisioningLogger, ProvisioningProvider } from './providers';
import { ParkedProvisioning } from './store';

/** What became of one event: passed over (no action), provisioned, parked as failed, or not finished because the worker stops. */
export type Processed = 'skipped' | 'provisioned' | 'parked' | 'aborted';

export interface WorkerOptions {
  readonly client: ApiClient;
  readonly provider: ProvisioningProvider;
  readonly policy: BackoffPolicy;
  readonly metrics: ProvisioningMetrics;
  readonly logger: ProvisioningLogger;
  readonly sleep?: Sleep;
  readonly random?: () => number;
  readonly now?: () => Date;
}

/** How a source keeps what failed for good: the feed's checkpoint store, or EventStoreDB's parked stream (nack). */
export interface ParkingLot {
  /** The entry already parked for this event, when the source keeps them itself. */
  parked(eventId: string): ParkedProvisioning | undefined;
  park(entry: ParkedProvisioning): void | Promise<void>;
}

/**
 * Provisions one event and reports its outcome to the API, whatever the source: the action through
 * the provider with its attempts and backoff; after the last (or a refusal) the event is parked,
 * then reported `failed`. An outcome report that does not go through (network, 5xx, 429, 401/403)
 * is retried for ever with backoff: it is not the event's fault, and the source does not move on
 * (checkpoint, ack) before it is recorded.
 */
export class ProvisioningWorker {
  private readonly sleep: Sleep;
  private readonly random: () => number;
  private readonly now: () => Date;

  constructor(private readonly options: WorkerOptions) {
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? (() => new Date());
  }

  get providerName(): string {
    return this.options.provider.name;
  }

  async process(event: FeedEvent, signal: AbortSignal, lot: ParkingLot): Promise<Processed> {
    const action = provisioningActionOf(event);
    if (!action) return 'skipped';
    const stop = this.options.metrics.duration.startTimer();
    const already = lot.parked(event.eventId);
    let result: ProvisioningResult;
    if (already) {
      // Parked before a restart that came before its report: report it again (the same key and body record once).
      result = { ok: false, detail: already.error };
    } else {
      const delivery = await this.attempt(action, signal);
      if ('aborted' in delivery) return 'aborted';
      result = delivery;
      if (!delivery.ok) {
        const at = this.now().toISOString();
        this.options.metrics.failures.inc({ action: action.kind });
        await lot.park({ eventId: event.eventId, position: event.position, type: event.type, event, attempts: delivery.attempts, error: delivery.detail, parkedAt: at, lastAttemptAt: at });
        this.options.logger.error(`Provisioning parked ${event.type} at position ${event.position}: ${delivery.detail}`, { eventId: event.eventId, attempts: delivery.attempts });
      }
    }
    if (!(await this.report(outcomeReportOf(action, result), signal))) return 'aborted';
    stop();
    return result.ok ? 'provisioned' : 'parked';
  }

  /**
   * An operator's retry of a parked event: one more attempt, answered at once. Provisioned: the
   * success is reported (it has a key of its own, so it is recorded after the earlier failure).
   */
  async retry(entry: ParkedProvisioning, signal: AbortSignal): Promise<ProvisioningResult & { readonly attempts: number }> {
    const action = provisioningActionOf(entry.event);
    if (!action) return { ok: false, attempts: 0, detail: `${entry.type} asks for no provisioning action` };
    const delivery = await this.attempt(action, signal, { ...this.options.policy, maxAttempts: 1 });
    if ('aborted' in delivery) return { ok: false, attempts: 0, detail: 'stopped before an outcome' };
    if (delivery.ok && !(await this.report(outcomeReportOf(action, delivery), signal))) return { ok: false, attempts: delivery.attempts, detail: 'stopped before the report' };
    return delivery;
  }

  private attempt(action: ProvisioningAction, signal: AbortSignal, policy: BackoffPolicy = this.options.policy) {
    const provider = this.options.provider;
    return deliverWithRetries(provider, action, {
      policy,
      signal,
      sleep: this.sleep,
      random: this.random,
      onSucceeded: () => this.options.metrics.attempts.inc({ provider: provider.name, result: 'ok' }),
      onFailedAttempt: (attempt, error, willRetry) => {
        this.options.metrics.attempts.inc({ provider: provider.name, result: error.retryable ? 'retryable' : 'refused' });
        this.options.logger.warn(`Provisioning attempt ${attempt} of ${action.event.type} at position ${action.event.position} failed: ${error.message}${willRetry ? '; will retry' : ''}`, {
          eventId: action.idempotencyKey,
        });
      },
    });
  }

  /** Sends the report until the API records it (or refuses it for good); false when stopped first. */
  async report(report: OutcomeReport, signal: AbortSignal): Promise<boolean> {
    const { metrics, logger, policy } = this.options;
    for (let failures = 1; !signal.aborted; failures += 1) {
      try {
        const answer = await this.options.client.report(report, signal);
        if (answer.recorded) {
          metrics.reports.inc({ status: report.body.status, result: answer.replayed ? 'replayed' : 'recorded' });
        } else {
          metrics.reports.inc({ status: report.body.status, result: 'refused' });
          logger.warn(`The API refused the outcome report ${report.body.status} on ${report.path} (${answer.status} ${answer.problem}); not retried`, { idempotencyKey: report.idempotencyKey });
        }
        return true;
      } catch (error) {
        if (signal.aborted) return false;
        metrics.reports.inc({ status: report.body.status, result: 'error' });
        logger.warn(`Outcome report on ${report.path} did not go through (${(error as Error).message}); retrying`, { idempotencyKey: report.idempotencyKey });
        await this.sleep(backoffDelayMs(policy, failures, this.random(), error instanceof ApiCallError ? error.retryAfterMs : 0), signal);
      }
    }
    return false;
  }
}
