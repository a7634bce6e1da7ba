import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiClient } from './api-client';
import { ProvisioningConfig } from './config';
import { FeedConsumer, SourceStatus } from './feed-consumer';
import { PersistentSubscriptionConsumer } from './eventstoredb-consumer';
import { ProvisioningMetrics } from './metrics';
import { LogProvider, ProvisioningLogger, ProvisioningProvider, WebhookProvider } from './providers';
import { ParkedProvisioning, ProvisioningStore } from './store';
import { tokenSource } from './tokens';
import { ProvisioningWorker } from './worker';

export const PROVISIONING_CONFIG = 'ProvisioningConfig';

export type RetryOutcome = { readonly found: false } | { readonly found: true; readonly ok: boolean; readonly detail: string | null; readonly attempts: number };

/** The address an HTTP server listens on, as a URL this process can call (a wildcard address is called on loopback). */
const urlOf = (server: Server): string => {
  const { address, port, family } = server.address() as AddressInfo;
  const host = address === '::' || address === '0.0.0.0' || address === '' ? '127.0.0.1' : family === 'IPv6' ? `[${address}]` : address;
  return `http://${host}:${port}`;
};

/**
 * Account provisioning in this process: the source (the API's feed with its checkpoint, or an
 * EventStoreDB persistent subscription group), the worker and its provider, started when the
 * application has started (in the API's own process once its server listens: it reads the feed
 * of that server) and stopped before it closes: a stop mid-event writes no checkpoint, so the
 * event comes again after the restart.
 */
@Injectable()
export class ProvisioningService implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  readonly metrics: ProvisioningMetrics;
  private readonly nest = new Logger('Provisioning');
  private readonly logger: ProvisioningLogger = {
    log: (m, c) => this.nest.log(c ? { msg: m, ...c } : m),
    warn: (m, c) => this.nest.warn(c ? { msg: m, ...c } : m),
    error: (m, c) => this.nest.error(c ? { msg: m, ...c } : m),
  };
  private readonly abort = new AbortController();
  private store: ProvisioningStore | null = null;
  private worker: ProvisioningWorker | null = null;
  private source: FeedConsumer | PersistentSubscriptionConsumer | null = null;
  private running: Promise<void> | null = null;

  constructor(
    @Inject(PROVISIONING_CONFIG) private readonly config: ProvisioningConfig,
    @Optional() private readonly http?: HttpAdapterHost,
  ) {
    this.metrics = new ProvisioningMetrics({ processDefaults: config.apiUrl !== 'self' }, () => {
      if (this.store) this.metrics.parked.set(this.store.countParked());
    });
  }

  onApplicationBootstrap(): void {
    // Opened here, so that a second consumer of the same checkpoint fails the start, not later.
    if (this.config.source.kind === 'feed') this.store = ProvisioningStore.open(this.config.source.checkpointFile);
    this.running = this.start().catch((error) => this.logger.error(`Provisioning stopped: ${(error as Error).message}`));
  }

  private async start(): Promise<void> {
    const apiUrl = this.config.apiUrl === 'self' ? await this.ownUrl() : this.config.apiUrl;
    if (apiUrl === null) return;
    const client = new ApiClient(apiUrl, tokenSource(this.config.token), this.config.apiTimeoutMs);
    this.worker = new ProvisioningWorker({ client, provider: this.provider(), policy: this.config.backoff, metrics: this.metrics, logger: this.logger });
    const source = this.config.source;
    this.source =
      source.kind === 'feed'
        ? new FeedConsumer(this.worker, client, this.store!, this.metrics, this.logger, { pollIntervalMs: source.pollIntervalMs, batchSize: source.batchSize, backoff: this.config.backoff })
        : new PersistentSubscriptionConsumer(this.worker, this.logger, { connectionString: source.connectionString, group: source.group });
    this.logger.log(`Provisioning with the ${this.worker.providerName} provider from ${source.kind === 'feed' ? `the event feed of ${apiUrl}` : `the EventStoreDB group ${source.group}`}`);
    await this.source.run(this.abort.signal);
  }

  /** The API's own address once its server listens (null: stopped before it did). */
  private async ownUrl(): Promise<string | null> {
    const server = this.http?.httpAdapter?.getHttpServer() as Server | undefined;
    if (!server) throw new Error('PROVISIONING in process needs the HTTP server');
    while (!server.listening) {
      if (this.abort.signal.aborted) return null;
      await new Promise<void>((resolve) => {
        const done = () => {
          server.off('listening', done);
          this.abort.signal.removeEventListener('abort', done);
          resolve();
        };
        server.once('listening', done);
        this.abort.signal.addEventListener('abort', done, { once: true });
      });
    }
    return urlOf(server);
  }

  private provider(): ProvisioningProvider {
    const provider = this.config.provider;
    return provider.kind === 'webhook' ? new WebhookProvider(provider) : new LogProvider(this.logger);
  }

  status(): SourceStatus | null {
    return this.source?.status() ?? null;
  }

  pingStore(): void {
    this.store?.ping();
  }

  listParked(): readonly ParkedProvisioning[] | null {
    return this.store ? this.store.listParked() : null;
  }

  /** An operator's retry of one parked event (feed source): one attempt; provisioned, it leaves the parked list. */
  async retryParked(eventId: string): Promise<RetryOutcome> {
    const entry = this.store?.parked(eventId);
    if (!entry || !this.worker) return { found: false };
    const result = await this.worker.retry(entry, this.abort.signal);
    if (result.ok) {
      this.store!.unpark(eventId);
      this.logger.log(`Provisioning retried parked ${entry.type} at position ${entry.position}: provisioned`, { eventId });
      return { found: true, ok: true, detail: null, attempts: entry.attempts + result.attempts };
    }
    const attempts = entry.attempts + result.attempts;
    this.store!.park({ ...entry, attempts, error: result.detail, lastAttemptAt: new Date().toISOString() });
    return { found: true, ok: false, detail: result.detail, attempts };
  }

  /** Replays the EventStoreDB group's parked events; false on the feed source (it retries one by one). */
  async replayParked(): Promise<boolean> {
    if (!(this.source instanceof PersistentSubscriptionConsumer)) return false;
    await this.source.replayParked();
    return true;
  }

  /** Before the HTTP server closes: in the API's process the worker's own calls to it end first. */
  async beforeApplicationShutdown(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.beforeApplicationShutdown();
    if (this.source instanceof PersistentSubscriptionConsumer) await this.source.close();
    this.store?.close();
  }
}
