import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordedEvent, deriveId } from '@access-ledger/core';
import { SqliteEventStore } from '@access-ledger/event-store';
import { SqliteReadStore } from '@access-ledger/read-store';
import { anEvent } from '../../event-store/src/testing/event-store.contract';
import { ParkedEvents, Reactor, ReactorRunner, Sleep, waitForCheckpoints } from './index';

/**
 * The example reactor: for each request, a notice in the log, appended with an event id derived
 * from the request's event id, so that the event store keeps one notice however often it runs.
 */
const notifier = (events: SqliteEventStore, behaviour: { failing: Set<string>; failAfterEffect: Set<string> }, calls: Map<string, number[]>): Reactor => ({
  name: 'notifier',
  handles: ['Requested'],
  async react(event: RecordedEvent, { attempt }) {
    calls.set(event.eventId, [...(calls.get(event.eventId) ?? []), attempt]);
    if (behaviour.failing.has(event.eventId)) throw new Error(`mail server refused ${event.data.to}`);
    await events.appendToStream(
      `notice-${event.streamId}`,
      [{ ...anEvent('NoticeSent', { to: event.data.to }), eventId: deriveId('notice', event.eventId) }],
      { expectedRevision: 'any' },
    );
    // As if the process died after the effect and before the runner heard of it.
    if (behaviour.failAfterEffect.delete(event.eventId)) throw new Error('connection reset after sending');
  },
});

describe('ReactorRunner on the embedded stores', () => {
  let dir: string;
  let events: SqliteEventStore;
  let reads: SqliteReadStore;
  let runner: ReactorRunner | undefined;
  let calls: Map<string, number[]>;
  const pauses: number[] = [];
  const recordPause: Sleep = async (ms) => {
    pauses.push(ms);
  };
  const request = async (stream: string, to: string) => {
    const event = anEvent('Requested', { to });
    const { position } = await events.appendToStream(stream, [event], { expectedRevision: 'any' });
    return { ...event, position };
  };
  const notices = async (stream: string) => (await events.readStream(`notice-${stream}`)).map((e) => e.data.to);
  const caughtUp = async () => expect(await waitForCheckpoints(reads, ['notifier'], await events.headPosition(), 10_000)).toBe(true);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'al-reactor-'));
    events = new SqliteEventStore({ file: join(dir, 'events.db'), pollIntervalMs: 10 });
    reads = new SqliteReadStore({ file: join(dir, 'read.db') });
    calls = new Map();
    pauses.length = 0;
  });
  afterEach(async () => {
    await runner?.stop();
    runner = undefined;
    await events.close();
    await reads.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers each event at least once: a failed attempt and a failed checkpoint write bring it again, and the effect happens once per event id', async () => {
    const first = await request('request-1', 'ann@example.org');
    const second = await request('request-2', 'bo@example.org');
    await events.appendToStream('other-1', [anEvent('Unrelated')], { expectedRevision: 'any' });
    // The read store refuses the reactor's first checkpoint write, as a locked database would.
    const apply = reads.applyChanges.bind(reads);
    let refused = 0;
    reads.applyChanges = async (...args) => {
      if (args[0] === 'notifier' && refused === 0) {
        refused += 1;
        throw new Error('database is locked');
      }
      return apply(...args);
    };
    runner = new ReactorRunner(events, reads, [notifier(events, { failing: new Set(), failAfterEffect: new Set([first.eventId]) }, calls)], {
      retry: { initialDelayMs: 1 },
      retryDelayMs: 10,
      sleep: recordPause,
    });
    await runner.start();
    await caughtUp();
    // The first: its attempt 1 failed after sending, attempt 2 went through; then the whole batch came again after the refused checkpoint.
    expect(calls.get(first.eventId)).toEqual([1, 2, 1]);
    expect(calls.get(second.eventId)).toEqual([1, 1]);
    expect(refused).toBe(1);
    expect(await notices('request-1')).toEqual(['ann@example.org']);
    expect(await notices('request-2')).toEqual(['bo@example.org']);
    expect(await new ParkedEvents(reads).counts()).toEqual({});
    // Caught up, and it goes on live.
    const third = await request('request-3', 'cy@example.org');
    await caughtUp();
    expect(calls.get(third.eventId)).toEqual([1]);
    expect(await notices('request-3')).toEqual(['cy@example.org']);
  });

  it('backs off exponentially, parks an event after its last attempt and goes on with the next one', async () => {
    const poison = await request('request-1', 'nobody@invalid');
    const next = await request('request-2', 'bo@example.org');
    const parkedAt = new Date('2026-03-01T10:00:00.000Z');
    runner = new ReactorRunner(events, reads, [{ ...notifier(events, { failing: new Set([poison.eventId]), failAfterEffect: new Set() }, calls), retry: { maxAttempts: 4, initialDelayMs: 100, maxDelayMs: 250 } }], {
      sleep: recordPause,
      now: () => parkedAt,
    });
    await runner.start();
    await caughtUp();
    expect(calls.get(poison.eventId)).toEqual([1, 2, 3, 4]);
    expect(pauses).toEqual([100, 200, 250]);
    expect(await new ParkedEvents(reads).get('notifier', poison.position)).toEqual({
      consumer: 'notifier',
      kind: 'reactor',
      position: poison.position,
      eventId: poison.eventId,
      type: 'Requested',
      streamId: 'request-1',
      error: 'mail server refused nobody@invalid',
      attempts: 4,
      parkedAt: parkedAt.toISOString(),
      lastAttemptAt: parkedAt.toISOString(),
    });
    expect(await new ParkedEvents(reads).counts()).toEqual({ notifier: 1 });
    expect(await notices('request-1')).toEqual([]);
    expect(calls.get(next.eventId)).toEqual([1]);
    expect(await notices('request-2')).toEqual(['bo@example.org']);
    // The notices it appended are events too: once it has passed them, it is caught up.
    await caughtUp();
    const [status] = await runner.status();
    expect(status).toMatchObject({ name: 'notifier', kind: 'reactor', state: 'running', lagEvents: 0, lastError: `position ${poison.position}: mail server refused nobody@invalid` });
  });

  it('parks nothing when stopped during a pause, and delivers the event again after the restart', async () => {
    const event = await request('request-1', 'ann@example.org');
    const behaviour = { failing: new Set([event.eventId]), failAfterEffect: new Set<string>() };
    // A real, long pause: stop() must cut it short.
    runner = new ReactorRunner(events, reads, [notifier(events, behaviour, calls)], { retry: { initialDelayMs: 60_000 } });
    await runner.start();
    for (let i = 0; i < 500 && !calls.has(event.eventId); i += 1) await new Promise((r) => setTimeout(r, 10));
    await runner.stop();
    expect(calls.get(event.eventId)).toEqual([1]);
    expect(await reads.getCheckpoint('notifier')).toBe(-1);
    expect(await new ParkedEvents(reads).counts()).toEqual({});
    behaviour.failing.clear();
    runner = new ReactorRunner(events, reads, [notifier(events, behaviour, calls)]);
    await runner.start();
    await caughtUp();
    expect(calls.get(event.eventId)).toEqual([1, 1]);
    expect(await notices('request-1')).toEqual(['ann@example.org']);
  });
});
