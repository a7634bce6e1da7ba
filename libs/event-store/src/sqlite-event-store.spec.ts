import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from './sqlite-event-store';
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
