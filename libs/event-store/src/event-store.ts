import { NewEvent, RecordedEvent, StoredEvent } from '@access-ledger/core';

/**
 * The port every event store adapter implements (SQLite embedded, EventStoreDB).
 *
 * Positions are global, strictly increasing numbers; a subscriber never sees a position
 * appear below one it has already seen. Revisions count from 0 within a stream.
 */
export type ExpectedRevision = 'no_stream' | 'stream_exists' | 'any' | number;

export interface AppendOptions {
  readonly expectedRevision: ExpectedRevision;
}

export interface AppendResult {
  /** Revision of the last event now in the stream: pass it as the next expectedRevision. */
  readonly nextExpectedRevision: number;
  /** Global position of the last appended event. */
  readonly position: number;
}

export interface ReadStreamOptions {
  readonly fromRevision?: number;
  readonly maxCount?: number;
  readonly direction?: 'forwards' | 'backwards';
}

/** Selects events by type or by stream-id prefix; both given means both must hold. */
export interface EventFilter {
  readonly eventTypes?: readonly string[];
  readonly streamPrefixes?: readonly string[];
}

export interface ReadAllOptions {
  /** Inclusive: the first event returned has `position >= fromPosition`. Default 0. */
  readonly fromPosition?: number;
  /** At most this many matching events. Default: to the end of the log. */
  readonly maxCount?: number;
  readonly filter?: EventFilter;
}

export interface SubscribeOptions {
  /** Inclusive, as in readAll. A projection resumes from `checkpoint + 1`. */
  readonly fromPosition?: number;
  readonly filter?: EventFilter;
  /** Ends the subscription: the iterator returns once it notices. */
  readonly signal?: AbortSignal;
}

/** What lag reporting needs from the store, answered without reading the log. */
export interface HeadSnapshot {
  /** The newest event position the store knows of (0 when empty); may trail headPosition() by the events of the last moments. */
  readonly position: number;
  /**
   * How many events lie after `position` up to `this.position` (0 when `position` is at or past it), or null when the
   * store cannot count them without reading the log (EventStoreDB positions are byte offsets).
   */
  eventsAfter(position: number): number | null;
}

export interface EventStore {
  /**
   * Appends `events` to `streamId` if its revision is `expectedRevision`, all or nothing, each event with
   * `metadata.streamHash`, the stream's hash chain (stream-chain.ts), computed from the stream's last stored event inside
   * the append's own revision check, so no caller can bypass or break it.
   *
   * Idempotent per stream, by event ids, in every adapter and across restarts (the ids are looked for in the stream itself,
   * never in a cache; EventStoreDB's own check for `any` is a cache of recent ids that a server restart empties, which no
   * adapter relies on):
   * - exact expectations (`no_stream`, a number): when the stream has moved past the expected revision and the events right
   *   after it carry these ids in this order, nothing is stored and the first append's result is returned;
   * - `any`, `stream_exists`: the same, found by the batch's first id anywhere in the stream;
   * - a partial overlap (the first id is found but the stored events that follow it are not exactly the batch: fewer, more
   *   in the batch, or other ids) raises DuplicateEventIdError and stores nothing;
   * - ids are only recognised through the batch's first id: a batch whose first id is new is a new append (an exact
   *   expectation then fails as usual; `any` writes it, even if a later id of it is already in the stream).
   * Ids are not looked for in other streams.
   *
   * Errors: WrongExpectedRevisionError, DuplicateEventIdError, AppendTooLargeError (over MAX_APPEND_BYTES, nothing is
   * sent), EventStoreUnavailableError (retryable: the store could not be reached or did not confirm in time, after the
   * adapter's own bounded retries; the append may or may not have been stored, and retrying it with the same ids is safe),
   * EventStoreAccessDeniedError.
   */
  appendToStream(streamId: string, events: readonly NewEvent[], options: AppendOptions): Promise<AppendResult>;
  /** Events of one stream; an unknown stream reads as empty. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /**
   * The log from `fromPosition` in position order, matching events only, as a stream: the
   * adapter reads it in pages (or a server stream) as the consumer pulls, so a read of the whole
   * log takes constant memory, and leaving the loop early stops the reading (and releases what
   * the read holds). A paused read blocks no writer. Events appended while a read is under way
   * may or may not be included; for "catch up, then live" use subscribeToAll.
   */
  readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent>;
  /**
   * The same read as readAll, each event with its data and metadata as the JSON text the store
   * holds, not parsed (for readers that pass the text on: the audit export). An adapter whose
   * driver gives parsed events only (EventStoreDB's client) writes their JSON back
   * (`storedEventOf`), which the members' order it kept makes the stored text again.
   */
  readAllStored(options?: ReadAllOptions): AsyncIterable<StoredEvent>;
  /** Catches up from `fromPosition`, then goes live; every matching event exactly once, in position order. */
  subscribeToAll(options?: SubscribeOptions): AsyncIterable<RecordedEvent>;
  /** Position of the newest event in the store (0 when empty), read from the store itself. */
  headPosition(): Promise<number>;
  /** The head for lag reporting: cheap to call on every scrape or probe, reads no event (see HeadSnapshot). */
  head(): Promise<HeadSnapshot>;
  /** Throws when the store cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export class WrongExpectedRevisionError extends Error {
  readonly code = 'wrong-expected-revision';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    /** Current revision, -1 when the stream does not exist. */
    readonly actual: number,
  ) {
    super(`Stream ${streamId}: expected revision ${String(expected)}, actual ${actual < 0 ? 'no stream' : actual}`);
    this.name = 'WrongExpectedRevisionError';
  }
}

/** Some of the event ids were appended to this stream before, but not as this same batch (see appendToStream). */
export class DuplicateEventIdError extends Error {
  readonly code = 'duplicate-event-id';
  constructor(
    readonly streamId: string,
    readonly eventId: string,
  ) {
    super(`Stream ${streamId}: event id ${eventId} was appended before, but not with the events that follow it in this append`);
    this.name = 'DuplicateEventIdError';
  }
}

/**
 * The largest append every adapter accepts: EventStoreDB's default `MaxAppendSize` (1 MiB), counted as the server counts
 * it (see appendSize). The embedded store keeps the same limit, so that what works there works in production.
 */
export const MAX_APPEND_BYTES = 1024 * 1024;

/**
 * The size of an append as EventStoreDB counts it against its limit (`Event.SizeOnDisk`): the UTF-8 bytes of each event's
 * data and metadata plus two bytes per character of its type. `dataJson`/`metadataJson` are the texts that are stored.
 */
export const appendSize = (events: readonly { readonly type: string; readonly dataJson: string; readonly metadataJson: string }[]): number =>
  events.reduce((total, e) => total + Buffer.byteLength(e.dataJson, 'utf8') + Buffer.byteLength(e.metadataJson, 'utf8') + e.type.length * 2, 0);

/** An append larger than the store accepts; nothing was stored. */
export class AppendTooLargeError extends Error {
  readonly code = 'append-too-large';
  constructor(
    readonly streamId: string,
    /** The append's size as counted by appendSize, when known (the server does not report it). */
    readonly size: number | undefined,
    readonly maxSize: number,
  ) {
    super(`Stream ${streamId}: the append${size === undefined ? '' : ` of ${size} bytes`} is larger than the store accepts (${maxSize} bytes)`);
    this.name = 'AppendTooLargeError';
  }
}

/**
 * The store could not be reached, or did not confirm in time, after the adapter's own bounded retries. Retryable: the
 * operation may or may not have taken effect, and an append retried with the same event ids is stored at most once.
 */
export class EventStoreUnavailableError extends Error {
  readonly code = 'event-store-unavailable';
  constructor(
    message: string,
    /** A reasonable pause before trying again. */
    readonly retryAfterSeconds = 1,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'EventStoreUnavailableError';
  }
}

/** The store refused this process access (missing or wrong credentials, or a user without the rights it needs). Not retryable. */
export class EventStoreAccessDeniedError extends Error {
  readonly code = 'event-store-access-denied';
  constructor(message: string) {
    super(message);
    this.name = 'EventStoreAccessDeniedError';
  }
}

/**
 * Collects an iterable into an array: for reads known to be small (a `maxCount`, a narrow
 * filter), never for the whole log.
 */
export async function toArray<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** A recorded event as stored text, for adapters whose driver parses: JSON.stringify keeps the members' order, so canonical data gives its canonical text back. */
export const storedEventOf = (event: RecordedEvent): StoredEvent => ({
  eventId: event.eventId,
  type: event.type,
  streamId: event.streamId,
  revision: event.revision,
  position: event.position,
  dataJson: JSON.stringify(event.data),
  metadataJson: JSON.stringify(event.metadata),
});

export const matchesFilter = (event: Pick<RecordedEvent, 'type' | 'streamId'>, filter?: EventFilter): boolean => {
  if (!filter) return true;
  if (filter.eventTypes && !filter.eventTypes.includes(event.type)) return false;
  if (filter.streamPrefixes && !filter.streamPrefixes.some((prefix) => event.streamId.startsWith(prefix))) return false;
  return true;
};

/**
 * What a retried append is answered with, given the stored events from the revision where its first id was found (or is
 * expected), at most as many as the batch: the first append's result when they are the batch's ids in order; null when
 * the first id is not there (not a retry); DuplicateEventIdError for a partial overlap. The one rule of both adapters.
 */
export const replayOf = (
  streamId: string,
  stored: readonly { readonly eventId: string; readonly revision: number; readonly position: number }[],
  events: readonly { readonly eventId: string }[],
): AppendResult | null => {
  if (stored.length === 0 || stored[0].eventId !== events[0].eventId) return null;
  if (stored.length !== events.length || stored.some((event, i) => event.eventId !== events[i].eventId)) {
    throw new DuplicateEventIdError(streamId, events[0].eventId);
  }
  const last = stored[stored.length - 1];
  return { nextExpectedRevision: last.revision, position: last.position };
};

/** The revision check every adapter performs; `current` is -1 for no stream. */
export const revisionMatches = (expected: ExpectedRevision, current: number): boolean => {
  switch (expected) {
    case 'any':
      return true;
    case 'no_stream':
      return current === -1;
    case 'stream_exists':
      return current >= 0;
    default:
      return expected === current;
  }
};
