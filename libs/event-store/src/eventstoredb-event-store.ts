import {
  ANY,
  AppendExpectedRevision,
  BACKWARDS,
  CurrentRevision,
  END,
  ErrorType,
  EventStoreDBClient,
  FORWARDS,
  Filter,
  JSONType,
  NO_STREAM,
  Position,
  ReadPosition,
  ReadableSubscription,
  RecordedEvent as EsdbRecordedEvent,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  StreamingRead,
  WrongExpectedVersionError,
  eventTypeFilter,
  excludeSystemEvents,
  isCommandError,
  jsonEvent,
  streamNameFilter,
} from '@eventstore/db-client';
import type { AllStreamRecordedEvent, ReadAllOptions as EsdbReadAllOptions } from '@eventstore/db-client';
import { EventMetadata, NewEvent, RecordedEvent, StoredEvent } from '@access-ledger/core';
import {
  AppendOptions,
  AppendResult,
  DuplicateEventIdError,
  EventFilter,
  EventStore,
  ExpectedRevision,
  ReadAllOptions,
  ReadStreamOptions,
  SubscribeOptions,
  WrongExpectedRevisionError,
  matchesFilter,
  storedEventOf,
  revisionMatches,
} from './event-store';
import { ChainedEvent, chainedEvents } from './stream-chain';

export interface EventStoreDbEventStoreOptions {
  /** For example `esdb://localhost:2113?tls=false`, or a cluster's `esdb+discover://` string. */
  readonly connectionString: string;
  /** First pause before resubscribing after a dropped subscription; it doubles up to 5 s. Default 250 ms. */
  readonly resubscribeDelayMs?: number;
  /**
   * Resubscriptions in a row that may fail before subscribeToAll throws, so that its
   * consumer sees (and reports) an outage. Default 10, about 30 s with the default delays.
   */
  readonly maxResubscribeAttempts?: number;
  /** How long ping() waits for an answer. Default 5000 ms. */
  readonly pingTimeoutMs?: number;
}

/**
 * The EventStoreDB adapter (gRPC client `@eventstore/db-client` 6.x). Needs server 22.6 or
 * later, in practice an LTS from 22.10 on (see stream reads below).
 *
 * Positions. ESDB places an event in $all with a `{ commit, prepare }` pair of byte offsets
 * into its transaction log; our port wants one number. We use the commit position, because
 * every event appended through gRPC has its own commit position, equal to its prepare
 * position and strictly increasing along $all:
 * - the server writes each event of an append as its own prepare record flagged
 *   `IsCommitted` (an implicit transaction; no separate commit record): StorageWriterService
 *   in EventStore/EventStore;
 * - reading $all, such a record is reported with commit position = its own log position
 *   (`new CommitEventRecord(eventRecord, prepare.LogPosition)` in AllReader.cs), so the
 *   events of one append do not share a commit position. EventStore-Client-Dotnet#20 shows it
 *   on a 4096-event append (commit 3418, 3512, 3606, ...); the prepare position was the one
 *   that was wrong there (the transaction's start, shared by the batch) until
 *   EventStore/EventStore#2522 (June 2020) made it the event's own;
 * - the commit position is the key $all is ordered by, so it is the safer of the two.
 * Only events of explicit transactions (the legacy TCP API's TransactionStart/Commit, which
 * gRPC clients cannot create) share a commit position; this adapter does not support them.
 * Offsets stay below 2^53 for any log smaller than 8 PiB, so `Number()` is exact.
 *
 * An append returns the commit position of its last event (the request manager answers with
 * the log position of the prepare that ends the implicit transaction). A retried append that
 * ESDB recognises as already written may come back without a position; we then read it.
 * Stream reads carry $all positions only from server 22.6 on (EventStore/EventStore#3459);
 * on older servers readStream throws rather than invent positions.
 *
 * fromPosition. Our positions are inclusive numbers, and `checkpoint + 1` is never the
 * position of an event. ESDB reads the log record found exactly at the position it is given
 * (an unscavenged chunk does not search for the next record boundary), so it must only ever
 * be given the exact `{ commit, prepare }` of a real event, or START/END. So every read and
 * subscription starts at the exact position of an event *below* `fromPosition`, or at START,
 * and drops whatever comes before `fromPosition`. That start is found, in this order:
 * 1. among the exact positions of $all events this instance has already seen (a bounded
 *    index): a runner that resumes from the last position it was given, or a rebuild that
 *    pages with `checkpoint + 1`, starts right there;
 * 2. otherwise by walking $all backwards from its end to the first event below
 *    `fromPosition` (cheap for a consumer close to the head), unless reading forwards from
 *    START (or from a seen position) wastes less, judged by the byte distance to the head.
 *
 * Subscriptions. ESDB subscribes from *after* the given position (we do not rely on it: what
 * is below the next position to deliver is dropped either way). We keep the exact position
 * of the last event the subscription delivered (or filtered out); when the subscription
 * errors or the server ends it, we resubscribe after it, after a backoff, and still drop
 * anything at or below what was delivered, so no event is repeated and none is skipped.
 * Aborting the signal or leaving the loop unsubscribes.
 *
 * Filters. Client 6.2.1 sends `NoFilter` on every readAll (dist/streams/readAll.js), so
 * readAll filters in JS, as it streams (see readAll). subscribeToAll filters on the server by stream prefix, else by event
 * type prefix, else excludes system events; the rest (exact types, system streams) in JS.
 *
 * Idempotence. Events keep the ids we give them, and ESDB treats an append whose ids are
 * already at the expected revision as done (it returns the earlier result). ESDB's check for
 * expectedRevision 'any' is best effort (a cache of recent ids), and 'any' is sent as an exact
 * revision anyway (the hash chain, see appendToStream), so for 'any' and 'stream_exists' the
 * adapter looks for the ids in the stream itself. ESDB does not report ids used elsewhere, so
 * DuplicateEventIdError comes from this adapter only for ids found in part in the same stream.
 */
export class EventStoreDbEventStore implements EventStore {
  private readonly client: EventStoreDBClient;
  private readonly seen = new SeenPositions();
  private readonly resubscribeDelayMs: number;
  private readonly maxResubscribeAttempts: number;
  private readonly pingTimeoutMs: number;
  private closed = false;

  constructor(options: EventStoreDbEventStoreOptions) {
    this.client = EventStoreDBClient.connectionString(options.connectionString);
    this.resubscribeDelayMs = options.resubscribeDelayMs ?? 250;
    this.maxResubscribeAttempts = options.maxResubscribeAttempts ?? 10;
    this.pingTimeoutMs = options.pingTimeoutMs ?? 5000;
  }

  /**
   * Appends with each event's `metadata.streamHash` (stream-chain.ts), which continues from the
   * stream's last event: so the adapter first reads that event (backwards, one event, from the
   * leader), then appends with an exact expected revision, which makes the pair safe: a writer
   * that got in between makes ESDB refuse the append, so no event is ever stored with a hash
   * computed from anything but its real predecessor.
   * - An exact expectation (`no_stream`, a number) is sent as it is. Where the read shows another
   *   revision, ESDB either recognises a retry of these ids and writes nothing, or refuses; a
   *   read *below* the expected revision is refused here, since the events could only be
   *   chained from an event not read.
   * - `any` and `stream_exists` become the revision read; a retry of an earlier append (the first
   *   id already in the stream) is looked for first, by reading the stream, and answered as the
   *   first time (ESDB's own check for `any` is best effort); losing a race reads again.
   * That is one more round trip per append than a plain append.
   */
  async appendToStream(streamId: string, events: readonly NewEvent[], options: AppendOptions): Promise<AppendResult> {
    this.assertOpen();
    const { expectedRevision } = options;
    if (events.length === 0) return this.appendNothing(streamId, expectedRevision);
    const exact = expectedRevision === 'no_stream' || typeof expectedRevision === 'number';
    for (let attempt = 1; ; attempt += 1) {
      const last = await this.lastEvent(streamId);
      const current = last?.revision ?? -1;
      if (typeof expectedRevision === 'number' && current < expectedRevision) {
        throw new WrongExpectedRevisionError(streamId, expectedRevision, current);
      }
      if (!exact) {
        if (!revisionMatches(expectedRevision, current)) throw new WrongExpectedRevisionError(streamId, expectedRevision, current);
        const earlier = current >= 0 ? await this.earlierAppend(streamId, events) : null;
        if (earlier) return earlier;
      }
      // An event written by other means may have no (JSON) metadata: the chain then starts afresh, as after events from before it.
      const previous = typeof last?.metadata?.streamHash === 'string' ? last.metadata.streamHash : undefined;
      const chained = chainedEvents(streamId, current + 1, previous, events);
      const sent: ExpectedRevision = exact ? expectedRevision : current < 0 ? 'no_stream' : current;
      try {
        return await this.appendExactly(streamId, chained, sent);
      } catch (error) {
        // Only `any` and `stream_exists` are ours to retry; an exact expectation is the caller's.
        if (exact || !(error instanceof WrongExpectedRevisionError) || attempt >= MAX_CHAINED_APPEND_ATTEMPTS) {
          if (error instanceof WrongExpectedRevisionError) throw new WrongExpectedRevisionError(streamId, expectedRevision, error.actual);
          throw error;
        }
      }
    }
  }

  private async appendExactly(streamId: string, events: readonly ChainedEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    let result;
    try {
      result = await this.client.appendToStream(streamId, events.map(toEventData), {
        expectedRevision: toEsdbExpectedRevision(expectedRevision),
      });
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) {
        throw new WrongExpectedRevisionError(streamId, expectedRevision, toRevision(error.actualVersion));
      }
      throw error;
    }
    if (!result.success) {
      // Only when the connection string sets throwOnAppendFailure=false; the revision the
      // client reports then is not reliable (batch appends), so read it.
      throw new WrongExpectedRevisionError(streamId, expectedRevision, await this.currentRevision(streamId));
    }
    const nextExpectedRevision = Number(result.nextExpectedRevision);
    const position = positionNumber(result.position) ?? (await this.positionOfRevision(streamId, nextExpectedRevision));
    return { nextExpectedRevision, position };
  }

  /** The stream's last event, read from the leader (the one an append is chained to), or undefined. */
  private async lastEvent(streamId: string): Promise<RecordedEvent | undefined> {
    const read = this.client.readStream(streamId, { direction: BACKWARDS, fromRevision: END, maxCount: 1, requiresLeader: true });
    try {
      for await (const { event } of consume(read)) {
        if (event) return toRecorded(event, streamReadPosition(event));
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return undefined;
      throw error;
    }
    return undefined;
  }

  /**
   * A retried append (same ids, same stream) answered as the first time, as the SQLite adapter
   * does: the stream is read to find the first id; ids found only in part are refused.
   */
  private async earlierAppend(streamId: string, events: readonly NewEvent[]): Promise<AppendResult | null> {
    const stored = await this.readStream(streamId);
    const first = stored.findIndex((event) => event.eventId === events[0].eventId);
    if (first < 0) return null;
    const replayed = stored.slice(first, first + events.length);
    if (replayed.length !== events.length || replayed.some((event, i) => event.eventId !== events[i].eventId)) {
      throw new DuplicateEventIdError(events[0].eventId);
    }
    const last = replayed[replayed.length - 1];
    return { nextExpectedRevision: last.revision, position: last.position };
  }

  /** An empty append stores nothing but still checks the revision, as the SQLite adapter does. */
  private async appendNothing(streamId: string, expected: ExpectedRevision): Promise<AppendResult> {
    const [last] = await this.readStream(streamId, { direction: 'backwards', maxCount: 1 });
    const current = last?.revision ?? -1;
    if (!revisionMatches(expected, current)) throw new WrongExpectedRevisionError(streamId, expected, current);
    return { nextExpectedRevision: current, position: last?.position ?? 0 };
  }

  private async currentRevision(streamId: string): Promise<number> {
    const [last] = await this.readStream(streamId, { direction: 'backwards', maxCount: 1 });
    return last?.revision ?? -1;
  }

  private async positionOfRevision(streamId: string, revision: number): Promise<number> {
    const [event] = await this.readStream(streamId, { fromRevision: revision, maxCount: 1 });
    if (!event) throw new Error(`Stream ${streamId}: revision ${revision} was acknowledged but cannot be read`);
    return event.position;
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    if (options.maxCount !== undefined && options.maxCount <= 0) return [];
    const backwards = options.direction === 'backwards';
    const read = this.client.readStream(streamId, {
      direction: backwards ? BACKWARDS : FORWARDS,
      fromRevision: options.fromRevision !== undefined ? BigInt(options.fromRevision) : backwards ? END : START,
      maxCount: options.maxCount,
    });
    const events: RecordedEvent[] = [];
    try {
      for await (const { event } of consume(read)) {
        if (event) events.push(toRecorded(event, streamReadPosition(event)));
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    return events;
  }

  /**
   * One forward read of $all, streamed: the client's `readAll` is a Node stream fed by the gRPC
   * server stream with back-pressure (a few dozen events buffered), so memory stays constant
   * whatever the length; leaving the loop cancels the call. The filter and `maxCount` apply
   * here, in JS, not on the server: client 6.2.1 sends no filter on readAll, and the server's
   * count would include what we drop (system events, events below `fromPosition`, events the
   * filter refuses), so a server-side maxCount could end the read early.
   */
  async *readAll(options: ReadAllOptions = {}): AsyncGenerator<RecordedEvent> {
    this.assertOpen();
    const from = Math.max(0, options.fromPosition ?? 0);
    const maxCount = options.maxCount ?? Number.POSITIVE_INFINITY;
    if (maxCount <= 0) return;
    const fromPosition = await this.startBefore(from);
    let yielded = 0;
    for await (const { event } of this.readAllEvents({ fromPosition, direction: FORWARDS })) {
      if (!event) continue;
      const position = this.remember(event);
      if (position < from || isSystemEvent(event) || !matchesFilter(event, options.filter)) continue;
      yield toRecorded(event, position);
      yielded += 1;
      if (yielded >= maxCount) return;
    }
  }

  /** The client parses every JSON event it reads (it gives no bytes), so this is readAll with data and metadata written back as JSON (storedEventOf). */
  async *readAllStored(options: ReadAllOptions = {}): AsyncGenerator<StoredEvent> {
    for await (const event of this.readAll(options)) yield storedEventOf(event);
  }

  async *subscribeToAll(options: SubscribeOptions = {}): AsyncGenerator<RecordedEvent> {
    const { filter, signal } = options;
    /** The lowest position still to deliver. */
    let next = Math.max(0, options.fromPosition ?? 0);
    /** Exact position of the last event received, to resubscribe after it. */
    let resumeAfter: Position | undefined;
    let failures = 0;
    while (!this.closed && !signal?.aborted) {
      try {
        const fromPosition = resumeAfter ?? (await this.startBefore(next));
        const subscription = this.client.subscribeToAll({ fromPosition, filter: serverSideFilter(filter) });
        subscription.once('confirmation', () => {
          failures = 0;
        });
        for await (const { event } of untilAborted(subscription, signal)) {
          if (!event) continue;
          const position = this.remember(event);
          if (position < next) continue;
          next = position + 1;
          resumeAfter = event.position;
          if (isSystemEvent(event) || !matchesFilter(event, filter)) continue;
          yield toRecorded(event, position);
        }
        // Ended without an error: aborted (checked below), or the server closed it (shutting down).
      } catch (error) {
        if (this.closed || signal?.aborted) return;
        if (!isTransient(error) || failures >= this.maxResubscribeAttempts) throw error;
      }
      if (this.closed || signal?.aborted) return;
      failures += 1;
      await sleep(Math.min(this.resubscribeDelayMs * 2 ** (failures - 1), MAX_RESUBSCRIBE_DELAY_MS), signal);
    }
  }

  /** Position of the last non-system event in $all, 0 when there is none. */
  async headPosition(): Promise<number> {
    this.assertOpen();
    for await (const { event } of this.readAllEvents({ direction: BACKWARDS, fromPosition: END })) {
      if (event && !isSystemEvent(event)) return this.remember(event);
    }
    return 0;
  }

  async ping(): Promise<void> {
    this.assertOpen();
    const read = this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 });
    const answered = (async () => {
      for await (const resolved of read) void resolved;
    })();
    answered.catch(ignore);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`EventStoreDB did not answer within ${this.pingTimeoutMs} ms`)), this.pingTimeoutMs);
    });
    try {
      await Promise.race([answered, timedOut]);
    } finally {
      clearTimeout(timer);
      read.on('error', ignore);
      await read.cancel().catch(ignore);
      read.destroy();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.dispose();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('Event store is closed');
  }

  /** Our number for an event read from $all, whose exact position is kept to start reads from. */
  private remember(event: AllStreamRecordedEvent): number {
    const position = allReadPosition(event);
    this.seen.add(position, event.position);
    return position;
  }

  /**
   * Where a forward read (inclusive) or a subscription (exclusive) must start so as to miss
   * no event at or after `from`: the exact position of an event below `from`, or START.
   * See "fromPosition" in the class comment.
   */
  private async startBefore(from: number): Promise<ReadPosition> {
    if (from <= 0) return START;
    const known = this.seen.below(from);
    if (known && from - known.at <= NEAR_ENOUGH_BYTES) return known.position;
    const forwardFrom = known?.position ?? START;
    const forwardWaste = from - (known?.at ?? 0);
    let head: number | undefined;
    for await (const { event } of this.readAllEvents({ direction: BACKWARDS, fromPosition: END })) {
      if (!event) continue;
      const position = allReadPosition(event);
      if (position < from) {
        this.remember(event);
        return event.position;
      }
      // The first event read backwards is the head: walking down to `from` costs about
      // head - from bytes, reading forwards from the start point costs `forwardWaste`.
      head ??= position;
      if (head - from > forwardWaste) return forwardFrom;
    }
    return START;
  }

  /** A forward or backward read of $all, cancelled when the caller stops early. */
  private async *readAllEvents(options: EsdbReadAllOptions) {
    yield* consume(this.client.readAll(options));
  }
}

/** Within this many bytes (a few thousand events) a seen position is used without looking further. */
const NEAR_ENOUGH_BYTES = 1 << 20;
/** Tries of an `any` or `stream_exists` append that keeps losing the race to other writers (each loss re-reads the stream's last event). */
const MAX_CHAINED_APPEND_ATTEMPTS = 50;
const MAX_RESUBSCRIBE_DELAY_MS = 5000;
const MAX_SAFE_POSITION = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * The commit position as a number, or undefined when the server sent none: servers before
 * 22.6 send 2^64 - 1 (or nothing, read as 0) on stream reads; 0 is never an event's position
 * (the log opens with an epoch record).
 */
const positionNumber = (position: Position | undefined): number | undefined =>
  position && position.commit > 0n && position.commit <= MAX_SAFE_POSITION ? Number(position.commit) : undefined;

const allReadPosition = (event: AllStreamRecordedEvent): number => {
  const position = positionNumber(event.position);
  if (position === undefined) throw new Error(`EventStoreDB reported no $all position for event ${event.id} in ${event.streamId}`);
  return position;
};

const streamReadPosition = (event: EsdbRecordedEvent): number => {
  const position = positionNumber(event.position);
  if (position === undefined) {
    throw new Error(
      `EventStoreDB reported no $all position for event ${event.id} in ${event.streamId}; stream reads carry positions from EventStoreDB 22.6 on`,
    );
  }
  return position;
};

const toRecorded = (event: EsdbRecordedEvent, position: number): RecordedEvent => ({
  eventId: event.id,
  type: event.type,
  streamId: event.streamId,
  revision: Number(event.revision),
  position,
  data: event.data,
  // Appended by this adapter as a JSON object (see toEventData), so parsed back into one.
  metadata: event.metadata as unknown as EventMetadata,
});

/** Data and metadata parsed back from their canonical text, so ESDB stores (and gives back) their members in canonical order. */
const toEventData = (event: ChainedEvent) =>
  jsonEvent({
    id: event.eventId,
    type: event.type,
    data: JSON.parse(event.dataJson) as JSONType,
    metadata: JSON.parse(event.metadataJson) as JSONType,
  });

const toEsdbExpectedRevision = (expected: ExpectedRevision): AppendExpectedRevision => {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      return BigInt(expected);
  }
};

/** The client reports a missing stream as 'no_stream' (and some paths as -1). */
const toRevision = (current: CurrentRevision): number =>
  typeof current === 'bigint' && current >= 0n ? Number(current) : -1;

const isSystemEvent = (event: Pick<EsdbRecordedEvent, 'type' | 'streamId'>): boolean =>
  event.type.startsWith('$') || event.streamId.startsWith('$');

/** One server-side filter; matchesFilter and isSystemEvent apply the whole filter in JS. */
const serverSideFilter = (filter?: EventFilter): Filter => {
  if (filter?.streamPrefixes?.length) return streamNameFilter({ prefixes: [...filter.streamPrefixes] });
  if (filter?.eventTypes?.length) return eventTypeFilter({ prefixes: [...filter.eventTypes] });
  return excludeSystemEvents();
};

const TRANSIENT_ERRORS: ReadonlySet<ErrorType> = new Set([
  ErrorType.UNAVAILABLE,
  ErrorType.DEADLINE_EXCEEDED,
  ErrorType.TIMEOUT,
  ErrorType.CANCELLED,
  ErrorType.NOT_LEADER,
  ErrorType.UNKNOWN,
]);

/** A dropped connection, a leader change or a server-side cancel: worth resubscribing. */
const isTransient = (error: unknown): boolean => {
  if (!(error instanceof Error)) return false;
  if (isCommandError(error)) return TRANSIENT_ERRORS.has(error.type);
  return (error as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE';
};

const ignore = (): void => undefined;

/** Iterates a read, and cancels the gRPC call when the caller stops before its end. */
async function* consume<T>(read: StreamingRead<T>): AsyncGenerator<T> {
  let finished = false;
  try {
    for await (const item of read) yield item;
    finished = true;
  } finally {
    if (!finished) {
      // A failure the client reports after we stopped listening must not become an unhandled 'error' event.
      read.on('error', ignore);
      await read.cancel().catch(ignore);
    }
  }
}

/**
 * Iterates a subscription until the server ends it, it fails, the caller stops, or `signal`
 * aborts; an abort releases a caller waiting for the next event at once. Unsubscribes in all
 * cases.
 */
async function* untilAborted<T>(subscription: ReadableSubscription<T>, signal?: AbortSignal): AsyncGenerator<T> {
  const iterator = subscription[Symbol.asyncIterator]();
  let onAbort = ignore;
  const aborted = new Promise<IteratorReturnResult<undefined>>((resolve) => {
    onAbort = () => resolve({ done: true, value: undefined });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    while (!signal?.aborted) {
      const pending = iterator.next();
      // Left pending when the abort wins; it settles once the subscription is destroyed.
      pending.catch(ignore);
      const result = await Promise.race([pending, aborted]);
      if (result.done) return;
      yield result.value;
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    subscription.on('error', ignore);
    await subscription.unsubscribe().catch(ignore);
    subscription.destroy();
  }
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * Exact $all positions of events this store has seen, by number, so reads can start at a
 * real event (see the class comment). Bounded: past its capacity it forgets the lowest half.
 */
class SeenPositions {
  private entries: { readonly at: number; readonly position: Position }[] = [];

  constructor(private readonly capacity = 8192) {}

  add(at: number, position: Position): void {
    const last = this.entries[this.entries.length - 1];
    if (!last || at > last.at) {
      this.entries.push({ at, position });
    } else {
      const i = this.firstAtOrAbove(at);
      if (this.entries[i]?.at === at) return;
      this.entries.splice(i, 0, { at, position });
    }
    if (this.entries.length > this.capacity) this.entries = this.entries.slice(this.entries.length - this.capacity / 2);
  }

  /** The highest seen position strictly below `at`. */
  below(at: number): { readonly at: number; readonly position: Position } | undefined {
    const i = this.firstAtOrAbove(at);
    return i > 0 ? this.entries[i - 1] : undefined;
  }

  private firstAtOrAbove(at: number): number {
    let low = 0;
    let high = this.entries.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.entries[mid].at < at) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
