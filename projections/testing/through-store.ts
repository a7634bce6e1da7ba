import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordedEvent } from '@access-ledger/core';
import { Document, Projection, SqliteReadStore, projectBatch, touchedIds } from '@access-ledger/read-store';

export interface StoreDelivery {
  /** Delivers one batch as the projection runner does: the touched documents read, folded, written with the checkpoint through the real store and its position guard. */
  deliver(batch: readonly RecordedEvent[]): Promise<void>;
  /** Every document of the collection, by id. */
  snapshot(): Promise<Document[]>;
}

/** Runs `use` against a fresh SQLite read store holding the projection's collection, then removes it. */
export async function throughStore<T>(projection: Projection<Document>, use: (store: StoreDelivery) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'al-projection-'));
  const store = new SqliteReadStore({ file: join(dir, 'read.db') });
  try {
    await store.ensureCollection(projection.collection);
    return await use({
      deliver: async (batch) => {
        const ids = touchedIds(projection, batch);
        const current = ids.length > 0 ? await store.getMany<Document>(projection.collection.name, ids) : new Map();
        await store.applyChanges(projection.name, projectBatch(projection, current, batch), batch[batch.length - 1].position);
      },
      snapshot: async () => (await store.find<Document>(projection.collection.name, { sort: [{ field: 'id', direction: 'asc' }], pageSize: 100 })).items,
    });
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The documents after delivering `events` in batches of `size` (a rebuild reads the log in batches of 500; the live runner in whatever was ready). */
export const deliveredInBatches = (projection: Projection<Document>, events: readonly RecordedEvent[], size: number) =>
  throughStore(projection, async (store) => {
    for (let i = 0; i < events.length; i += size) await store.deliver(events.slice(i, i + size));
    return store.snapshot();
  });
