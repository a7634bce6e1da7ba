import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { NewEvent, RecordedEvent, canonicalJson } from '@access-ledger/core';
import { STREAM_CHAIN_START, StreamChainCheck, chainPrepared, chainedEvents, preparedEvent, streamHashOf } from './stream-chain';
import { decodeAppends, encodeAppend, joinAppends } from './sqlite-writer-thread';
import { anEvent } from './testing/event-store.contract';

/** A stream's events as a store would give them back after appending them through chainedEvents. */
const recorded = (streamId: string, events: readonly NewEvent[], firstRevision = 0, previous?: string, firstPosition = 1): RecordedEvent[] =>
  chainedEvents(streamId, firstRevision, previous, events).map((event, i) => ({
    eventId: event.eventId,
    type: event.type,
    streamId,
    revision: event.revision,
    position: firstPosition + i,
    data: JSON.parse(event.dataJson),
    metadata: JSON.parse(event.metadataJson),
  }));

const legacy = (streamId: string, revision: number): RecordedEvent => {
  const { streamHash: _none, ...metadata } = anEvent('Old').metadata;
  return { ...anEvent('Old'), metadata, streamId, revision, position: 100 + revision };
};

const checkAll = (events: readonly RecordedEvent[]) => {
  const check = new StreamChainCheck();
  const breaks = events.flatMap((event) => check.check(event));
  return { breaks: breaks.map((b) => [b.streamId, b.revision, b.kind]), report: check.report() };
};

describe('stream hash chains', () => {
  it('is sha256(previous hash + JCS of eventId, type, streamId, revision, data and metadata without streamHash), as documented', () => {
    const event = { ...anEvent('A', { z: 1, a: [true, null, 'Zoë'] }), streamId: 'user-1', revision: 0 };
    const [stored] = chainedEvents('user-1', 0, undefined, [event]);
    const { eventId, type, streamId, revision, data, metadata } = event;
    expect(stored.streamHash).toBe(createHash('sha256').update(STREAM_CHAIN_START + canonicalJson({ eventId, type, streamId, revision, data, metadata })).digest('hex'));
    // Stored as canonical text, the hash inside the metadata.
    expect(stored.dataJson).toBe(canonicalJson(data));
    expect(stored.metadataJson).toBe(canonicalJson({ ...metadata, streamHash: stored.streamHash }));
  });

  // What is stored and hashed must not depend on how it is put together (prepared on the caller's thread, chained on the writer's):
  // existing data files are verified by the definition, so every way to the texts must give the definition's bytes.
  // Any UTF-16 code unit: NUL (the writer's separator), lone surrogates, characters JSON escapes.
  const anyString = fc.string({ unit: 'binary' });
  const anyJson = fc.jsonValue({ stringUnit: 'binary' });
  const metadataArbitrary = fc.record(
    {
      occurredAt: anyString,
      actor: anyJson,
      commandId: anyString,
      schemaVersion: fc.integer(),
      streamHash: anyString,
      zzz: anyJson,
      'stream': anyJson,
      'streamHashes': anyJson,
    },
    { requiredKeys: [] },
  );
  const eventArbitrary = fc.record({ eventId: anyString, type: anyString, data: fc.dictionary(anyString, anyJson), metadata: fc.oneof(metadataArbitrary, fc.dictionary(anyString, anyJson)) });

  it('stores and hashes exactly the definition for arbitrary events, also when prepared apart from chaining and sent to the writer as text', () => {
    fc.assert(
      fc.property(anyString, fc.nat(1000), fc.array(eventArbitrary, { minLength: 1, maxLength: 4 }), fc.constantFrom<'any' | 'no_stream' | number>('any', 'no_stream', 7), (streamId, firstRevision, events, expectedRevision) => {
        const newEvents = events as unknown as NewEvent[];
        let previous = STREAM_CHAIN_START;
        const byDefinition = newEvents.map((event, i) => {
          const revision = firstRevision + i;
          const { streamHash: _replaced, ...metadata } = event.metadata as unknown as Record<string, unknown>;
          const streamHash = createHash('sha256').update(previous + canonicalJson({ eventId: event.eventId, type: event.type, streamId, revision, data: event.data, metadata })).digest('hex');
          previous = streamHash;
          return { eventId: event.eventId, type: event.type, revision, streamHash, dataJson: canonicalJson(event.data), metadataJson: canonicalJson({ ...metadata, streamHash }) };
        });
        expect(chainedEvents(streamId, firstRevision, undefined, newEvents)).toEqual(byDefinition);
        // Across the thread boundary: the writer's text of two appends gives back the same prepared events.
        const append = { streamId, expectedRevision, events: newEvents.map(preparedEvent) };
        const [sent, again] = decodeAppends(joinAppends([encodeAppend(append), encodeAppend(append)]));
        expect(sent).toEqual(append);
        expect(again).toEqual(append);
        expect(chainPrepared(streamId, firstRevision, undefined, sent.events)).toEqual(byDefinition);
      }),
      { numRuns: 500 },
    );
  });

  it('hashes the event as stored, from 64 zeros, each from the one before', () => {
    const [first, second] = recorded('user-1', [anEvent('A', { x: 1 }), anEvent('B')]);
    expect(first.metadata.streamHash).toBe(streamHashOf(STREAM_CHAIN_START, first));
    expect(second.metadata.streamHash).toBe(streamHashOf(first.metadata.streamHash!, second));
    // Every field it covers changes it; the position does not (the store assigns it later).
    for (const changed of [{ eventId: 'x' }, { type: 'X' }, { streamId: 'user-2' }, { revision: 5 }, { data: { x: 2 } }, { metadata: { ...first.metadata, commandId: 'x' } }]) {
      expect(streamHashOf(STREAM_CHAIN_START, { ...first, ...changed })).not.toBe(first.metadata.streamHash);
    }
    expect(streamHashOf(STREAM_CHAIN_START, { ...first, position: 999 } as RecordedEvent)).toBe(first.metadata.streamHash);
  });

  it('finds nothing in intact streams, interleaved as in the log', () => {
    const a = recorded('a-1', [anEvent(), anEvent(), anEvent()]);
    const b = recorded('b-1', [anEvent(), anEvent()]);
    expect(checkAll([a[0], b[0], a[1], b[1], a[2]])).toEqual({ breaks: [], report: { events: 5, streams: 2, unhashed: 0, breaks: 0 } });
  });

  it('names the stream and revision of an edited event, once', () => {
    const events = recorded('a-1', [anEvent(), anEvent(), anEvent(), anEvent()]);
    const edited = events.map((e, i) => (i === 1 ? { ...e, data: { changed: true } } : e));
    expect(checkAll(edited).breaks).toEqual([['a-1', 1, 'edited']]);
    // Edited, and its hash recomputed: the next event no longer follows.
    const rehashed = edited.map((e, i) => (i === 1 ? { ...e, metadata: { ...e.metadata, streamHash: streamHashOf(events[0].metadata.streamHash!, e) } } : e));
    expect(checkAll(rehashed).breaks).toEqual([['a-1', 2, 'edited']]);
  });

  it('names a deleted event by the revision missing, once; reordered events likewise', () => {
    const events = recorded('a-1', [anEvent(), anEvent(), anEvent(), anEvent()]);
    expect(checkAll([events[0], events[2], events[3]]).breaks).toEqual([['a-1', 2, 'missing']]);
    expect(checkAll([events[1], events[2], events[3]]).breaks).toEqual([['a-1', 1, 'missing']]);
    expect(checkAll([events[0], events[2], events[1], events[3]]).breaks).toEqual([
      ['a-1', 2, 'missing'],
      ['a-1', 1, 'missing'],
      ['a-1', 3, 'edited'],
    ]);
  });

  it('accepts events stored before the chain at the head of a stream; the chain starts at the first hashed event', () => {
    const old = [legacy('a-1', 0), legacy('a-1', 1)];
    const later = recorded('a-1', [anEvent(), anEvent()], 2, undefined);
    expect(later[0].metadata.streamHash).toBe(streamHashOf(STREAM_CHAIN_START, later[0]));
    expect(checkAll([...old, ...later])).toEqual({ breaks: [], report: { events: 4, streams: 1, unhashed: 2, breaks: 0 } });
  });

  it('refuses an event without a hash after hashed ones (its hash removed)', () => {
    const events = recorded('a-1', [anEvent(), anEvent(), anEvent()]);
    const { streamHash: _removed, ...bare } = events[1].metadata;
    expect(checkAll([events[0], { ...events[1], metadata: bare }, events[2]]).breaks).toEqual([['a-1', 1, 'unhashed']]);
  });
});
