import { DomainEvent, Recorded } from '@access-ledger/core';
import { EventStore } from '@access-ledger/event-store';

/** Appends a spec's history to a real event store, one event at a time, in its order (for `incrementalAndRebuilt`). */
export const appendHistory = async (store: EventStore, history: readonly Recorded<DomainEvent>[]) => {
  for (const { eventId, type, data, metadata, streamId } of history) await store.appendToStream(streamId, [{ eventId, type, data, metadata }], { expectedRevision: 'any' });
};
