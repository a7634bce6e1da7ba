import {
  END,
  EventStoreDBClient,
  PARK,
  PINNED,
  PersistentSubscriptionExistsError,
  PersistentSubscriptionToAll,
  PersistentSubscriptionToAllResolvedEvent,
  RETRY,
  START,
  eventTypeFilter,
  persistentSubscriptionToAllSettingsFromDefaults,
} from '@eventstore/db-client';
import { EventMetadata, RecordedEvent } from '@access-ledger/core';
import { FeedEvent, feedEventOf } from '@access-ledger/feed';
import { PROVISIONING_EVENT_TYPES } from '@access-ledger/provisioning';
import { Sleep, sleep as realSleep } from '@access-ledger/projection-runner';
import { SourceStatus } from './feed-consumer';
import { ProvisioningLogger } from './providers';
import { ParkedProvisioning } from './store';
import { ProvisioningWorker } from './worker';

export interface PersistentSubscriptionOptions {
  readonly connectionString: string;
  /** The persistent subscription group every instance joins (competing consumers). */
  readonly group: string;
  readonly sleep?: Sleep;
  /** First pause before subscribing again after the subscription dropped; doubles up to 30 s. */
  readonly resubscribeDelayMs?: number;
  /** Where a group created by this process starts: the beginning of $all (default), or its end (tests on a shared server). */
  readonly startFrom?: 'start' | 'end';
}

const MAX_RESUBSCRIBE_DELAY_MS = 30_000;

/**
 * A delivered event as the feed would serve it: read back as the event store adapter reads
 * (libs/event-store: the commit position, metadata as appended), then the feed's own view of it.
 */
export const feedEventFrom = (resolved: PersistentSubscriptionToAllResolvedEvent): FeedEvent | null => {
  const event = resolved.event;
  if (!event || !event.isJson || !event.position) return null;
  const recorded: RecordedEvent = {
    eventId: event.id,
    type: event.type,
    streamId: event.streamId,
    revision: Number(event.revision),
    position: Number(event.position.commit),
    data: event.data,
    metadata: event.metadata as unknown as EventMetadata,
  };
  return feedEventOf(recorded);
};

/**
 * With EVENT_STORE=eventstoredb: an EventStoreDB persistent subscription group to $all, filtered
 * on the server to the provisioning event types. Every instance joins the same group (competing
 * consumers, `Pinned`: one stream's events go to one instance while it is connected, so a user's
 * deactivation and reactivation are not provisioned out of order). The server keeps the group's
 * checkpoint; an event is acked after its effect and its outcome report, nacked `park` when it
 * failed for good (after this process's own attempts and its `failed` report: the server's parked
 * stream, replayed by `POST /parked/replay`), and left unacked when the process stops (the server
 * gives it to another instance, or again after the message timeout). At least once, as the feed.
 */
export class PersistentSubscriptionConsumer {
  private readonly client: EventStoreDBClient;
  private readonly sleep: Sleep;
  private connected = false;
  private lastError: string | null = null;
  /** Events this instance finished (acked or parked): how competing instances shared the load. */
  handled = 0;

  constructor(
    private readonly worker: ProvisioningWorker,
    private readonly logger: ProvisioningLogger,
    private readonly options: PersistentSubscriptionOptions,
  ) {
    this.client = EventStoreDBClient.connectionString(options.connectionString);
    this.sleep = options.sleep ?? realSleep;
  }

  status(): SourceStatus {
    return { kind: 'eventstoredb', connected: this.connected, lastError: this.lastError, checkpoint: null, lagEvents: null, parked: null };
  }

  /** Creates the group from the start of $all when it does not exist yet (every instance tries; one wins). */
  async ensureGroup(): Promise<void> {
    try {
      await this.client.createPersistentSubscriptionToAll(
        this.options.group,
        persistentSubscriptionToAllSettingsFromDefaults({
          startFrom: this.options.startFrom === 'end' ? END : START,
          consumerStrategyName: PINNED,
          // Our own attempts come first (with backoff); the server's retries are for messages whose consumer went away.
          messageTimeout: 10 * 60_000,
          maxRetryCount: 10,
        }),
        { filter: eventTypeFilter({ prefixes: [...PROVISIONING_EVENT_TYPES] }) },
      );
      this.logger.log(`Created the persistent subscription group ${this.options.group} on $all`);
    } catch (error) {
      if (!(error instanceof PersistentSubscriptionExistsError)) throw error;
    }
  }

  async run(signal: AbortSignal): Promise<void> {
    let delay = this.options.resubscribeDelayMs ?? 500;
    while (!signal.aborted) {
      let subscription: PersistentSubscriptionToAll | undefined;
      const unsubscribe = () => void subscription?.unsubscribe().catch(() => undefined);
      try {
        await this.ensureGroup();
        subscription = this.client.subscribeToPersistentSubscriptionToAll(this.options.group, { bufferSize: 10 });
        signal.addEventListener('abort', unsubscribe, { once: true });
        this.connected = true;
        this.lastError = null;
        for await (const resolved of subscription) {
          delay = this.options.resubscribeDelayMs ?? 500;
          if (!(await this.handle(subscription, resolved, signal))) break;
        }
      } catch (error) {
        if (signal.aborted) break;
        this.lastError = (error as Error).message;
        this.logger.warn(`Provisioning's persistent subscription ${this.options.group} dropped (${this.lastError}); subscribing again`);
      } finally {
        this.connected = false;
        signal.removeEventListener('abort', unsubscribe);
        unsubscribe();
      }
      await this.sleep(delay, signal);
      delay = Math.min(MAX_RESUBSCRIBE_DELAY_MS, delay * 2);
    }
  }

  /** One delivered event: false when the worker stopped before its outcome (it is left unacked). */
  private async handle(subscription: PersistentSubscriptionToAll, resolved: PersistentSubscriptionToAllResolvedEvent, signal: AbortSignal): Promise<boolean> {
    const event = feedEventFrom(resolved);
    if (!event) {
      await subscription.ack(resolved);
      return true;
    }
    let parked: ParkedProvisioning | undefined;
    let outcome;
    try {
      outcome = await this.worker.process(event, signal, { parked: () => undefined, park: (entry) => void (parked = entry) });
    } catch (error) {
      // Not a failed action (those are parked): something in between; let the server deliver it again.
      await subscription.nack(RETRY, (error as Error).message.slice(0, 500), resolved);
      return true;
    }
    if (outcome === 'aborted') return false;
    this.handled += 1;
    if (outcome === 'parked') await subscription.nack(PARK, (parked?.error ?? 'failed').slice(0, 500), resolved);
    else await subscription.ack(resolved);
    return true;
  }

  /** Replays the group's parked events through the subscription (`POST /parked/replay`). */
  async replayParked(): Promise<void> {
    await this.client.replayParkedMessagesToAll(this.options.group);
  }

  async close(): Promise<void> {
    await this.client.dispose();
  }
}

