import { EventStore, toArray } from '@access-ledger/event-store';
import { Document, Projection, ReadStore, projectBatch, touchedIds } from '@access-ledger/read-store';

export interface RebuildProgress {
  readonly position: number;
  readonly head: number;
  readonly events: number;
}

/**
 * Events per write transaction. A rebuild usually runs beside a live runner writing the
 * same store; on the embedded store only one of them can write at a time, so each batch
 * is kept about as small as the runner's (500) to bound how long the other one waits.
 */
export const REBUILD_BATCH_SIZE = 500;

/** Where a rebuild of `projection` builds its collection and records its progress. */
export const rebuildTargets = (projection: Projection<Document>) => ({
  collection: `${projection.collection.name}__rebuild`,
  checkpoint: `${projection.name}__rebuild`,
});

/**
 * Rebuilds a read model from position 0 into a fresh collection and promotes it in place
 * of the live one once caught up, so readers never see a half-built table. A live runner
 * elsewhere notices the moved checkpoint on its next batch and resumes from it.
 *
 * The live collection and checkpoint are touched only by the final promote (one
 * transaction on SQLite). Whatever an earlier run left behind — a half-built collection, its
 * checkpoint — is reset at the start, so a run killed mid-way is cleaned up by the next
 * one; a run that fails removes its half-built collection itself.
 */
export async function rebuildProjection(
  events: EventStore,
  readStore: ReadStore,
  projection: Projection<Document>,
  options: { batchSize?: number; onProgress?: (progress: RebuildProgress) => void } = {},
): Promise<RebuildProgress> {
  const { collection, checkpoint: name } = rebuildTargets(projection);
  const reset = async () => {
    await readStore.dropCollection(collection);
    await readStore.applyChanges(name, [], -1);
  };
  await reset();
  await readStore.ensureCollection({ ...projection.collection, name: collection });
  let checkpoint = -1;
  let processed = 0;
  let head = await events.headPosition();
  try {
    for (;;) {
      const batch = await toArray(events.readAll({ fromPosition: checkpoint + 1, maxCount: options.batchSize ?? REBUILD_BATCH_SIZE }));
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
  } catch (error) {
    // Best effort: the next run resets these anyway, and the original error is what matters.
    await reset().catch(() => undefined);
    throw error;
  }
  return { position: checkpoint, head, events: processed };
}
