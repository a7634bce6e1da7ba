import { RecordedEvent } from '@access-ledger/core';
import { Change, CollectionSpec, Document } from './read-store';

/**
 * A read model as pure functions: which events it handles, which document an event
 * changes, and how. Independent of the store that runs it; `evolve` never throws on an
 * event already recorded (an unexpected shape is ignored rather than blocking the log).
 */
export interface Projection<D extends Document = Document> {
  /** Checkpoint key; also the name used by `projections:rebuild`. */
  readonly name: string;
  readonly collection: CollectionSpec;
  readonly handles: readonly string[];
  /** The document an event changes, or null when it changes none. */
  documentId(event: RecordedEvent): string | null;
  evolve(doc: D | null, event: RecordedEvent): D | null;
}

/**
 * Folds a batch of events into at most one change per document, each carrying the
 * position of the last event that touched it: re-applying the batch after a crash is a
 * no-op at the store (its per-document position guard), never a double application.
 */
export function projectBatch<D extends Document>(
  projection: Projection<D>,
  current: ReadonlyMap<string, D>,
  events: readonly RecordedEvent[],
  collection: string = projection.collection.name,
): Change[] {
  const working = new Map<string, { doc: D | null; position: number }>();
  for (const event of events) {
    if (!projection.handles.includes(event.type)) continue;
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
export const touchedIds = (projection: Projection<any>, events: readonly RecordedEvent[]): string[] => [
  ...new Set(
    events
      .filter((e) => projection.handles.includes(e.type))
      .map((e) => projection.documentId(e))
      .filter((id): id is string => id !== null),
  ),
];
