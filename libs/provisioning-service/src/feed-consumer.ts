import { BackoffPolicy, backoffDelayMs } from '@access-ledger/provisioning';
import { ApiClient } from './api-client';
import { Sleep, sleep as realSleep } from '@access-ledger/projection-runner';
import { ProvisioningMetrics } from './metrics';
import { ProvisioningLogger } from './providers';
import { ProvisioningStore } from './store';
import { ProvisioningWorker } from './worker';

export interface FeedConsumerOptions {
  readonly pollIntervalMs: number;
  readonly batchSize: number;
  /** Pauses after failed feed reads (retried for ever). */
  readonly backoff: BackoffPolicy;
  readonly sleep?: Sleep;
  readonly now?: () => Date;
}

/** What health reports of the feed consumer. */
export interface SourceStatus {
  readonly kind: 'feed' | 'eventstoredb';
  readonly connected: boolean;
  readonly lastError: string | null;
  readonly checkpoint: number | null;
  readonly lagEvents: number | null;
  readonly parked: number | null;
}

/**
 * Consumes the API's event feed (`GET /events?after=<checkpoint>&types=…`) page by page: each
 * page's events one after the other through the worker, then the checkpoint written once for the
 * page. At least once: a stop or crash before the checkpoint delivers the page again, and the
 * effects are idempotent by event id (the provider's Idempotency-Key, the reports' keys), so the
 * outcome is once; nothing is skipped, since the checkpoint only passes events that are done
 * (provisioned, or parked and reported failed).
 */
export class FeedConsumer {
  private readonly sleep: Sleep;
  private readonly now: () => Date;
  private highestSeen = 0;
  private connected = false;
  private lastError: string | null = null;

  constructor(
    private readonly worker: ProvisioningWorker,
    private readonly client: ApiClient,
    private readonly store: ProvisioningStore,
    private readonly metrics: ProvisioningMetrics,
    private readonly logger: ProvisioningLogger,
    private readonly options: FeedConsumerOptions,
  ) {
    this.sleep = options.sleep ?? realSleep;
    this.now = options.now ?? (() => new Date());
  }

  status(): SourceStatus {
    const checkpoint = this.store.checkpoint();
    return { kind: 'feed', connected: this.connected, lastError: this.lastError, checkpoint, lagEvents: Math.max(0, this.highestSeen - checkpoint), parked: this.store.countParked() };
  }

  async run(signal: AbortSignal): Promise<void> {
    let checkpoint = this.store.checkpoint();
    this.metrics.checkpoint.set(checkpoint);
    let failures = 0;
    while (!signal.aborted) {
      let page;
      try {
        page = await this.client.events(checkpoint, this.options.batchSize, signal);
      } catch (error) {
        if (signal.aborted) return;
        failures += 1;
        this.connected = false;
        this.lastError = (error as Error).message;
        this.metrics.feedErrors.inc();
        if (failures === 1 || failures % 10 === 0) this.logger.warn(`Provisioning cannot read the event feed (${this.lastError}); retrying`, { failures });
        await this.sleep(backoffDelayMs(this.options.backoff, failures, Math.random()), signal);
        continue;
      }
      if (failures > 0) this.logger.log('Provisioning reads the event feed again');
      failures = 0;
      this.connected = true;
      this.lastError = null;
      this.highestSeen = Math.max(this.highestSeen, page.lastPosition);
      this.metrics.lagEvents.set(Math.max(0, this.highestSeen - checkpoint));
      const lot = { parked: (id: string) => this.store.parked(id), park: (entry: Parameters<ProvisioningStore['park']>[0]) => this.store.park(entry) };
      for (const event of page.events) {
        if ((await this.worker.process(event, signal, lot)) === 'aborted') return;
      }
      if (page.lastPosition > checkpoint) {
        this.store.saveCheckpoint(page.lastPosition, this.now().toISOString());
        checkpoint = page.lastPosition;
        this.metrics.checkpoint.set(checkpoint);
        this.metrics.lagEvents.set(Math.max(0, this.highestSeen - checkpoint));
      }
      // A full page: more are waiting, read on at once; otherwise caught up until the next poll.
      if (page.events.length < this.options.batchSize) await this.sleep(this.options.pollIntervalMs, signal);
    }
  }
}
