import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordedEvent } from '@access-ledger/core';
import { Document, Projection, SqliteReadStore, projectBatch, touchedIds } from '@access-ledger/read-store';

/**
 * Applies `history`, then `event`, then `event` again, each as the projection runner would
 * (one batch, changes written with the checkpoint through the real read store and its
 * position guard), and returns the documents after the first and after the second delivery.
 * At-least-once delivery re-sends a batch after a crash: the two must be equal.
 */
export async function appliedTwice(projection: Projection<Document>, history: readonly RecordedEvent[], event: RecordedEvent) {
  const dir = mkdtempSync(join(tmpdir(), 'al-twice-'));
  const store = new SqliteReadStore({ file: join(dir, 'read.db') });
  try {
    await store.ensureCollection(projection.collection);
    const deliver = async (batch: readonly RecordedEvent[]) => {
      const ids = touchedIds(projection, batch);
      const current = ids.length > 0 ? await store.getMany<Document>(projection.collection.name, ids) : new Map();
      await store.applyChanges(projection.name, projectBatch(projection, current, batch), batch[batch.length - 1].position);
    };
    for (const past of history) await deliver([past]);
    const snapshot = async () => (await store.find<Document>(projection.collection.name, { pageSize: 100 })).items;
    await deliver([event]);
    const once = await snapshot();
    await deliver([event]);
    return { once, twice: await snapshot() };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
