import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toArray } from './event-store';
import { AppendOutcome, QueuedAppend, SqliteAppendBatch, openEventsDatabase, queuedAppend } from './sqlite-append-batch';
import { SqliteEventStore } from './sqlite-event-store';
import { checkStreamChains } from './stream-chain';
import { anEvent } from './testing/event-store.contract';

/**
 * The writer's cache of stream heads is bounded (least recently used streams evicted), and a
 * stream whose head was evicted is appended to as if it had been kept: its hash chain goes on
 * from its stored last event, and its expected revision is checked against the file.
 */
describe('SqliteAppendBatch stream heads', () => {
  let dir: string;
  let file: string;
  let db: Database.Database;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'al-es-heads-'));
    file = join(dir, 'events.db');
    db = openEventsDatabase(file);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const append = (streamId: string, expectedRevision: QueuedAppend['expectedRevision'], events = [anEvent()]): QueuedAppend => queuedAppend(streamId, expectedRevision, events);
  /** The outcome of one append committed alone. */
  const one = (batch: SqliteAppendBatch, queued: QueuedAppend): AppendOutcome => batch.commit([queued])[0];
  const chainsOnFile = async () => {
    const store = new SqliteEventStore({ file });
    try {
      return { report: await checkStreamChains(store.readAll()), events: (await toArray(store.readAll())).map((e) => [e.streamId, e.revision]) };
    } finally {
      await store.close();
    }
  };

  it('keeps no more heads than its bound, however many streams are appended to', () => {
    const batch = new SqliteAppendBatch(db, 1_000_000, 3);
    for (let i = 0; i < 10; i += 1) expect(one(batch, append(`s-${i}`, 'no_stream'))[0]).toBe(true);
    expect(batch.cachedHeads).toBe(3);
    // One batch writing more streams than the bound keeps the bound too.
    expect(batch.commit(Array.from({ length: 8 }, (_, i) => append(`t-${i}`, 'no_stream'))).every((outcome) => outcome[0])).toBe(true);
    expect(batch.cachedHeads).toBe(3);
  });

  it('chains and checks the expected revision of a stream whose head was evicted', async () => {
    const batch = new SqliteAppendBatch(db, 1_000_000, 1);
    const first = anEvent('First');
    expect(one(batch, append('evicted', 'no_stream', [first]))).toEqual([true, 0, 1]);
    // Another stream takes the only place: the first one's head is read from the file from now on.
    expect(one(batch, append('other', 'no_stream'))).toEqual([true, 0, 2]);

    const second = anEvent('Second');
    expect(one(batch, append('evicted', 0, [second]))).toEqual([true, 1, 3]);
    expect(one(batch, append('other', 'any'))).toEqual([true, 1, 4]);
    // A stale expected revision is refused with the stream's actual one, read from the file.
    expect(one(batch, append('evicted', 0))).toEqual([false, { kind: 'wrong-expected-revision', streamId: 'evicted', expected: 0, actual: 1 }]);
    expect(one(batch, append('evicted', 'no_stream'))).toEqual([false, { kind: 'wrong-expected-revision', streamId: 'evicted', expected: 'no_stream', actual: 1 }]);
    // A retried append is still recognised and answered as the first time.
    expect(one(batch, append('evicted', 0, [second]))).toEqual([true, 1, 3]);
    expect(one(batch, append('other', 'any'))).toEqual([true, 2, 5]);
    expect(one(batch, append('evicted', 1, [anEvent('Third'), anEvent('Fourth')]))).toEqual([true, 3, 7]);

    const { report, events } = await chainsOnFile();
    expect(report).toEqual({ events: 7, streams: 2, unhashed: 0, breaks: 0 });
    expect(events).toEqual([
      ['evicted', 0],
      ['other', 0],
      ['evicted', 1],
      ['other', 1],
      ['other', 2],
      ['evicted', 2],
      ['evicted', 3],
    ]);
  });
});
