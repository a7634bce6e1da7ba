import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordedEvent } from '@access-ledger/core';
import { SqliteEventStore } from '@access-ledger/event-store';
import { Projection, SqliteReadStore } from '@access-ledger/read-store';
import { anEvent } from '../../event-store/src/testing/event-store.contract';
import Database from 'better-sqlite3';
import { ProjectionRunner, rebuildProjection, rebuildTargets, waitForCheckpoints } from './index';

/** Counts events per stream: applying any event twice would show as a wrong count. */
interface Tally extends Record<string, unknown> {
  stream: string;
  count: number;
  kinds: string[];
}
const tally: Projection<Tally> = {
  name: 'tally',
  collection: { name: 'tally', fields: ['stream', 'count'], indexes: [['count']] },
  handles: ['Counted', 'Reset'],
  parse: (e) => e,
  documentId: (e: RecordedEvent) => e.streamId,
  evolve: (doc, e) =>
    e.type === 'Reset'
      ? null
      : { stream: e.streamId, count: (doc?.count ?? 0) + 1, kinds: [...(doc?.kinds ?? []), String(e.data.kind)] },
};

describe('ProjectionRunner on the embedded stores', () => {
  let dir: string;
  let events: SqliteEventStore;
  let reads: SqliteReadStore;
  const open = () => {
    events = new SqliteEventStore({ file: join(dir, 'events.db'), pollIntervalMs: 10 });
    reads = new SqliteReadStore({ file: join(dir, 'read.db') });
  };
  const close = async () => {
    await events.close();
    await reads.close();
  };
  const caughtUp = async () => expect(await waitForCheckpoints(reads, ['tally'], await events.headPosition(), 5000)).toBe(true);
  const all = async () => (await reads.find<Tally>('tally', { sort: [{ field: 'stream', direction: 'asc' }], pageSize: 1000 })).items;
  const append = (stream: string, n: number, type = 'Counted') =>
    Promise.all(Array.from({ length: n }, (_, i) => events.appendToStream(stream, [anEvent(type, { kind: `k${i % 3}` })], { expectedRevision: 'any' })));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'al-runner-'));
    open();
  });
  afterEach(async () => {
    await close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('builds the read model from the log, catching up and then live, ignoring events it does not handle', async () => {
    await append('a-1', 30);
    await append('other-1', 5, 'Unrelated');
    const runner = new ProjectionRunner(events, reads, [tally]);
    await runner.start();
    await caughtUp();
    await append('a-2', 7);
    await append('a-1', 1, 'Reset');
    await append('b-1', 2);
    await caughtUp();
    await runner.stop();
    expect((await all()).map((d) => [d.stream, d.count])).toEqual([
      ['a-2', 7],
      ['b-1', 2],
    ]);
    const [status] = await runner.status();
    expect(status).toMatchObject({ name: 'tally', checkpoint: await events.headPosition(), lagEvents: 0 });
  });

  it('resumes from its checkpoint after a restart and applies nothing twice', async () => {
    await append('a-1', 40);
    let runner = new ProjectionRunner(events, reads, [tally], { batchSize: 7 });
    await runner.start();
    await caughtUp();
    await runner.stop();
    await close();
    open();
    await append('a-1', 10);
    runner = new ProjectionRunner(events, reads, [tally], { batchSize: 7 });
    await runner.start();
    await caughtUp();
    await runner.stop();
    expect((await all()).map((d) => d.count)).toEqual([50]);
  });

  it('rebuilds exactly the read model that incremental processing produced, also while the runner keeps going', async () => {
    await Promise.all([append('a-1', 60), append('b-1', 40), append('c-1', 25), append('n-1', 10, 'Unrelated')]);
    const runner = new ProjectionRunner(events, reads, [tally], { batchSize: 16 });
    await runner.start();
    await caughtUp();
    const incremental = await all();
    const progress: number[] = [];
    const result = await rebuildProjection(events, reads, tally, { batchSize: 10, onProgress: (p) => progress.push(p.events) });
    expect(result.events).toBe(135);
    expect(progress.length).toBeGreaterThan(1);
    expect(await all()).toEqual(incremental);
    // The live runner notices the promoted checkpoint and carries on on the new table.
    await append('a-1', 5);
    await caughtUp();
    await runner.stop();
    expect((await all()).find((d) => d.stream === 'a-1')?.count).toBe(65);
  });

  it('builds no batch on documents of a collection a promote replaced while the batch was read, also when the checkpoints are equal', async () => {
    await append('a-1', 3);
    // A promote that lands between the runner's read of the documents and its write, once.
    let promoteAfterRead: (() => Promise<void>) | null = null;
    const racing = new Proxy(reads, {
      get(target, key, receiver) {
        if (key !== 'getMany') return Reflect.get(target, key, receiver);
        return async (collection: string, ids: readonly string[]) => {
          const found = await target.getMany(collection, ids);
          const promote = promoteAfterRead;
          promoteAfterRead = null;
          await promote?.();
          return found;
        };
      },
    });
    const runner = new ProjectionRunner(events, racing, [tally]);
    await runner.start();
    await caughtUp();
    const head = await events.headPosition();
    // A rebuild caught up to the same head, whose a-1 differs from the live one's (a corrected projection, say).
    promoteAfterRead = async () => {
      await reads.ensureCollection({ ...tally.collection, name: 'tally__rebuild' });
      await reads.applyChanges('tally__rebuild', [{ op: 'upsert', collection: 'tally__rebuild', id: 'a-1', doc: { stream: 'a-1', count: 100, kinds: [] }, position: head }], head);
      await reads.promote({ from: 'tally__rebuild', to: 'tally', fromProjection: 'tally__rebuild', toProjection: 'tally' });
    };
    await append('a-1', 1);
    await caughtUp();
    await runner.stop();
    expect(promoteAfterRead).toBeNull();
    // The batch read a-1 (count 3) before the promote; written anyway, it would have made it 4 and undone the rebuild.
    expect((await all()).map((d) => [d.stream, d.count])).toEqual([['a-1', 101]]);
  });

  describe('a rebuild that fails or was killed', () => {
    const tables = () => {
      const db = new Database(join(dir, 'read.db'), { readonly: true });
      try {
        // The projection's own tables (the runners keep rm_parked_events and rm_consumer_progress beside them).
        return db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'rm_tally%' ORDER BY name").pluck().all();
      } finally {
        db.close();
      }
    };
    const targets = rebuildTargets(tally);

    it('leaves the live read model as it was and removes its half-built collection when it fails', async () => {
      await Promise.all([append('a-1', 30), append('b-1', 20)]);
      const runner = new ProjectionRunner(events, reads, [tally]);
      await runner.start();
      await caughtUp();
      await runner.stop();
      const live = await all();
      const checkpoint = await reads.getCheckpoint('tally');
      let seen = 0;
      const failing: Projection<Tally> = {
        ...tally,
        evolve: (doc, e) => {
          if ((seen += 1) > 25) throw new Error('projection bug');
          return tally.evolve(doc, e);
        },
      };
      await expect(rebuildProjection(events, reads, failing, { batchSize: 10 })).rejects.toThrow('projection bug');
      expect(seen).toBeGreaterThan(25);
      expect(await all()).toEqual(live);
      expect(await reads.getCheckpoint('tally')).toBe(checkpoint);
      expect(tables()).toEqual(['rm_tally']);
      expect(await reads.getCheckpoint(targets.checkpoint)).toBe(-1);
    });

    it('starts from a clean slate whatever a killed run left behind', async () => {
      await Promise.all([append('a-1', 30), append('b-1', 20)]);
      const runner = new ProjectionRunner(events, reads, [tally]);
      await runner.start();
      await caughtUp();
      await runner.stop();
      const live = await all();
      // What a run killed mid-way leaves: its collection, partly written, and its checkpoint. Here
      // also a document the log never produced and one stamped past the head, which would block
      // every later change to it if it stayed.
      await reads.ensureCollection({ ...tally.collection, name: targets.collection });
      await reads.applyChanges(
        targets.checkpoint,
        [
          { op: 'upsert', collection: targets.collection, id: 'ghost-1', doc: { stream: 'ghost-1', count: 99, kinds: [] }, position: 3 },
          { op: 'upsert', collection: targets.collection, id: 'a-1', doc: { stream: 'a-1', count: 1, kinds: [] }, position: 1_000_000 },
        ],
        40,
      );
      const result = await rebuildProjection(events, reads, tally, { batchSize: 10 });
      expect(result.events).toBe(50);
      expect(await all()).toEqual(live);
      expect(tables()).toEqual(['rm_tally']);
      expect(await reads.getCheckpoint(targets.checkpoint)).toBe(-1);
      expect(await reads.getCheckpoint('tally')).toBe(await events.headPosition());
    });
  });
});
