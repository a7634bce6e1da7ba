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

export interface EventStore {
  /**
   * Idempotent per stream: appending the same event ids to the same stream again stores nothing and answers as the first time.
   * Every adapter stores each event with `metadata.streamHash`, the stream's hash chain (stream-chain.ts), computed from the
   * stream's last stored event inside the append's own revision check, so no caller can bypass or break it.
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
  /** Position of the newest event in the store (0 when empty), for lag reporting. */
  headPosition(): Promise<number>;
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

/** Some of the event ids were appended to this stream before, but not as this same batch. */
export class DuplicateEventIdError extends Error {
  readonly code = 'duplicate-event-id';
  constructor(readonly eventId: string) {
    super(`Event id ${eventId} was already appended elsewhere`);
    this.name = 'DuplicateEventIdError';
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
