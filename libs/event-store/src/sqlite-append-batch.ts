import Database from 'better-sqlite3';
import { NewEvent } from '@access-ledger/core';
import {
  AppendResult,
  AppendTooLargeError,
  DuplicateEventIdError,
  EventStoreUnavailableError,
  ExpectedRevision,
  WrongExpectedRevisionError,
  appendSize,
  replayOf,
  revisionMatches,
} from './event-store';
import { PreparedEvent, chainPrepared, preparedEvent } from './stream-chain';

/**
 * What commits the embedded store's appends, whichever thread it runs on: the writer thread
 * (sqlite-writer-thread.ts, the default) or the event loop (`writer: 'event-loop'`, kept as the
 * benchmark's baseline). Both sides of the thread boundary share this module, so that an
 * outcome means the same on both.
 */

/**
 * The embedded store's one table, its only index the (stream_id, revision) key; exported so
 * that bench:store's raw baselines write exactly this schema.
 */
export const SQLITE_EVENTS_SCHEMA = `
  CREATE TABLE IF NOT EXISTS events (
    position  INTEGER PRIMARY KEY,
    event_id  TEXT    NOT NULL,
    stream_id TEXT    NOT NULL,
    revision  INTEGER NOT NULL,
    type      TEXT    NOT NULL,
    data      TEXT    NOT NULL,
    metadata  TEXT    NOT NULL,
    UNIQUE (stream_id, revision)
  );`;

/** Opens the events file as both connections use it: WAL, `synchronous = FULL` (a commit has been fsynced), the one table. */
export function openEventsDatabase(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.exec(SQLITE_EVENTS_SCHEMA);
  return db;
}

interface StreamHead {
  readonly revision: number;
  readonly position: number;
  /** Its streamHash; null for an event stored before the chain. */
  readonly hash: string | null;
}

/**
 * A head as the writer keeps it, with the `PRAGMA data_version` under which it was written or
 * last checked against the table. That value changes when another connection (this process's
 * or another's) commits, and not for this one's own commits; read inside the batch's
 * transaction, which holds the write lock, an unchanged value means that nobody else has
 * appended since, so the head is still the stream's last event without a look at the table.
 */
interface KeptHead extends StreamHead {
  readonly checkedAt: number;
}

/**
 * Streams whose head the writer keeps, the least recently appended to evicted first. The cache
 * serves the next append to a stream appended to a moment ago (a workflow's next step, a user's
 * or an organisation's stream in use): at 1,000 new streams a second it still holds the last ten
 * seconds of them. An entry is about 250 bytes, so about 2.5 MB; an evicted stream's head is
 * read from the file again (one more indexed row), never guessed.
 */
export const MAX_CACHED_HEADS = 10_000;

/**
 * One append as the writer takes it: its events already prepared for the chain (preparedEvent,
 * on the calling thread), so that the writer only hashes them onto the stream's head.
 */
export interface QueuedAppend {
  readonly streamId: string;
  readonly expectedRevision: ExpectedRevision;
  readonly events: readonly PreparedEvent[];
}

/**
 * An append made ready for the writer, on the calling thread; throws there (the append fails
 * alone, before it is queued) for data or metadata without a JSON form or an id or type that is
 * not a string.
 */
export const queuedAppend = (streamId: string, expectedRevision: ExpectedRevision, events: readonly NewEvent[]): QueuedAppend => ({
  streamId,
  expectedRevision,
  events: events.map((event) => {
    if (typeof event.eventId !== 'string' || typeof event.type !== 'string') throw new TypeError(`Stream ${streamId}: an event's eventId and type must be strings`);
    return preparedEvent(event);
  }),
});

/** Why an append failed, as data that crosses the thread boundary (structured clone keeps no error class). */
export type AppendFailure =
  | { readonly kind: 'wrong-expected-revision'; readonly streamId: string; readonly expected: ExpectedRevision; readonly actual: number }
  | { readonly kind: 'duplicate-event-id'; readonly streamId: string; readonly eventId: string }
  | { readonly kind: 'append-too-large'; readonly streamId: string; readonly size: number | undefined; readonly maxSize: number }
  | { readonly kind: 'sqlite'; readonly message: string; readonly code: string }
  | { readonly kind: 'unavailable'; readonly message: string; readonly retryAfterSeconds: number }
  | { readonly kind: 'error'; readonly name: string; readonly message: string; readonly stack?: string };

/** An append's outcome, in the order the appends were given: its result, or why it failed. */
export type AppendOutcome = readonly [ok: true, nextExpectedRevision: number, position: number] | readonly [ok: false, failure: AppendFailure];

export const failureOf = (error: unknown): AppendFailure => {
  if (error instanceof WrongExpectedRevisionError) return { kind: 'wrong-expected-revision', streamId: error.streamId, expected: error.expected, actual: error.actual };
  if (error instanceof DuplicateEventIdError) return { kind: 'duplicate-event-id', streamId: error.streamId, eventId: error.eventId };
  if (error instanceof AppendTooLargeError) return { kind: 'append-too-large', streamId: error.streamId, size: error.size, maxSize: error.maxSize };
  if (error instanceof EventStoreUnavailableError) return { kind: 'unavailable', message: error.message, retryAfterSeconds: error.retryAfterSeconds };
  if (error instanceof Database.SqliteError) return { kind: 'sqlite', message: error.message, code: error.code };
  if (error instanceof Error) return { kind: 'error', name: error.name, message: error.message, stack: error.stack };
  return { kind: 'error', name: 'Error', message: String(error) };
};

/** The error the caller gets: the class the store raised, rebuilt on the caller's side of the thread boundary. */
export const errorOf = (failure: AppendFailure): Error => {
  switch (failure.kind) {
    case 'wrong-expected-revision':
      return new WrongExpectedRevisionError(failure.streamId, failure.expected, failure.actual);
    case 'duplicate-event-id':
      return new DuplicateEventIdError(failure.streamId, failure.eventId);
    case 'append-too-large':
      return new AppendTooLargeError(failure.streamId, failure.size, failure.maxSize);
    case 'unavailable':
      return new EventStoreUnavailableError(failure.message, failure.retryAfterSeconds);
    case 'sqlite':
      return new Database.SqliteError(failure.message, failure.code);
    default: {
      const error = new Error(failure.message);
      error.name = failure.name;
      if (failure.stack) error.stack = failure.stack;
      return error;
    }
  }
};

export const resultOf = (outcome: AppendOutcome): AppendResult => {
  if (!outcome[0]) throw errorOf(outcome[1]);
  return { nextExpectedRevision: outcome[1], position: outcome[2] };
};

/**
 * Group commit on one connection: `commit(batch)` writes the appends in one transaction (one
 * fsync), each inside its own savepoint with its own expected-revision check, so one failing
 * append fails alone; a failing commit (disk full, I/O error) fails the whole batch, of which
 * nothing is then stored.
 *
 * Each append reads its stream's last revision and `streamHash` and writes the events with
 * theirs (stream-chain.ts: chainPrepared, one sha256 an event) in the same savepoint, so the
 * chain follows what is stored.
 */
export class SqliteAppendBatch {
  /** One append inside the batch transaction, in its own savepoint (a nested transaction); the wrapper is built once. */
  private readonly appendOne: (append: QueuedAppend) => AppendResult;
  /** The batch's transaction, each append's outcome pushed to `outcomes`. */
  private readonly commitAll: (appends: readonly QueuedAppend[], outcomes: AppendOutcome[]) => void;
  /**
   * Each stream's last event as this writer wrote or read it (its revision, position and hash), so
   * that an append reads nothing while no other connection has committed (KeptHead), else
   * only the stream's last revision, from the key's index, and the row with its metadata only
   * when another process appended to that stream since. Stored events never change, so a
   * revision names one event. Updated only once the batch that wrote it has committed. In
   * least-recently-used order (a Map keeps insertion order; a use moves the stream to the end),
   * at most `maxCachedHeads` streams.
   */
  private readonly heads = new Map<string, KeptHead>();
  private written = new Map<string, StreamHead>();
  /** `PRAGMA data_version` as the current (or last) batch's transaction read it (KeptHead). */
  private dataVersion = -1;
  private readonly stmt: {
    dataVersion: Database.Statement<[], number>;
    lastRevision: Database.Statement<[string], number>;
    currentRevision: Database.Statement<[string], { revision: number; position: number; stream_hash: string | null }>;
    byEventId: Database.Statement<[string, string], { stream_id: string; revision: number; position: number }>;
    insert: Database.Statement<[string, string, number, string, string, string]>;
    streamForward: Database.Statement<[string, number, number], { event_id: string; revision: number; position: number }>;
  };

  constructor(
    private readonly db: Database.Database,
    private readonly maxAppendBytes: number,
    private readonly maxCachedHeads = MAX_CACHED_HEADS,
  ) {
    this.appendOne = db.transaction((append: QueuedAppend) => this.appendChecked(append));
    // BEGIN IMMEDIATE: the batch takes the write lock before it reads a stream's revision. A
    // deferred transaction would start as a reader, and when another process committed since its
    // snapshot, SQLite refuses the upgrade to writer at once (SQLITE_BUSY, "database is locked")
    // instead of waiting out busy_timeout; that failed whole batches with two processes on one file.
    this.commitAll = db.transaction((appends: readonly QueuedAppend[], outcomes: AppendOutcome[]) => {
      this.dataVersion = this.stmt.dataVersion.get()!;
      for (const append of appends) {
        try {
          // One INSERT is atomic on its own: a savepoint is needed only where an append writes more than one row.
          const { nextExpectedRevision, position } = append.events.length > 1 ? this.appendOne(append) : this.appendChecked(append);
          outcomes.push([true, nextExpectedRevision, position]);
        } catch (error) {
          // An I/O error or a full disk can make SQLite roll back the whole transaction: then the batch fails, as its commit would.
          if (!db.inTransaction) throw error;
          outcomes.push([false, failureOf(error)]);
        }
      }
    }).immediate;
    this.stmt = {
      dataVersion: db.prepare<[], number>('PRAGMA data_version').pluck(),
      lastRevision: db.prepare<[string], number>('SELECT revision FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1').pluck(),
      currentRevision: db.prepare(
        "SELECT revision, position, json_extract(metadata, '$.streamHash') AS stream_hash FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1",
      ),
      // Served by the (stream_id, revision) key: streams are short, and a global index on random
      // event ids would cost every append a random page write (half the throughput, measured).
      byEventId: db.prepare('SELECT stream_id, revision, position FROM events WHERE stream_id = ? AND event_id = ?'),
      insert: db.prepare('INSERT INTO events (event_id, stream_id, revision, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)'),
      streamForward: db.prepare('SELECT event_id, revision, position FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision ASC LIMIT ?'),
    };
  }

  /** Commits the batch in one transaction; the outcomes in the batch's order. */
  commit(batch: readonly QueuedAppend[]): AppendOutcome[] {
    const outcomes: AppendOutcome[] = [];
    this.written.clear();
    try {
      this.commitAll(batch, outcomes);
    } catch (error) {
      // The commit itself failed (disk full, I/O error): nothing of this batch is stored.
      const failure = failureOf(error);
      return batch.map(() => [false, failure]);
    }
    for (const [streamId, head] of this.written) this.remember(streamId, head);
    return outcomes;
  }

  /** How many streams' heads the writer keeps now (at most `maxCachedHeads`). */
  get cachedHeads(): number {
    return this.heads.size;
  }

  /** Keeps the head, checked under this batch's data_version, as the most recently used, evicting the least recently used past the bound. */
  private remember(streamId: string, { revision, position, hash }: StreamHead): void {
    this.heads.delete(streamId);
    this.heads.set(streamId, { revision, position, hash, checkedAt: this.dataVersion });
    while (this.heads.size > this.maxCachedHeads) this.heads.delete(this.heads.keys().next().value!);
  }

  private appendChecked({ streamId, events, expectedRevision: expected }: QueuedAppend): AppendResult {
    const current = this.head(streamId);
    const currentRevision = current?.revision ?? -1;
    if (events.length > 0) {
      // A retry of an append that went through: with an exact expected revision it can only show
      // as a mismatch, and its events sit right after that revision; with any/stream_exists it
      // could be anywhere in the stream, so the stream is searched.
      const exact = expected === 'no_stream' || typeof expected === 'number';
      const replay = exact
        ? revisionMatches(expected, currentRevision)
          ? null
          : this.replayAt(streamId, expected === 'no_stream' ? 0 : expected + 1, events)
        : this.previousAppend(streamId, events);
      if (replay) return replay;
    }
    if (!revisionMatches(expected, currentRevision)) {
      throw new WrongExpectedRevisionError(streamId, expected, currentRevision);
    }
    let revision = currentRevision;
    let position = current?.position ?? 0;
    // The stream's hash chain goes on from its last event, read in this same transaction.
    const chained = chainPrepared(streamId, currentRevision + 1, current?.hash ?? undefined, events);
    // The same limit as EventStoreDB's, so that an append the embedded store takes is one production takes too.
    const size = appendSize(chained);
    if (size > this.maxAppendBytes) throw new AppendTooLargeError(streamId, size, this.maxAppendBytes);
    for (const event of chained) {
      revision = event.revision;
      const info = this.stmt.insert.run(event.eventId, streamId, revision, event.type, event.dataJson, event.metadataJson);
      position = Number(info.lastInsertRowid);
    }
    if (chained.length > 0) this.written.set(streamId, { revision, position, hash: chained[chained.length - 1].streamHash });
    return { nextExpectedRevision: revision, position };
  }

  /** The stream's last event (undefined for no stream), in the batch's transaction. */
  private head(streamId: string): StreamHead | undefined {
    const pending = this.written.get(streamId);
    if (pending) return pending;
    const known = this.heads.get(streamId);
    if (known?.checkedAt === this.dataVersion) return known;
    const revision = this.stmt.lastRevision.get(streamId);
    if (revision === undefined) return undefined;
    if (known?.revision === revision) {
      this.remember(streamId, known);
      return known;
    }
    const row = this.stmt.currentRevision.get(streamId)!;
    return { revision: row.revision, position: row.position, hash: row.stream_hash };
  }

  /** The events stored from `fromRevision` on, if they are exactly these (a retried append). */
  private replayAt(streamId: string, fromRevision: number, events: readonly PreparedEvent[]): AppendResult | null {
    const stored = this.stmt.streamForward.all(streamId, fromRevision, events.length);
    return replayOf(streamId, stored.map((row) => ({ eventId: row.event_id, revision: row.revision, position: row.position })), events);
  }

  /**
   * A retried append (same event ids, same stream) returns what the first one returned and
   * stores nothing. Ids found only in part are refused. Like EventStoreDB, idempotency is per
   * stream: the same id in another stream is not looked for (ours derive from the stream).
   */
  private previousAppend(streamId: string, events: readonly PreparedEvent[]): AppendResult | null {
    const first = this.stmt.byEventId.get(streamId, events[0].eventId);
    if (!first) return null;
    return this.replayAt(streamId, first.revision, events);
  }
}
