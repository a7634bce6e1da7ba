import { EventStore } from '@access-ledger/event-store';
import { Document, Projection, ReadStore, projectBatch, touchedIds } from '@access-ledger/read-store';

export interface RebuildProgress {
  readonly position: number;
  readonly head: number;
  readonly events: number;
}

/**
 * Rebuilds a read model from position 0 into a fresh collection and promotes it in place
 * of the live one once caught up, so readers never see a half-built table. A live runner
 * elsewhere notices the moved checkpoint on its next batch and resumes from it.
 */
export async function rebuildProjection(
  events: EventStore,
  readStore: ReadStore,
  projection: Projection<Document>,
  options: { batchSize?: number; onProgress?: (progress: RebuildProgress) => void } = {},
): Promise<RebuildProgress> {
  const collection = `${projection.collection.name}__rebuild`;
  const name = `${projection.name}__rebuild`;
  await readStore.dropCollection(collection);
  await readStore.ensureCollection({ ...projection.collection, name: collection });
  await readStore.applyChanges(name, [], -1);
  let checkpoint = -1;
  let processed = 0;
  let head = await events.headPosition();
  for (;;) {
    const batch = await events.readAll({ fromPosition: checkpoint + 1, maxCount: options.batchSize ?? 2000 });
    if (batch.length === 0) {
      // Caught up with what was there when we looked; look once more for late appends.
      const latest = await events.headPosition();
      if (latest <= checkpoint || latest === head) break;
      head = latest;
      continue;
    }
    const ids = touchedIds(projection, batch);
    const current = ids.length > 0 ? await readStore.getMany<Document>(collection, ids) : new Map();
    const last = batch[batch.length - 1].position;
    await readStore.applyChanges(name, projectBatch(projection, current, batch, collection), last);
    checkpoint = last;
    processed += batch.length;
    head = Math.max(head, last);
    options.onProgress?.({ position: checkpoint, head, events: processed });
  }
  await readStore.promote({ from: collection, to: projection.collection.name, fromProjection: name, toProjection: projection.name });
  return { position: checkpoint, head, events: processed };
}
