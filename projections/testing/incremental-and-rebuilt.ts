import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStore, SqliteEventStore } from '@access-ledger/event-store';
import { Document, Projection, SqliteReadStore } from '@access-ledger/read-store';
import { ProjectionRunner, ensureRunnerCollections, rebuildProjection, waitForCheckpoints } from '@access-ledger/projection-runner';

/**
 * Runs `projection` live (in small batches, as the runner does while events arrive) on a fresh
 * embedded event store while `write` appends a history to it, then rebuilds the read model from
 * the whole log as `projections:rebuild` does, and returns the documents after each (in id
 * order). A projection whose documents depend on how the events were batched, or on anything
 * but the events, shows as a difference between the two.
 */
export async function incrementalAndRebuilt(projection: Projection<Document>, write: (events: EventStore) => Promise<void>) {
  const dir = mkdtempSync(join(tmpdir(), 'al-rebuilt-'));
  const events = new SqliteEventStore({ file: join(dir, 'events.db'), pollIntervalMs: 5 });
  const reads = new SqliteReadStore({ file: join(dir, 'read.db') });
  const documents = async () => (await reads.find<Document>(projection.collection.name, { sort: [{ field: 'id', direction: 'asc' }], pageSize: 10_000 })).items;
  try {
    await ensureRunnerCollections(reads);
    const runner = new ProjectionRunner(events, reads, [projection], { batchSize: 3 });
    await runner.start();
    try {
      await write(events);
      if (!(await waitForCheckpoints(reads, [projection.name], await events.headPosition(), 10_000))) throw new Error(`${projection.name} did not catch up with the log`);
    } finally {
      await runner.stop();
    }
    const incremental = await documents();
    const rebuild = await rebuildProjection(events, reads, projection, { batchSize: 500 });
    return { incremental, rebuilt: await documents(), events: rebuild.events };
  } finally {
    await events.close();
    await reads.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
