import { RecordedEvent } from '@access-ledger/core';
import { EventStore } from '@access-ledger/event-store';
import { CheckpointMovedError, Change, Document, Projection, ReadStore } from '@access-ledger/read-store';
import { ParkedEvent, ParkedEvents } from './parked';
import { Reactor } from './reactor-runner';
import { errorMessage } from './retry';
import { ensureRunnerCollections } from './subscription-runner';

export type ParkedConsumer = { readonly kind: 'projection'; readonly projection: Projection<any> } | { readonly kind: 'reactor'; readonly reactor: Reactor };

export interface RetryOutcome {
  /** True when the event went through and its entry is gone from the parked list. */
  readonly ok: boolean;
  /** One line for the operator. */
  readonly message: string;
}

/**
 * Runs one parked event once more for its reactor (or projection) and, when that succeeds,
 * removes it from the parked list; a failure records the attempt and leaves it parked.
 *
 * A reactor's `react` is simply called again (it is idempotent by event id). A projection's
 * `evolve` is applied to the document as it is now, which is what the runner would have done
 * only if no later event has changed that document since: otherwise applying it now would
 * apply it out of order, so it is refused, and a rebuild (which replays every event in order)
 * is the way to repair the read model.
 */
export async function retryParked(events: EventStore, readStore: ReadStore, consumer: ParkedConsumer, position: number): Promise<RetryOutcome> {
  await ensureRunnerCollections(readStore);
  const parked = new ParkedEvents(readStore);
  const name = consumer.kind === 'projection' ? consumer.projection.name : consumer.reactor.name;
  const entry = await parked.get(name, position);
  if (!entry) return { ok: false, message: `${name} has no parked event at position ${position}` };
  let event: RecordedEvent | undefined;
  for await (const e of events.readAll({ fromPosition: position, maxCount: 1 })) event = e;
  if (!event || event.position !== position || event.eventId !== entry.eventId) {
    return { ok: false, message: `The event store has no event ${entry.eventId} at position ${position} (is this the store the entry was parked from?); the entry is left as it is` };
  }
  const what = `${name} at position ${position} (${event.type} ${event.eventId})`;
  const failed = async (error: unknown): Promise<RetryOutcome> => {
    const now = new Date().toISOString();
    await parked.park([{ ...entry, error: errorMessage(error), attempts: entry.attempts + 1, lastAttemptAt: now }]);
    return { ok: false, message: `${what} failed again: ${errorMessage(error)}; it stays parked (${entry.attempts + 1} attempts)` };
  };

  if (consumer.kind === 'reactor') {
    try {
      await consumer.reactor.react(event, { attempt: entry.attempts + 1, signal: new AbortController().signal });
    } catch (error) {
      return failed(error);
    }
    await parked.remove(name, position);
    return { ok: true, message: `${what} went through; removed from the parked list` };
  }
  return retryProjection(readStore, parked, events, consumer.projection, entry, event, what, failed);
}

async function retryProjection(
  readStore: ReadStore,
  parked: ParkedEvents,
  events: EventStore,
  projection: Projection<Document>,
  entry: ParkedEvent,
  event: RecordedEvent,
  what: string,
  failed: (error: unknown) => Promise<RetryOutcome>,
): Promise<RetryOutcome> {
  for (let attempt = 1; ; attempt += 1) {
    const checkpoint = await readStore.getCheckpoint(projection.name);
    if (checkpoint < event.position) {
      return { ok: false, message: `${projection.name} has not yet passed position ${event.position} (checkpoint ${checkpoint}); retry once it has` };
    }
    let id: string | null;
    try {
      id = projection.handles.includes(event.type) ? projection.documentId(event) : null;
    } catch (error) {
      return failed(error);
    }
    if (id === null) {
      await parked.remove(projection.name, event.position);
      return { ok: true, message: `${what}: the projection no longer changes any document for this event; removed from the parked list` };
    }
    const later = await laterChangeOf(events, parked, projection, id, event.position, checkpoint);
    if (later) {
      return {
        ok: false,
        message:
          `${what}: document ${id} was changed by a later event (position ${later.position}, ${later.type}), so applying this one now would apply it out of order. ` +
          `Rebuild the read model instead: npm run projections:rebuild -- ${projection.name} (it replays every event in order and clears the parked events it replayed)`,
      };
    }
    let doc: Document | null;
    try {
      doc = projection.evolve(await readStore.get<Document>(projection.collection.name, id), event);
    } catch (error) {
      return failed(error);
    }
    const collection = projection.collection.name;
    const change: Change = doc === null ? { op: 'delete', collection, id, position: event.position } : { op: 'upsert', collection, id, doc, position: event.position };
    try {
      // The checkpoint stays; expecting it makes sure no batch touched the document since we looked.
      await readStore.applyChanges(projection.name, [change], checkpoint, { expectedCheckpoint: checkpoint });
    } catch (error) {
      if (error instanceof CheckpointMovedError && attempt < 10) continue;
      throw error;
    }
    await parked.remove(projection.name, event.position);
    return { ok: true, message: `${what} went through: document ${id} updated; removed from the parked list` };
  }
}

/**
 * The first event after `after`, up to `upTo`, that changed document `id` of the projection;
 * events parked themselves changed nothing (retry them after this one, in position order).
 */
async function laterChangeOf(
  events: EventStore,
  parked: ParkedEvents,
  projection: Projection<Document>,
  id: string,
  after: number,
  upTo: number,
): Promise<RecordedEvent | undefined> {
  for await (const event of events.readAll({ fromPosition: after + 1, filter: { eventTypes: projection.handles } })) {
    if (event.position > upTo) return undefined;
    let touched: string | null = null;
    try {
      touched = projection.documentId(event);
    } catch {
      // An event it cannot place is parked on its own and changed no document.
    }
    if (touched === id && !(await parked.get(projection.name, event.position))) return event;
  }
  return undefined;
}
