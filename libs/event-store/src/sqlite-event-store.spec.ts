import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from './sqlite-event-store';
import { STREAM_CHAIN_START, checkStreamChains, streamHashOf } from './stream-chain';
import { anEvent, describeEventStoreContract } from './testing/event-store.contract';

const dir = mkdtempSync(join(tmpdir(), 'al-es-'));

describeEventStoreContract('sqlite', {
  open: async () => new SqliteEventStore({ file: join(dir, 'events.db'), pollIntervalMs: 20 }),
  dispose: async () => rmSync(dir, { recursive: true, force: true }),
});

describe('SqliteEventStore reads', () => {
  let own: string;
  let store: SqliteEventStore;
  beforeAll(() => {
    own = mkdtempSync(join(tmpdir(), 'al-es-read-'));
    store = new SqliteEventStore({ file: join(own, 'events.db') });
  });
  afterAll(async () => {
    await store.close();
    rmSync(own, { recursive: true, force: true });
  });

  // Had the read loaded its 5,000 events when it started, an event appended later could not be in it.
  it.each([
    ['without a filter', undefined],
    ['with a filter', { eventTypes: ['Bulk', 'Late'] }],
  ])('reads page by page as the reader pulls (%s): an event appended while the read is paused is in it', async (_, filter) => {
    const start = (await store.headPosition()) + 1;
    await Promise.all(Array.from({ length: 50 }, (_, s) => store.appendToStream(`bulk-${start}-${s}`, Array.from({ length: 100 }, () => anEvent('Bulk')), { expectedRevision: 'no_stream' })));
    const reading = store.readAll({ fromPosition: start, filter })[Symbol.asyncIterator]();
    expect((await reading.next()).value.position).toBe(start);
    const late = anEvent('Late');
    await store.appendToStream(`late-${start}`, [late], { expectedRevision: 'no_stream' });
    let last;
    for (let result = await reading.next(); !result.done; result = await reading.next()) last = result.value;
    expect(last?.eventId).toBe(late.eventId);
  });
});

describe('SqliteEventStore head for lag', () => {
  it('counts exactly the events after a position (positions are dense), a refused append leaving no gap', async () => {
    const own = mkdtempSync(join(tmpdir(), 'al-es-head-'));
    const store = new SqliteEventStore({ file: join(own, 'events.db') });
    try {
      expect((await store.head()).eventsAfter(-1)).toBe(0);
      const first = await store.appendToStream('thing-1', [anEvent(), anEvent()], { expectedRevision: 'no_stream' });
      await expect(store.appendToStream('thing-1', [anEvent()], { expectedRevision: 'no_stream' })).rejects.toThrow();
      await store.appendToStream('thing-2', [anEvent(), anEvent(), anEvent()], { expectedRevision: 'no_stream' });
      const head = await store.head();
      expect(head.position).toBe(await store.headPosition());
      expect([head.eventsAfter(-1), head.eventsAfter(0), head.eventsAfter(first.position), head.eventsAfter(head.position)]).toEqual([5, 5, 3, 0]);
    } finally {
      await store.close();
      rmSync(own, { recursive: true, force: true });
    }
  });
});

describe('SqliteEventStore on a data folder from before the hash chain', () => {
  it('goes on from a stream whose events have no streamHash: the chain starts at the first new event, and the check accepts both', async () => {
    const own = mkdtempSync(join(tmpdir(), 'al-es-legacy-'));
    const file = join(own, 'events.db');
    try {
      // The rows as the store wrote them before it chained streams: metadata without streamHash.
      await new SqliteEventStore({ file }).close();
      const db = new Database(file);
      const insert = db.prepare('INSERT INTO events (event_id, stream_id, revision, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)');
      for (const [revision, event] of [anEvent('Old'), anEvent('Old')].entries()) {
        insert.run(event.eventId, 'user-legacy', revision, event.type, JSON.stringify(event.data), JSON.stringify(event.metadata));
      }
      db.close();
      const store = new SqliteEventStore({ file });
      await store.appendToStream('user-legacy', [anEvent('New'), anEvent('New')], { expectedRevision: 1 });
      const events = await store.readStream('user-legacy');
      expect(events.map((e) => e.metadata.streamHash === undefined)).toEqual([true, true, false, false]);
      expect(events[2].metadata.streamHash).toBe(streamHashOf(STREAM_CHAIN_START, events[2]));
      expect(await checkStreamChains(store.readAll())).toEqual({ events: 4, streams: 1, unhashed: 2, breaks: 0 });
      await store.close();
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  });
});
