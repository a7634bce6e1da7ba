import {
  ANY,
  AppendExpectedRevision,
  BACKWARDS,
  CurrentRevision,
  END,
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
  jsonEvent,
  streamNameFilter,
} from '@eventstore/db-client';
import type { AllStreamRecordedEvent, ReadAllOptions as EsdbReadAllOptions } from '@eventstore/db-client';
import { EventMetadata, NewEvent, RecordedEvent, StoredEvent } from '@access-ledger/core';
import {
  AppendOptions,
  AppendResult,
  AppendTooLargeError,
  EventFilter,
  EventStore,
  EventStoreAccessDeniedError,
  ExpectedRevision,
  HeadSnapshot,
  MAX_APPEND_BYTES,
  ReadAllOptions,
  ReadStreamOptions,
  SubscribeOptions,
  WrongExpectedRevisionError,
  appendSize,
  matchesFilter,
  replayOf,
  storedEventOf,
  revisionMatches,
} from './event-store';
import { ClientGuardLogger, guardBatchAppend } from './eventstoredb-client-guard';
import {
  AppendNotAnsweredError,
  AppendRetryPolicy,
  ConnectionInfo,
  DEFAULT_APPEND_RETRY,
  EventCounter,
  ResumePoint,
  afterCheckpoint,
  appendRetryDelay,
  checkConnectionString,
  classifyClientError,
  toPortError,
} from './eventstoredb-rules';
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
  /** Tries of an append that timed out or met a transport error, and the pauses between them (eventstoredb-rules.ts). */
  readonly appendRetry?: AppendRetryPolicy;
  /**
   * How long one try of an append waits for the client's answer before it counts as not answered (retryable). The client's
   * batch append has no deadline of its own on the stream; the server answers within the call's deadline (10 s by default).
   * Default 12000 ms.
   */
  readonly appendTimeoutMs?: number;
  /** Largest append sent, counted as the server counts it (appendSize); larger ones are refused before sending. Default MAX_APPEND_BYTES. */
  readonly maxAppendBytes?: number;
  /** Where the client guard and the head tracker report what they contained. Default: process warnings. */
  readonly logger?: ClientGuardLogger;
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
 * Idempotence (the port's rules, see EventStore.appendToStream). Events keep the ids we give
 * them. ESDB's own check for expectedRevision 'any' is a cache of recent ids, emptied by a server
 * restart, and 'any' is sent as an exact revision anyway (the hash chain, see appendToStream); so
 * the adapter looks for the ids in the stream itself, for every expectation, before it sends: a
 * stream past the expected revision is read from there (exact), or searched for the first id
 * ('any', 'stream_exists'). ESDB's check at an exact revision reads its index (durable); it only
 * remains for the race in which the original lands between our read and our append. There ESDB
 * answers a duplicate of a write not yet indexed by dropping it (IdempotentNotReady), and the
 * client gets a timeout: such appends are tried again (bounded, DEFAULT_APPEND_RETRY), and the
 * next try finds the original. An append that keeps failing that way ends as
 * EventStoreUnavailableError (503 with Retry-After), never as a raw client error.
 *
 * Client 6.2.1's batch append shares one table of pending appends across the process, so one
 * failed batch-append stream rejects the appends of every stream, and their late replies throw
 * inside the stream's data listener. eventstoredb-client-guard.ts contains that: no such error
 * ends the process, the rejected appends are retried here (safe: same ids, exact revision), and
 * an append whose answer never comes counts as not answered after `appendTimeoutMs`.
 */
export class EventStoreDbEventStore implements EventStore {
  private readonly client: EventStoreDBClient;
  private readonly connection: ConnectionInfo;
  private readonly seen = new SeenPositions();
  private readonly resubscribeDelayMs: number;
  private readonly maxResubscribeAttempts: number;
  private readonly pingTimeoutMs: number;
  private readonly appendRetry: AppendRetryPolicy;
  private readonly appendTimeoutMs: number;
  private readonly maxAppendBytes: number;
  private readonly logger: ClientGuardLogger;
  /** The head tracker (see head()), started by the first call. */
  private tracking?: Promise<EventCounter>;
  private readonly stopTracking = new AbortController();
  private closed = false;

  /** Throws when the connection string is not one the client reads as meant (checkConnectionString). */
  constructor(options: EventStoreDbEventStoreOptions) {
    this.connection = checkConnectionString(options.connectionString);
    this.logger = options.logger ?? { warn: (message) => process.emitWarning(message, 'EventStoreDbEventStore') };
    guardBatchAppend(this.logger);
    this.client = EventStoreDBClient.connectionString(options.connectionString);
    this.resubscribeDelayMs = options.resubscribeDelayMs ?? 250;
    this.maxResubscribeAttempts = options.maxResubscribeAttempts ?? 10;
    this.pingTimeoutMs = options.pingTimeoutMs ?? 5000;
    this.appendRetry = options.appendRetry ?? DEFAULT_APPEND_RETRY;
    this.appendTimeoutMs = options.appendTimeoutMs ?? 12_000;
    this.maxAppendBytes = options.maxAppendBytes ?? MAX_APPEND_BYTES;
  }

  /**
   * Asks the server once for the head of $all, as every consumer will: throws EventStoreAccessDeniedError when a secured
   * server refuses (no or wrong credentials, a user without read on $all), so a process can stop at start with one line
   * instead of retrying for ever; 'unreachable' when it does not answer (the process starts and reports itself not ready).
   */
  static async checkAccess(options: EventStoreDbEventStoreOptions): Promise<'ok' | 'unreachable'> {
    const store = new EventStoreDbEventStore(options);
    try {
      await store.ping();
      return 'ok';
    } catch (error) {
      if (error instanceof EventStoreAccessDeniedError) throw error;
      return 'unreachable';
    } finally {
      await store.close();
    }
  }

  private portError(error: unknown, streamId?: string, size?: number): unknown {
    return toPortError(error, { streamId, size, connection: this.connection });
  }

  /**
   * Appends with each event's `metadata.streamHash` (stream-chain.ts), which continues from the
   * stream's last event: so the adapter first reads that event (backwards, one event, from the
   * leader), then appends with an exact expected revision, which makes the pair safe: a writer
   * that got in between makes ESDB refuse the append, so no event is ever stored with a hash
   * computed from anything but its real predecessor.
   * - An exact expectation (`no_stream`, a number) is sent as it is when the read shows that
   *   revision. A stream past it is read from there for a retry of these ids (the port's rules);
   *   otherwise, or below it, the append is refused here.
   * - `any` and `stream_exists` become the revision read; a retry of an earlier append (the first
   *   id already in the stream) is looked for first, by reading the stream, and answered as the
   *   first time (ESDB's own check for `any` is a cache); losing a race reads again.
   * - The size is checked before sending (appendSize, `maxAppendBytes`).
   * That is one more round trip per append than a plain append. A try that times out or meets a
   * transport error is made again from the read, `appendRetry` bounding it.
   */
  async appendToStream(streamId: string, events: readonly NewEvent[], options: AppendOptions): Promise<AppendResult> {
    this.assertOpen();
    const { expectedRevision } = options;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return events.length === 0 ? await this.appendNothing(streamId, expectedRevision) : await this.tryAppend(streamId, events, expectedRevision);
      } catch (error) {
        const delay = appendRetryDelay(error, attempt, this.appendRetry);
        if (delay === null || this.closed) throw this.portError(error, streamId);
        await sleep(delay);
      }
    }
  }

  /** One try: read the stream's last event, decide, send. */
  private async tryAppend(streamId: string, events: readonly NewEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    const exact = expectedRevision === 'no_stream' || typeof expectedRevision === 'number';
    for (let race = 1; ; race += 1) {
      const last = await this.lastEvent(streamId);
      const current = last?.revision ?? -1;
      if (!revisionMatches(expectedRevision, current)) {
        // Past an exact expectation: the events right after it may be this very append, made before.
        const from = expectedRevision === 'no_stream' ? 0 : typeof expectedRevision === 'number' ? expectedRevision + 1 : -1;
        const replay = from >= 0 && current >= from ? replayOf(streamId, await this.readStreamRaw(streamId, { fromRevision: from, maxCount: events.length }), events) : null;
        if (replay) return replay;
        throw new WrongExpectedRevisionError(streamId, expectedRevision, current);
      }
      if (!exact) {
        const earlier = current >= 0 ? await this.earlierAppend(streamId, events) : null;
        if (earlier) return earlier;
      }
      // An event written by other means may have no (JSON) metadata: the chain then starts afresh, as after events from before it.
      const previous = typeof last?.metadata?.streamHash === 'string' ? last.metadata.streamHash : undefined;
      const chained = chainedEvents(streamId, current + 1, previous, events);
      const size = appendSize(chained);
      if (size > this.maxAppendBytes) throw new AppendTooLargeError(streamId, size, this.maxAppendBytes);
      const sent: ExpectedRevision = exact ? expectedRevision : current < 0 ? 'no_stream' : current;
      try {
        return await this.appendExactly(streamId, chained, sent, size);
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        // Another writer got in between: read again, which also finds this append if it was made meanwhile. An exact
        // expectation is the caller's, so it is read once more only; `any` and `stream_exists` go on while they lose races.
        if (race >= (exact ? 2 : MAX_CHAINED_APPEND_ATTEMPTS)) throw new WrongExpectedRevisionError(streamId, expectedRevision, error.actual);
      }
    }
  }

  private async appendExactly(streamId: string, events: readonly ChainedEvent[], expectedRevision: ExpectedRevision, size: number): Promise<AppendResult> {
    let result;
    try {
      result = await answeredWithin(
        this.client.appendToStream(streamId, events.map(toEventData), { expectedRevision: toEsdbExpectedRevision(expectedRevision) }),
        this.appendTimeoutMs,
      );
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) {
        throw new WrongExpectedRevisionError(streamId, expectedRevision, toRevision(error.actualVersion));
      }
      // The server's limit may differ from ours: its refusal is the same typed error.
      if (classifyClientError(error) === 'too-large') throw this.portError(error, streamId, size);
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
   * does: the stream is read to find the first id (replayOf decides from there).
   */
  private async earlierAppend(streamId: string, events: readonly NewEvent[]): Promise<AppendResult | null> {
    const stored = await this.readStreamRaw(streamId);
    const first = stored.findIndex((event) => event.eventId === events[0].eventId);
    return first < 0 ? null : replayOf(streamId, stored.slice(first, first + events.length), events);
  }

  /** An empty append stores nothing but still checks the revision, as the SQLite adapter does. */
  private async appendNothing(streamId: string, expected: ExpectedRevision): Promise<AppendResult> {
    const [last] = await this.readStreamRaw(streamId, { direction: 'backwards', maxCount: 1 });
    const current = last?.revision ?? -1;
    if (!revisionMatches(expected, current)) throw new WrongExpectedRevisionError(streamId, expected, current);
    return { nextExpectedRevision: current, position: last?.position ?? 0 };
  }

  private async currentRevision(streamId: string): Promise<number> {
    const [last] = await this.readStreamRaw(streamId, { direction: 'backwards', maxCount: 1 });
    return last?.revision ?? -1;
  }

  private async positionOfRevision(streamId: string, revision: number): Promise<number> {
    const [event] = await this.readStreamRaw(streamId, { fromRevision: revision, maxCount: 1 });
    if (!event) throw new Error(`Stream ${streamId}: revision ${revision} was acknowledged but cannot be read`);
    return event.position;
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    try {
      return await this.readStreamRaw(streamId, options);
    } catch (error) {
      throw this.portError(error, streamId);
    }
  }

  /** readStream with the client's own errors, for the append's retry decisions. */
  private async readStreamRaw(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
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
    try {
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
    } catch (error) {
      throw this.portError(error);
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
        // The server's checkpoint, applied once every event received before it has been taken (afterCheckpoint), so a
        // resubscription skips what the server already filtered out instead of scanning it again.
        let checkpoint: Position | undefined;
        const drained = () => {
          if (checkpoint) ({ next, after: resumeAfter } = afterCheckpoint({ next, after: resumeAfter } satisfies ResumePoint, checkpoint));
          checkpoint = undefined;
        };
        const subscription = this.client.subscribeToAll({
          fromPosition,
          filter: { ...serverSideFilter(filter), checkpointReached: (_, position) => void (checkpoint = position) },
        });
        subscription.once('confirmation', () => {
          failures = 0;
        });
        for await (const { event } of untilAborted(subscription, signal, drained)) {
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
        if (classifyClientError(error) !== 'retryable' || failures >= this.maxResubscribeAttempts) throw this.portError(error);
      }
      if (this.closed || signal?.aborted) return;
      failures += 1;
      await sleep(Math.min(this.resubscribeDelayMs * 2 ** (failures - 1), MAX_RESUBSCRIBE_DELAY_MS), signal);
    }
  }

  /** Position of the last non-system event in $all, 0 when there is none: read from the end of $all. */
  async headPosition(): Promise<number> {
    this.assertOpen();
    try {
      for await (const { event } of this.readAllEvents({ direction: BACKWARDS, fromPosition: END })) {
        if (event && !isSystemEvent(event)) return this.remember(event);
      }
      return 0;
    } catch (error) {
      throw this.portError(error);
    }
  }

  /**
   * The head for lag reporting, from a head tracker: the first call reads the head once (headPosition) and subscribes
   * to $all after it (system events filtered out on the server); from then on every event is counted as it arrives, so
   * a call reads nothing, and `eventsAfter` counts events for any position the tracker has seen pass (null before it
   * started: positions are byte offsets, not counts). Costs one subscription per process, carrying every event once.
   * A tracker whose subscription fails is started again by the next call.
   */
  async head(): Promise<HeadSnapshot> {
    this.assertOpen();
    this.tracking ??= this.startTracking();
    const tracking = this.tracking;
    let counter: EventCounter;
    try {
      counter = await tracking;
    } catch (error) {
      if (this.tracking === tracking) this.tracking = undefined;
      throw error;
    }
    const position = counter.head;
    return { position, eventsAfter: (after) => counter.eventsBetween(after, position) };
  }

  private async startTracking(): Promise<EventCounter> {
    const counter = new EventCounter(await this.headPosition());
    const tracking = this.tracking;
    void (async () => {
      try {
        for await (const event of this.subscribeToAll({ fromPosition: counter.head + 1, signal: this.stopTracking.signal })) counter.add(event.position);
      } catch (error) {
        this.logger.warn(`EventStoreDB head tracker stopped (${error instanceof Error ? error.message : String(error)}); the next lag report starts it again`);
      } finally {
        if (this.tracking === tracking) this.tracking = undefined;
      }
    })();
    return counter;
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
    } catch (error) {
      throw this.portError(error);
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
    this.stopTracking.abort();
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
 * cases. `drained` is called whenever every event the subscription has received has been taken.
 */
async function* untilAborted<T>(subscription: ReadableSubscription<T>, signal?: AbortSignal, drained?: () => void): AsyncGenerator<T> {
  const iterator = subscription[Symbol.asyncIterator]();
  let onAbort = ignore;
  const aborted = new Promise<IteratorReturnResult<undefined>>((resolve) => {
    onAbort = () => resolve({ done: true, value: undefined });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    while (!signal?.aborted) {
      // Everything the subscription received so far has been taken.
      if (subscription.readableLength === 0) drained?.();
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

/** The client's answer, or AppendNotAnsweredError after `ms` (the client may leave a batch append unanswered for ever). */
const answeredWithin = <T>(answer: Promise<T>, ms: number): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AppendNotAnsweredError(ms)), ms);
  });
  // A late rejection of an append given up on must not become an unhandled rejection.
  answer.catch(ignore);
  return Promise.race([answer, late]).finally(() => clearTimeout(timer));
};

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
