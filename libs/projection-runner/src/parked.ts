import { RecordedEvent } from '@access-ledger/core';
import { Change, CheckpointMovedError, CollectionSpec, ReadStore } from '@access-ledger/read-store';

export type ConsumerKind = 'projection' | 'reactor';

/**
 * An event a consumer gave up on after its bounded attempts: the runner recorded it and went
 * on with the next one. `npm run reactors:retry -- <consumer> <position>` tries it once more.
 */
export interface ParkedEvent extends Record<string, unknown> {
  /** The projection or reactor, by name. */
  readonly consumer: string;
  readonly kind: ConsumerKind;
  readonly position: number;
  readonly eventId: string;
  readonly type: string;
  readonly streamId: string;
  /** The last attempt's error message. */
  readonly error: string;
  readonly attempts: number;
  readonly parkedAt: string;
  readonly lastAttemptAt: string;
}

/** Parked events are an ordinary read-store collection, one document per consumer and position. */
export const PARKED_EVENTS: CollectionSpec = {
  name: 'parked_events',
  fields: ['consumer', 'kind', 'position'],
  indexes: [['consumer', 'position']],
};

/**
 * The key under which the collection's writes are numbered. The read store applies a change to
 * a document only when its position is above the one the document was last written with, so
 * every write here is stamped with the next number of this sequence (kept as a checkpoint, and
 * advanced with `expectedCheckpoint`), whoever writes: the runner parking, or the retry command
 * in another process updating or removing an entry.
 */
const SEQUENCE = 'parked_events';

/** Names a projection or reactor may not take: their checkpoint keys are used by the runners. */
export const RESERVED_CONSUMER_NAMES: readonly string[] = [SEQUENCE];

const idOf = (consumer: string, position: number) => `${consumer}@${position}`;

export const parkedEntry = (
  consumer: string,
  kind: ConsumerKind,
  event: RecordedEvent,
  error: string,
  attempts: number,
  now: Date,
): ParkedEvent => ({
  consumer,
  kind,
  position: event.position,
  eventId: event.eventId,
  type: event.type,
  streamId: event.streamId,
  error,
  attempts,
  parkedAt: now.toISOString(),
  lastAttemptAt: now.toISOString(),
});

export class ParkedEvents {
  constructor(private readonly store: ReadStore) {}

  /** Creates the collection when missing; every process that reads or writes it calls this at start. */
  ensure(): Promise<void> {
    return this.store.ensureCollection(PARKED_EVENTS);
  }

  /** Records (or records again, as after a restart) the entries; an entry keeps its first `parkedAt`. */
  async park(entries: readonly ParkedEvent[]): Promise<void> {
    if (entries.length === 0) return;
    const existing = await this.store.getMany<ParkedEvent>(PARKED_EVENTS.name, entries.map((e) => idOf(e.consumer, e.position)));
    await this.write((stamp) =>
      entries.map((entry): Change => {
        const id = idOf(entry.consumer, entry.position);
        const doc = { ...entry, parkedAt: existing.get(id)?.parkedAt ?? entry.parkedAt };
        return { op: 'upsert', collection: PARKED_EVENTS.name, id, doc, position: stamp };
      }),
    );
  }

  get(consumer: string, position: number): Promise<ParkedEvent | null> {
    return this.store.get<ParkedEvent>(PARKED_EVENTS.name, idOf(consumer, position));
  }

  /** The first `limit` entries of a consumer, by position. */
  async list(consumer: string, limit = 100): Promise<ParkedEvent[]> {
    const page = await this.store.find<ParkedEvent>(PARKED_EVENTS.name, {
      where: { consumer },
      sort: [{ field: 'position', direction: 'asc' }],
      pageSize: limit,
      skipTotal: true,
    });
    return page.items;
  }

  /** Parked events per consumer (consumers with none are absent). */
  counts(): Promise<Record<string, number>> {
    return this.store.countBy(PARKED_EVENTS.name, 'consumer');
  }

  async remove(consumer: string, position: number): Promise<void> {
    await this.write((stamp) => [{ op: 'delete', collection: PARKED_EVENTS.name, id: idOf(consumer, position), position: stamp }]);
  }

  /** Removes a consumer's entries at or below `position` (a rebuild replayed them without an error); returns how many. */
  async removeUpTo(consumer: string, position: number): Promise<number> {
    let removed = 0;
    for (;;) {
      const batch = (await this.list(consumer, 500)).filter((e) => e.position <= position);
      if (batch.length === 0) return removed;
      await this.write((stamp) => batch.map((e): Change => ({ op: 'delete', collection: PARKED_EVENTS.name, id: idOf(e.consumer, e.position), position: stamp })));
      removed += batch.length;
    }
  }

  /** One numbered write; when another writer took the number first, it is taken again. */
  private async write(changes: (stamp: number) => Change[]): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      const last = await this.store.getCheckpoint(SEQUENCE);
      try {
        await this.store.applyChanges(SEQUENCE, changes(last + 1), last + 1, { expectedCheckpoint: last });
        return;
      } catch (error) {
        if (!(error instanceof CheckpointMovedError) || attempt >= 20) throw error;
      }
    }
  }
}
