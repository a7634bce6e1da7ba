import { RecordedEvent } from '@access-ledger/core';
import { EventStore } from '@access-ledger/event-store';
import { Change, CollectionSpec, ReadStore } from '@access-ledger/read-store';

/**
 * Beside each consumer's checkpoint, in the same `applyChanges` call, the runner keeps when the
 * last event it processed occurred, so any process (the API while the projector runs them)
 * can tell how far behind a consumer is without reading the log.
 */
export interface ConsumerProgress extends Record<string, unknown> {
  readonly consumer: string;
  /** Position of the last event processed. */
  readonly position: number;
  /** Its `metadata.occurredAt`. */
  readonly occurredAt: string;
}

export const CONSUMER_PROGRESS: CollectionSpec = { name: 'consumer_progress', fields: [] };

/** The progress document a batch ending with `last` writes (stamped with its position, like every change). */
export const progressChange = (consumer: string, last: RecordedEvent): Change => ({
  op: 'upsert',
  collection: CONSUMER_PROGRESS.name,
  id: consumer,
  doc: { consumer, position: last.position, occurredAt: last.metadata.occurredAt } satisfies ConsumerProgress,
  position: last.position,
});

export interface ConsumerLag {
  readonly name: string;
  /** Last position processed (-1: nothing yet). */
  readonly checkpoint: number;
  /** The head of the log as the store knows it for lag reporting (EventStore.head). */
  readonly head: number;
  /**
   * Events after the checkpoint up to the head (0 when caught up), or null where the store cannot count them without
   * reading the log (EventStoreDB, for a checkpoint older than its head tracker): lag is then reported in seconds only.
   */
  readonly lagEvents: number | null;
  /**
   * 0 when caught up; otherwise how old the oldest unprocessed event is at most: the time since
   * the later of when the last processed event occurred and when this process last saw the
   * consumer caught up (events are appended in the order they occur, so the next one occurred
   * after both).
   */
  readonly lagSeconds: number;
}

export interface LagMonitorOptions {
  /** Milliseconds since the epoch; tests pass a fixed clock. */
  readonly now?: () => number;
}

/**
 * Computes lag from the store's head (EventStore.head: a query on SQLite, a tracker kept by one
 * subscription on EventStoreDB), the stored checkpoints and progress documents, and what this
 * process has seen, not from the log: a scrape reads no event. Only
 * when nothing at all is known about a consumer that is behind (no progress document: it has
 * processed nothing since this release, or a rebuild promoted its checkpoint, and this process
 * never saw it caught up) is its first unprocessed event read, once per checkpoint.
 */
export class LagMonitor {
  private readonly now: () => number;
  private readonly seenCaughtUpAt = new Map<string, number>();
  private readonly firstUnprocessed = new Map<string, { readonly checkpoint: number; readonly occurredAt: number | undefined }>();

  constructor(
    private readonly events: EventStore,
    private readonly readStore: ReadStore,
    options: LagMonitorOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  async lag(names: readonly string[]): Promise<ConsumerLag[]> {
    if (names.length === 0) return [];
    const snapshot = await this.events.head();
    const head = snapshot.position;
    const [checkpoints, progress] = await Promise.all([
      Promise.all(names.map((name) => this.readStore.getCheckpoint(name))),
      this.readStore.getMany<ConsumerProgress>(CONSUMER_PROGRESS.name, names),
    ]);
    const now = this.now();
    return Promise.all(
      names.map(async (name, i) => {
        const checkpoint = checkpoints[i];
        if (checkpoint >= head) {
          this.seenCaughtUpAt.set(name, now);
          return { name, checkpoint, head, lagEvents: 0, lagSeconds: 0 };
        }
        // A progress document ahead of the checkpoint belongs to events a promoted rebuild moved the checkpoint back over.
        const stored = progress.get(name);
        const lastOccurred = stored && stored.position <= checkpoint ? Date.parse(stored.occurredAt) : undefined;
        const caughtUp = this.seenCaughtUpAt.get(name);
        const known = [lastOccurred, caughtUp].filter((t): t is number => t !== undefined && Number.isFinite(t));
        const since = known.length > 0 ? Math.max(...known) : await this.firstUnprocessedAt(name, checkpoint);
        const lagSeconds = since === undefined ? 0 : Math.max(0, (now - since) / 1000);
        return { name, checkpoint, head, lagEvents: snapshot.eventsAfter(checkpoint), lagSeconds };
      }),
    );
  }

  private async firstUnprocessedAt(name: string, checkpoint: number): Promise<number | undefined> {
    const cached = this.firstUnprocessed.get(name);
    if (cached?.checkpoint === checkpoint) return cached.occurredAt;
    let occurredAt: number | undefined;
    for await (const event of this.events.readAll({ fromPosition: checkpoint + 1, maxCount: 1 })) occurredAt = Date.parse(event.metadata.occurredAt);
    this.firstUnprocessed.set(name, { checkpoint, occurredAt });
    return occurredAt;
  }
}
