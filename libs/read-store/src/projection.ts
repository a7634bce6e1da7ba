import { DomainEvent, Recorded, RecordedEvent } from '@access-ledger/core';
import { Change, CheckpointMovedError, CollectionSpec, Document, ReadStore } from './read-store';

/**
 * A read model as pure functions: which events it handles, how a stored one is read (the
 * catalogue of the context whose events it follows: checked, upcast to the current shape),
 * which document an event changes, and how. Independent of the store that runs it; `evolve`
 * never throws on an event its catalogue has read. A stored event the catalogue cannot read
 * throws MalformedEventError out of `projectBatch`: the batch fails, as any other failure of it.
 */
export interface Projection<D extends Document = Document, E extends DomainEvent = DomainEvent> {
  /** Checkpoint key; also the name used by `projections:rebuild`. Equal to the collection's name. */
  readonly name: string;
  /** Names this read model had before, whose checkpoint it takes over once (`adoptFormerCheckpoint`). */
  readonly formerNames?: readonly string[];
  readonly collection: CollectionSpec;
  readonly handles: readonly E['type'][];
  /** Reads a stored event of a handled type as the typed event (the context catalogue's `parse`). */
  readonly parse: (recorded: RecordedEvent) => Recorded<E>;
  /** The document an event changes, or null when it changes none. */
  documentId(event: Recorded<E>): string | null;
  evolve(doc: D | null, event: Recorded<E>): D | null;
}

/** The events of a batch this projection handles, read through its catalogue. */
const handled = <E extends DomainEvent>(projection: Projection<Document, E>, events: readonly RecordedEvent[]): Recorded<E>[] =>
  events.filter((event) => projection.handles.some((type) => type === event.type)).map(projection.parse);

/**
 * Folds a batch of events into at most one change per document, each carrying the
 * position of the last event that touched it: re-applying the batch after a crash is a
 * no-op at the store (its per-document position guard), never a double application.
 */
export function projectBatch<D extends Document, E extends DomainEvent>(
  projection: Projection<D, E>,
  current: ReadonlyMap<string, D>,
  events: readonly RecordedEvent[],
  collection: string = projection.collection.name,
): Change[] {
  const working = new Map<string, { doc: D | null; position: number }>();
  for (const event of handled(projection, events)) {
    const id = projection.documentId(event);
    if (id === null) continue;
    const before = working.has(id) ? working.get(id)!.doc : (current.get(id) ?? null);
    working.set(id, { doc: projection.evolve(before, event), position: event.position });
  }
  return [...working.entries()].map(([id, { doc, position }]): Change =>
    doc === null ? { op: 'delete', collection, id, position } : { op: 'upsert', collection, id, doc, position },
  );
}

/** The ids a batch touches, so the runner can load them in one read. */
export const touchedIds = <E extends DomainEvent>(projection: Projection<any, E>, events: readonly RecordedEvent[]): string[] => [
  ...new Set(
    handled(projection, events)
      .map((e) => projection.documentId(e))
      .filter((id): id is string => id !== null),
  ),
];

/**
 * A renamed read model keeps its progress: when its name has no checkpoint yet and one of its
 * former names has one, that checkpoint becomes its own (its collection is the same, and its
 * documents are exactly that far). Without this the runner would replay the log from the start
 * into those documents, and a batch holding both events already applied and new ones would apply
 * the old ones again (the position guard skips a change only when all its events are old): the
 * counters would count twice. Call before the projection runs; safe to call at every start and
 * from several processes at once (the first wins, the others find the checkpoint moved).
 * Returns the checkpoint taken over, or null when there was nothing to take over.
 */
export async function adoptFormerCheckpoint(store: ReadStore, projection: Pick<Projection<any, any>, 'name' | 'formerNames'>): Promise<number | null> {
  if ((await store.getCheckpoint(projection.name)) !== -1) return null;
  for (const former of projection.formerNames ?? []) {
    const checkpoint = await store.getCheckpoint(former);
    if (checkpoint === -1) continue;
    try {
      await store.applyChanges(projection.name, [], checkpoint, { expectedCheckpoint: -1 });
      return checkpoint;
    } catch (error) {
      if (error instanceof CheckpointMovedError) return null;
      throw error;
    }
  }
  return null;
}
