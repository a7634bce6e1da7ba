import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@access-ledger/event-store';
import { SqliteReadStore } from '@access-ledger/read-store';
import { anEvent } from '../../event-store/src/testing/event-store.contract';
import { LagMonitor, ensureRunnerCollections, progressChange } from './index';

describe('LagMonitor', () => {
  let dir: string;
  let events: SqliteEventStore;
  let reads: SqliteReadStore;
  let now: number;
  let logReads: number;
  let monitor: LagMonitor;
  let streams = 0;
  /** Appends an event that occurred at `iso`. */
  const occurredAt = async (iso: string) => {
    const event = anEvent('Thing');
    const stored = { ...event, metadata: { ...event.metadata, occurredAt: iso } };
    const streamId = `thing-${(streams += 1)}`;
    const { position } = await events.appendToStream(streamId, [stored], { expectedRevision: 'no_stream' });
    return { ...stored, streamId, revision: 0, position };
  };
  /** What a runner writes after a batch ending with `last`. */
  const processed = (last: Awaited<ReturnType<typeof occurredAt>>) => reads.applyChanges('c', [progressChange('c', last)], last.position);
  const at = (iso: string) => (now = Date.parse(iso));
  const lag = async () => (await monitor.lag(['c']))[0];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'al-lag-'));
    events = new SqliteEventStore({ file: join(dir, 'events.db') });
    reads = new SqliteReadStore({ file: join(dir, 'read.db') });
    await ensureRunnerCollections(reads);
    logReads = 0;
    const readAll = events.readAll.bind(events);
    events.readAll = (...args) => {
      logReads += 1;
      return readAll(...args);
    };
    monitor = new LagMonitor(events, reads, { now: () => now });
  });
  afterEach(async () => {
    await events.close();
    await reads.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is nothing when the consumer is caught up', async () => {
    await processed(await occurredAt('2026-03-01T09:00:00Z'));
    at('2026-03-01T10:00:00Z');
    expect(await lag()).toMatchObject({ lagEvents: 0, lagSeconds: 0 });
    expect(logReads).toBe(0);
  });

  it('behind, counts from when the last processed event occurred, and reads no event however often it is asked', async () => {
    const first = await occurredAt('2026-03-01T10:00:00Z');
    await occurredAt('2026-03-01T10:00:30Z');
    const third = await occurredAt('2026-03-01T10:01:00Z');
    await processed(first);
    at('2026-03-01T10:02:00Z');
    for (let scrape = 0; scrape < 3; scrape += 1) {
      expect(await lag()).toEqual({ name: 'c', checkpoint: first.position, head: third.position, lagEvents: third.position - first.position, lagSeconds: 120 });
    }
    expect(logReads).toBe(0);
  });

  it('once it has seen the consumer caught up, counts from then: one event after a quiet hour is not an hour behind', async () => {
    await processed(await occurredAt('2026-03-01T09:00:00Z'));
    at('2026-03-01T10:00:00Z');
    expect((await lag()).lagSeconds).toBe(0);
    await occurredAt('2026-03-01T10:00:05Z');
    at('2026-03-01T10:00:10Z');
    expect(await lag()).toMatchObject({ lagEvents: 1, lagSeconds: 10 });
    expect(logReads).toBe(0);
  });

  // EventStoreDB's positions are byte offsets: its head tracker counts events only from when it started. The store's
  // head() is made to answer so here; what is under test is the monitor.
  it('where the store cannot count the events behind, reports lag in seconds only (lagEvents null), reading no event', async () => {
    const head = events.head.bind(events);
    events.head = async () => ({ ...(await head()), eventsAfter: () => null });
    const first = await occurredAt('2026-03-01T10:00:00Z');
    const second = await occurredAt('2026-03-01T10:00:30Z');
    await processed(first);
    at('2026-03-01T10:01:00Z');
    expect(await lag()).toEqual({ name: 'c', checkpoint: first.position, head: second.position, lagEvents: null, lagSeconds: 60 });
    await processed(second);
    expect(await lag()).toMatchObject({ lagEvents: 0, lagSeconds: 0 });
    expect(logReads).toBe(0);
  });

  it('knowing nothing of a consumer that is behind, reads its first unprocessed event once per checkpoint', async () => {
    const first = await occurredAt('2026-03-01T10:00:00Z');
    await occurredAt('2026-03-01T10:01:00Z');
    const third = await occurredAt('2026-03-01T10:02:00Z');
    at('2026-03-01T10:05:00Z');
    expect((await lag()).lagSeconds).toBe(300);
    expect((await lag()).lagSeconds).toBe(300);
    expect(logReads).toBe(1);
    // Progress written for the third, then a promoted rebuild moved the checkpoint back to the first:
    // that progress is not this checkpoint's (it would say 180 s); the second event, read once, says 240 s.
    await processed(third);
    await reads.applyChanges('c', [], first.position);
    expect((await lag()).lagSeconds).toBe(240);
    expect((await lag()).lagSeconds).toBe(240);
    expect(logReads).toBe(2);
  });
});
