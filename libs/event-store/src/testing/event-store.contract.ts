import { NewEvent, RecordedEvent, canonicalJson, newId, parseStored } from '@access-ledger/core';
import { AppendTooLargeError, DuplicateEventIdError, EventStore, MAX_APPEND_BYTES, WrongExpectedRevisionError, toArray } from '../event-store';
import { STREAM_CHAIN_START, StreamChainCheck, checkStreamChains, streamHashOf } from '../stream-chain';

/**
 * One behavioural contract for every EventStore adapter. Streams are named under a
 * prefix unique to each run, so the suite also runs against a long-lived server that
 * already holds other data.
 */
export interface EventStoreHarness {
  /** Opens the store (a second call after close() opens the same data again). */
  open(): Promise<EventStore>;
  /** Called once after the suite. */
  dispose?(): Promise<void>;
}

const metadata = (commandId = newId()) => ({
  occurredAt: new Date().toISOString(),
  actor: { id: 'contract-test', email: 'contract@example.org', roles: [] },
  correlationId: commandId,
  causationId: commandId,
  commandId,
  schemaVersion: 1,
});

export const anEvent = (type = 'ThingHappened', data: Record<string, unknown> = {}): NewEvent => ({
  eventId: newId(),
  type,
  data,
  metadata: metadata(),
});

/** Collects `count` events from an async iterable, then stops it. */
export const take = async <T>(iterable: AsyncIterable<T>, count: number): Promise<T[]> => {
  const out: T[] = [];
  if (count === 0) return out;
  for await (const item of iterable) {
    out.push(item);
    if (out.length >= count) break;
  }
  return out;
};

export function describeEventStoreContract(adapter: string, harness: EventStoreHarness | null, skipReason?: string): void {
  const d = harness ? describe : describe.skip;
  if (!harness) {
    // Printed so a green run never hides an adapter that was not exercised.
    // eslint-disable-next-line no-console
    console.warn(`[contract] ${adapter} event store suite skipped: ${skipReason}`);
  }
  d(`EventStore contract: ${adapter}`, () => {
    const run = `c${Math.random().toString(36).slice(2, 10)}`;
    const stream = (name: string) => `${run}${name}-${newId()}`;
    let store: EventStore;

    beforeAll(async () => {
      store = await harness!.open();
    });
    afterAll(async () => {
      await store.close();
      await harness!.dispose?.();
    });

    it('appends to a new stream and numbers revisions from 0 with increasing positions', async () => {
      const id = stream('a');
      const result = await store.appendToStream(id, [anEvent('A'), anEvent('B'), anEvent('C')], { expectedRevision: 'no_stream' });
      expect(result.nextExpectedRevision).toBe(2);
      const events = await store.readStream(id);
      expect(events.map((e) => [e.type, e.revision, e.streamId])).toEqual([
        ['A', 0, id],
        ['B', 1, id],
        ['C', 2, id],
      ]);
      expect(events[0].position).toBeLessThan(events[1].position);
      expect(events[1].position).toBeLessThan(events[2].position);
      expect(result.position).toBe(events[2].position);
    });

    it('keeps data and metadata exactly as appended', async () => {
      const id = stream('a');
      const event = anEvent('Detailed', { name: 'Zoë O’Brien', nested: { list: [1, 'two', null], flag: true } });
      await store.appendToStream(id, [event], { expectedRevision: 'no_stream' });
      const [stored] = await store.readStream(id);
      expect(stored.eventId).toBe(event.eventId);
      expect(stored.data).toEqual(event.data);
      // The metadata as appended, and the stream's hash chain the store adds (stream-chain.ts).
      expect(stored.metadata).toEqual({ ...event.metadata, streamHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    });

    /** The breaks StreamChainCheck finds in one stream as the store gives it back. */
    const chainBreaks = async (id: string) => {
      const check = new StreamChainCheck();
      const breaks = (await store.readStream(id)).flatMap((event) => check.check(event));
      return { breaks, report: check.report() };
    };

    it('chains each stream: every event carries a streamHash that follows from the one before it, across appends of every kind', async () => {
      const id = stream('chain');
      await store.appendToStream(id, [anEvent('A', { n: 1 }), anEvent('B', { n: 2.5, text: 'Zoë' })], { expectedRevision: 'no_stream' });
      await store.appendToStream(id, [anEvent('C')], { expectedRevision: 1 });
      await store.appendToStream(id, [anEvent('D'), anEvent('E')], { expectedRevision: 'any' });
      const retried = [anEvent('F')];
      await store.appendToStream(id, retried, { expectedRevision: 'stream_exists' });
      await store.appendToStream(id, retried, { expectedRevision: 4 }); // a retry stores nothing and leaves the chain as it was
      // A caller's own streamHash is not kept: the store writes the chain.
      const forged = anEvent('G');
      await store.appendToStream(id, [{ ...forged, metadata: { ...forged.metadata, streamHash: 'f'.repeat(64) } }], { expectedRevision: 5 });
      const events = await store.readStream(id);
      expect(events.map((e) => e.type)).toEqual(['A', 'B', 'C', 'D', 'E', 'F', 'G']);
      expect(events[0].metadata.streamHash).toBe(streamHashOf(STREAM_CHAIN_START, events[0]));
      expect(events[1].metadata.streamHash).toBe(streamHashOf(events[0].metadata.streamHash!, events[1]));
      expect(events[6].metadata.streamHash).not.toBe('f'.repeat(64));
      expect(await chainBreaks(id)).toEqual({ breaks: [], report: { events: 7, streams: 1, unhashed: 0, breaks: 0 } });
    });

    it('keeps one unbroken chain per stream while writers race on it with any', async () => {
      const prefix = `${run}k${Math.random().toString(36).slice(2, 6)}`;
      const start = (await store.headPosition()) + 1;
      const ids = [`${prefix}-1`, `${prefix}-2`];
      await Promise.all(
        Array.from({ length: 8 }, async (_, w) => {
          for (let i = 0; i < 10; i += 1) await store.appendToStream(ids[w % 2], i % 3 === 0 ? [anEvent('Two'), anEvent('Two')] : [anEvent('One')], { expectedRevision: 'any' });
        }),
      );
      for (const id of ids) {
        const { breaks, report } = await chainBreaks(id);
        expect(breaks).toEqual([]);
        expect(report.events).toBe(56);
      }
      // The same check over the log, as `audit:verify -- --store` runs it.
      const found: unknown[] = [];
      expect(await checkStreamChains(store.readAll({ fromPosition: start, filter: { streamPrefixes: [prefix] } }), (b) => found.push(b))).toEqual({ events: 112, streams: 2, unhashed: 0, breaks: 0 });
      expect(found).toEqual([]);
    });

    it('refuses a wrong expected revision with the actual revision and stores nothing', async () => {
      const id = stream('a');
      await store.appendToStream(id, [anEvent(), anEvent()], { expectedRevision: 'no_stream' });
      const refused = [
        store.appendToStream(id, [anEvent()], { expectedRevision: 'no_stream' }),
        store.appendToStream(id, [anEvent()], { expectedRevision: 0 }),
        store.appendToStream(id, [anEvent()], { expectedRevision: 5 }),
        store.appendToStream(stream('missing'), [anEvent()], { expectedRevision: 'stream_exists' }),
        store.appendToStream(stream('missing'), [anEvent()], { expectedRevision: 0 }),
      ];
      const outcomes = await Promise.allSettled(refused);
      for (const outcome of outcomes) {
        expect(outcome.status).toBe('rejected');
        expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevisionError);
      }
      expect(((outcomes[0] as PromiseRejectedResult).reason as WrongExpectedRevisionError).actual).toBe(1);
      expect(((outcomes[3] as PromiseRejectedResult).reason as WrongExpectedRevisionError).actual).toBe(-1);
      expect(await store.readStream(id)).toHaveLength(2);
    });

    it('accepts exact, stream_exists and any revisions when they hold', async () => {
      const id = stream('a');
      await store.appendToStream(id, [anEvent()], { expectedRevision: 'any' });
      await store.appendToStream(id, [anEvent()], { expectedRevision: 0 });
      await store.appendToStream(id, [anEvent()], { expectedRevision: 'stream_exists' });
      const last = await store.appendToStream(id, [anEvent()], { expectedRevision: 'any' });
      expect(last.nextExpectedRevision).toBe(3);
    });

    it('reads a stream forwards, backwards, from a revision and up to a count; an unknown stream is empty', async () => {
      const id = stream('a');
      await store.appendToStream(id, ['E0', 'E1', 'E2', 'E3', 'E4'].map((t) => anEvent(t)), { expectedRevision: 'no_stream' });
      const types = (events: RecordedEvent[]) => events.map((e) => e.type);
      expect(types(await store.readStream(id, { fromRevision: 2 }))).toEqual(['E2', 'E3', 'E4']);
      expect(types(await store.readStream(id, { fromRevision: 1, maxCount: 2 }))).toEqual(['E1', 'E2']);
      expect(types(await store.readStream(id, { direction: 'backwards', maxCount: 2 }))).toEqual(['E4', 'E3']);
      expect(types(await store.readStream(id, { direction: 'backwards', fromRevision: 1 }))).toEqual(['E1', 'E0']);
      expect(await store.readStream(stream('never'))).toEqual([]);
    });

    it('treats a retried append with the same event ids as the first one and stores nothing twice', async () => {
      const id = stream('a');
      const events = [anEvent('X'), anEvent('Y')];
      const first = await store.appendToStream(id, events, { expectedRevision: 'no_stream' });
      const retry = await store.appendToStream(id, events, { expectedRevision: 'no_stream' });
      expect(retry).toEqual(first);
      expect(await store.readStream(id)).toHaveLength(2);
    });

    it('recognises a retry after later appends, with an exact revision or with any', async () => {
      const id = stream('a');
      const first = [anEvent('X')];
      const firstResult = await store.appendToStream(id, first, { expectedRevision: 'no_stream' });
      const second = [anEvent('Y'), anEvent('Z')];
      const secondResult = await store.appendToStream(id, second, { expectedRevision: 0 });
      await store.appendToStream(id, [anEvent('W')], { expectedRevision: 'any' });
      expect(await store.appendToStream(id, first, { expectedRevision: 'no_stream' })).toEqual(firstResult);
      expect(await store.appendToStream(id, second, { expectedRevision: 0 })).toEqual(secondResult);
      expect(await store.appendToStream(id, second, { expectedRevision: 'any' })).toEqual(secondResult);
      expect((await store.readStream(id)).map((e) => e.type)).toEqual(['X', 'Y', 'Z', 'W']);
    });

    // On EventStoreDB the second often reaches the server before the first is indexed: the server drops it
    // (IdempotentNotReady) and the client times out; the adapter tries it again, and the next try finds the first.
    it('answers an append sent twice at once (a client retry racing its original) as one: both get the first result, stored once', async () => {
      for (const expectedRevision of ['no_stream', 'any'] as const) {
        const id = stream('twice');
        const events = [anEvent('Once'), anEvent('Once')];
        const [a, b] = await Promise.all([store.appendToStream(id, events, { expectedRevision }), store.appendToStream(id, events, { expectedRevision })]);
        expect(b).toEqual(a);
        expect((await store.readStream(id)).map((e) => e.eventId)).toEqual(events.map((e) => e.eventId));
      }
    });

    it('refuses a batch that repeats part of an earlier append with DuplicateEventIdError and stores nothing, whatever the expectation', async () => {
      const id = stream('overlap');
      const [x, y] = [anEvent('X'), anEvent('Y')];
      await store.appendToStream(id, [x, y], { expectedRevision: 'no_stream' });
      await store.appendToStream(id, [anEvent('Z')], { expectedRevision: 1 });
      const partial: [string, NewEvent[], Parameters<EventStore['appendToStream']>[2]][] = [
        ['the first id with other ids after it, exact', [x, anEvent('Other')], { expectedRevision: 'no_stream' }],
        ['more events than were appended, exact', [x, y, anEvent('More')], { expectedRevision: 'no_stream' }],
        ['the first id with other ids after it, any', [x, anEvent('Other')], { expectedRevision: 'any' }],
        ['more events than were appended, stream_exists', [y, anEvent('More'), anEvent('More')], { expectedRevision: 'stream_exists' }],
      ];
      for (const [, events, options] of partial) await expect(store.appendToStream(id, events, options)).rejects.toBeInstanceOf(DuplicateEventIdError);
      // A batch whose first id is new is a new append: an exact expectation that no longer holds is refused as usual.
      await expect(store.appendToStream(id, [anEvent('New'), y], { expectedRevision: 0 })).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      // The first events of an earlier batch alone are a retry of them.
      expect((await store.appendToStream(id, [x], { expectedRevision: 'no_stream' })).nextExpectedRevision).toBe(0);
      expect((await store.readStream(id)).map((e) => e.type)).toEqual(['X', 'Y', 'Z']);
    });

    it('recognises a retry after the store is closed and opened again (the ids are looked for in the stream, not in a cache)', async () => {
      const id = stream('reopen');
      const first = [anEvent('First')];
      const second = [anEvent('Second'), anEvent('Third')];
      const firstResult = await store.appendToStream(id, first, { expectedRevision: 'no_stream' });
      const secondResult = await store.appendToStream(id, second, { expectedRevision: 'any' });
      await store.close();
      store = await harness!.open();
      expect(await store.appendToStream(id, first, { expectedRevision: 'no_stream' })).toEqual(firstResult);
      expect(await store.appendToStream(id, second, { expectedRevision: 'any' })).toEqual(secondResult);
      expect(await store.appendToStream(id, second, { expectedRevision: 'stream_exists' })).toEqual(secondResult);
      expect((await store.readStream(id)).map((e) => e.type)).toEqual(['First', 'Second', 'Third']);
    });

    it(`refuses an append over ${MAX_APPEND_BYTES} bytes (counted as EventStoreDB counts them) with AppendTooLargeError and stores nothing; one under it is stored`, async () => {
      const id = stream('size');
      const text = (bytes: number) => 'é'.repeat(bytes / 2); // two UTF-8 bytes a character
      const refused = store.appendToStream(id, [anEvent('Big', { text: text(MAX_APPEND_BYTES / 2) }), anEvent('Big', { text: text(MAX_APPEND_BYTES / 2) })], { expectedRevision: 'no_stream' });
      await expect(refused).rejects.toBeInstanceOf(AppendTooLargeError);
      await expect(refused).rejects.toMatchObject({ streamId: id, maxSize: MAX_APPEND_BYTES });
      expect(await store.readStream(id)).toEqual([]);
      await store.appendToStream(id, [anEvent('Big', { text: text(MAX_APPEND_BYTES - 64 * 1024) })], { expectedRevision: 'no_stream' });
      expect(await store.readStream(id)).toHaveLength(1);
    });

    it('reports its head for lag without reading events: counts the events after a position it has seen', async () => {
      const before = await store.head();
      expect(before.eventsAfter(before.position)).toBe(0);
      const id = stream('head');
      await store.appendToStream(id, [anEvent(), anEvent()], { expectedRevision: 'no_stream' });
      const last = await store.appendToStream(id, [anEvent()], { expectedRevision: 1 });
      // The head may follow the log a moment later (EventStoreDB tracks it with a subscription): wait for it, bounded.
      let after = await store.head();
      for (let i = 0; i < 500 && after.position < last.position; i += 1) {
        await new Promise((r) => setTimeout(r, 10));
        after = await store.head();
      }
      expect(after.position).toBeGreaterThanOrEqual(last.position);
      // At least these three (a shared server may hold other writers' events too).
      expect(after.eventsAfter(before.position)).toBeGreaterThanOrEqual(3);
      expect(after.eventsAfter(after.position)).toBe(0);
      expect(after.eventsAfter(after.position + 1)).toBe(0);
    });

    it('delivers the few matching events of a filtered subscription among many others exactly once, also when subscribed again from the last one', async () => {
      const prefix = `${run}p${Math.random().toString(36).slice(2, 6)}`;
      const start = (await store.headPosition()) + 1;
      const wanted: string[] = [];
      // Three matching events, each after 150 others (several of the server's checkpoint windows).
      for (let round = 0; round < 3; round += 1) {
        for (let s = 0; s < 3; s += 1) await store.appendToStream(stream('noise'), Array.from({ length: 50 }, () => anEvent('Noise')), { expectedRevision: 'no_stream' });
        const match = anEvent('Wanted');
        await store.appendToStream(`${prefix}-${round}`, [match], { expectedRevision: 'no_stream' });
        wanted.push(match.eventId);
      }
      const filter = { streamPrefixes: [prefix] };
      const first = new AbortController();
      const events = await take(store.subscribeToAll({ fromPosition: start, filter, signal: first.signal }), 3);
      first.abort();
      expect(events.map((e) => e.eventId)).toEqual(wanted);
      // Subscribed again after the second: only the third, then a new one after more noise.
      const second = new AbortController();
      const again = take(store.subscribeToAll({ fromPosition: events[1].position + 1, filter, signal: second.signal }), 2);
      for (let s = 0; s < 3; s += 1) await store.appendToStream(stream('noise'), Array.from({ length: 50 }, () => anEvent('Noise')), { expectedRevision: 'no_stream' });
      const late = anEvent('Wanted');
      await store.appendToStream(`${prefix}-late`, [late], { expectedRevision: 'no_stream' });
      expect((await again).map((e) => e.eventId)).toEqual([wanted[2], late.eventId]);
      second.abort();
    });

    it('lets exactly one of two appends with the same expected revision succeed', async () => {
      const id = stream('a');
      await store.appendToStream(id, [anEvent()], { expectedRevision: 'no_stream' });
      const outcomes = await Promise.allSettled([
        store.appendToStream(id, [anEvent('Left')], { expectedRevision: 0 }),
        store.appendToStream(id, [anEvent('Right')], { expectedRevision: 0 }),
      ]);
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      const loser = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
      expect(loser.reason).toBeInstanceOf(WrongExpectedRevisionError);
      expect(await store.readStream(id)).toHaveLength(2);
    });

    it('fails a refused append alone when it travels with others', async () => {
      const ok1 = stream('a');
      const ok2 = stream('a');
      const bad = stream('a');
      await store.appendToStream(bad, [anEvent()], { expectedRevision: 'no_stream' });
      const outcomes = await Promise.allSettled([
        store.appendToStream(ok1, [anEvent()], { expectedRevision: 'no_stream' }),
        store.appendToStream(bad, [anEvent()], { expectedRevision: 'no_stream' }),
        store.appendToStream(ok2, [anEvent()], { expectedRevision: 'no_stream' }),
      ]);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(await store.readStream(ok1)).toHaveLength(1);
      expect(await store.readStream(ok2)).toHaveLength(1);
      expect(await store.readStream(bad)).toHaveLength(1);
    });

    it('reads $all from a position, filtered by event type or stream prefix', async () => {
      const prefix = `${run}f${Math.random().toString(36).slice(2, 6)}`;
      const start = (await store.headPosition()) + 1;
      await store.appendToStream(`${prefix}-1`, [anEvent('Kept'), anEvent('Dropped')], { expectedRevision: 'no_stream' });
      await store.appendToStream(`${prefix}-2`, [anEvent('Kept')], { expectedRevision: 'no_stream' });
      const mine = await toArray(store.readAll({ fromPosition: start, filter: { streamPrefixes: [prefix] } }));
      expect(mine.map((e) => e.type)).toEqual(['Kept', 'Dropped', 'Kept']);
      const kept = await toArray(store.readAll({ fromPosition: start, filter: { streamPrefixes: [prefix], eventTypes: ['Kept'] } }));
      expect(kept.map((e) => e.streamId)).toEqual([`${prefix}-1`, `${prefix}-2`]);
      const limited = await toArray(store.readAll({ fromPosition: mine[1].position, maxCount: 1, filter: { streamPrefixes: [prefix] } }));
      expect(limited.map((e) => e.eventId)).toEqual([mine[1].eventId]);
      expect(await store.headPosition()).toBeGreaterThanOrEqual(mine[2].position);
    });

    it('reads $all as stored text: the same events as readAll, data and metadata as their canonical JSON text', async () => {
      const prefix = `${run}t${Math.random().toString(36).slice(2, 6)}`;
      const start = (await store.headPosition()) + 1;
      await store.appendToStream(`${prefix}-1`, [anEvent('Kept', { z: 1, a: { y: 'é "q"', b: [2.5, null, true] } }), anEvent('Dropped')], { expectedRevision: 'no_stream' });
      await store.appendToStream(`${prefix}-2`, [anEvent('Kept', { organisationId: newId() })], { expectedRevision: 'no_stream' });
      for (const options of [{ fromPosition: start, filter: { streamPrefixes: [prefix] } }, { fromPosition: start, maxCount: 2, filter: { streamPrefixes: [prefix], eventTypes: ['Kept'] } }]) {
        const parsed = await toArray(store.readAll(options));
        const stored = await toArray(store.readAllStored(options));
        expect(stored.map(parseStored)).toEqual(parsed);
        for (const event of stored) {
          expect(event.dataJson).toBe(canonicalJson(JSON.parse(event.dataJson)));
          expect(event.metadataJson).toBe(canonicalJson(JSON.parse(event.metadataJson)));
        }
      }
      // Without a filter too (other writers' events, on a shared server, left aside).
      const unfiltered = (await toArray(store.readAllStored({ fromPosition: start, maxCount: 100 }))).filter((e) => e.streamId.startsWith(prefix));
      expect(unfiltered.map((e) => e.streamId)).toEqual([`${prefix}-1`, `${prefix}-1`, `${prefix}-2`]);
    });

    it('reads $all filtered by event type alone, a page at a time: maxCount matching events, the next page from after the last; a subscription catches up on the same', async () => {
      const [wanted, alsoWanted, other] = ['Wanted', 'AlsoWanted', 'Other'].map((name) => `${run}${name}${Math.random().toString(36).slice(2, 6)}`);
      const start = (await store.headPosition()) + 1;
      for (let s = 0; s < 12; s += 1) {
        await store.appendToStream(stream('t'), [anEvent(wanted), anEvent(other), anEvent(other), anEvent(alsoWanted)], { expectedRevision: 'no_stream' });
      }
      const filter = { eventTypes: [wanted, alsoWanted] };
      const everything = await toArray(store.readAll({ fromPosition: start, filter }));
      expect(everything.map((e) => e.type)).toEqual(Array.from({ length: 12 }, () => [wanted, alsoWanted]).flat());
      const pages: RecordedEvent[][] = [];
      for (let from = start; ; ) {
        const page = await toArray(store.readAll({ fromPosition: from, maxCount: 5, filter }));
        if (page.length === 0) break;
        pages.push(page);
        from = page[page.length - 1].position + 1;
      }
      expect(pages.map((p) => p.length)).toEqual([5, 5, 5, 5, 4]);
      expect(pages.flat().map((e) => e.eventId)).toEqual(everything.map((e) => e.eventId));
      const controller = new AbortController();
      const subscribed = await take(store.subscribeToAll({ fromPosition: start, filter, signal: controller.signal }), everything.length);
      controller.abort();
      expect(subscribed.map((e) => e.eventId)).toEqual(everything.map((e) => e.eventId));
    });

    it('streams a large read: it pauses without holding up writers, resumes in order, and stops when the reader stops', async () => {
      const prefix = `${run}r${Math.random().toString(36).slice(2, 6)}`;
      const start = (await store.headPosition()) + 1;
      const written: string[] = [];
      for (let s = 0; s < 50; s += 1) {
        const batch = Array.from({ length: 100 }, (_, i) => anEvent('Bulk', { s, i }));
        await store.appendToStream(`${prefix}-${s}`, batch, { expectedRevision: 'no_stream' });
        written.push(...batch.map((e) => e.eventId));
      }
      const filter = { streamPrefixes: [prefix] };
      const reading = store.readAll({ fromPosition: start, filter })[Symbol.asyncIterator]();
      const next = async () => {
        const result = await reading.next();
        expect(result.done).toBe(false);
        return (result.value as RecordedEvent).eventId;
      };
      const seen = [await next(), await next(), await next()];
      // Paused three events into 5,000: a writer is not held up by the open read.
      const marker = await store.appendToStream(`${prefix}-marker`, [anEvent('Marker')], { expectedRevision: 'no_stream' });
      for (let i = 0; i < 1497; i += 1) seen.push(await next());
      expect(seen).toEqual(written.slice(0, 1500));
      // The reader stops: the read is closed and yields nothing more.
      expect(await reading.return!()).toMatchObject({ done: true });
      expect(await reading.next()).toMatchObject({ done: true });
      // The whole read, without keeping it: every event once, in position order, the marker after them.
      let count = 0;
      let last = 0;
      for await (const event of store.readAll({ fromPosition: start, filter })) {
        expect(event.position).toBeGreaterThan(last);
        last = event.position;
        count += 1;
      }
      expect(count).toBe(5001);
      expect(last).toBe(marker.position);
      // Without a filter, across pages: positions strictly increase, and maxCount bounds it.
      const unfiltered = await toArray(store.readAll({ fromPosition: start, maxCount: 2500 }));
      expect(unfiltered).toHaveLength(2500);
      unfiltered.slice(1).forEach((event, i) => expect(event.position).toBeGreaterThan(unfiltered[i].position));
      expect(unfiltered[0].position).toBeGreaterThanOrEqual(start);
    });

    it('delivers every event to a subscriber exactly once, in order, while eight writers append concurrently', async () => {
      const prefix = `${run}s${Math.random().toString(36).slice(2, 6)}`;
      const writers = 8;
      const perWriter = 250;
      const start = (await store.headPosition()) + 1;
      const controller = new AbortController();
      const received = take(store.subscribeToAll({ fromPosition: start, filter: { streamPrefixes: [prefix] }, signal: controller.signal }), writers * perWriter);
      const written: string[] = [];
      await Promise.all(
        Array.from({ length: writers }, async (_, w) => {
          for (let i = 0; i < perWriter; i += 1) {
            // Half the writers share streams, half write one stream each, in batches of one or two.
            const streamId = `${prefix}-${w % 2 === 0 ? `w${w}` : `s${i % 50}`}`;
            const batch = i % 5 === 0 && i + 1 < perWriter ? [anEvent('Pair'), anEvent('Pair')] : [anEvent('One')];
            await store.appendToStream(streamId, batch, { expectedRevision: 'any' });
            written.push(...batch.map((e) => e.eventId));
            if (batch.length === 2) i += 1;
          }
        }),
      );
      const events = await received;
      controller.abort();
      expect(events).toHaveLength(written.length);
      expect(new Set(events.map((e) => e.eventId))).toEqual(new Set(written));
      for (let i = 1; i < events.length; i += 1) expect(events[i].position).toBeGreaterThan(events[i - 1].position);
    });

    it('catches up from an earlier position and then goes live, honouring the filter', async () => {
      const prefix = `${run}l${Math.random().toString(36).slice(2, 6)}`;
      const start = (await store.headPosition()) + 1;
      await store.appendToStream(`${prefix}-1`, [anEvent('Old'), anEvent('Other')], { expectedRevision: 'no_stream' });
      const controller = new AbortController();
      const received = take(
        store.subscribeToAll({ fromPosition: start, signal: controller.signal, filter: { streamPrefixes: [prefix], eventTypes: ['Old', 'New'] } }),
        2,
      );
      await new Promise((r) => setTimeout(r, 50));
      await store.appendToStream(`${prefix}-1`, [anEvent('Other'), anEvent('New')], { expectedRevision: 1 });
      const events = await received;
      controller.abort();
      expect(events.map((e) => e.type)).toEqual(['Old', 'New']);
    });

    it('still has every acknowledged event after the store is closed and opened again', async () => {
      const id = stream('durable');
      const acknowledged = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.appendToStream(`${id}${i}`, [anEvent('Kept', { i })], { expectedRevision: 'no_stream' })),
      );
      await store.close();
      store = await harness!.open();
      for (let i = 0; i < 20; i += 1) {
        const [event] = await store.readStream(`${id}${i}`);
        expect(event.data).toEqual({ i });
        expect(event.position).toBe(acknowledged[i].position);
      }
    });
  });
}
