import Database from 'better-sqlite3';
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { NewEvent, RecordedEvent, StoredEvent } from '@access-ledger/core';
import {
  AppendOptions,
  AppendResult,
  AppendTooLargeError,
  EventFilter,
  EventStore,
  HeadSnapshot,
  MAX_APPEND_BYTES,
  ReadAllOptions,
  ReadStreamOptions,
  SubscribeOptions,
  WrongExpectedRevisionError,
  appendSize,
  matchesFilter,
  replayOf,
  revisionMatches,
} from './event-store';
import { chainedEvents } from './stream-chain';

export interface SqliteEventStoreOptions {
  /** Path of the database file; created with its folder when missing. */
  readonly file: string;
  /** How often a live subscription looks for events appended by another process. */
  readonly pollIntervalMs?: number;
  /** Most appends gathered into one transaction (one fsync). */
  readonly maxBatch?: number;
  /** Largest append accepted, counted as EventStoreDB counts it (appendSize). Default MAX_APPEND_BYTES, EventStoreDB's default. */
  readonly maxAppendBytes?: number;
}

interface PendingAppend {
  readonly streamId: string;
  readonly events: readonly NewEvent[];
  readonly options: AppendOptions;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

interface EventRow {
  position: number;
  event_id: string;
  stream_id: string;
  revision: number;
  type: string;
  data: string;
  metadata: string;
}

/**
 * A row as the reads take it: the columns as an array (better-sqlite3's `raw` mode), which costs
 * about 40% less than a row object per event (bench:audit, docs/performance.md).
 */
type RawEventRow = [position: number, eventId: string, streamId: string, revision: number, type: string, data: string, metadata: string];
const COLUMNS = 'position, event_id, stream_id, revision, type, data, metadata';

const SCAN_WINDOW = 4096;
const PAGE = 1000;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

const toRecorded = ([position, eventId, streamId, revision, type, data, metadata]: RawEventRow): RecordedEvent => ({
  eventId,
  type,
  streamId,
  revision,
  position,
  data: JSON.parse(data),
  metadata: JSON.parse(metadata),
});

const toStored = ([position, eventId, streamId, revision, type, dataJson, metadataJson]: RawEventRow): StoredEvent => ({
  eventId,
  type,
  streamId,
  revision,
  position,
  dataJson,
  metadataJson,
});

/**
 * The embedded event store: one SQLite file in WAL mode with `synchronous = FULL`, so a
 * resolved append has been fsynced. Appends that arrive in the same turn of the event
 * loop are group-committed: one transaction (one fsync) per flush, each append inside its
 * own savepoint with its own expected-revision check, so one failing append fails alone.
 *
 * Each append reads its stream's last revision and `streamHash` and writes the events with
 * theirs (stream-chain.ts) in the same savepoint, so the chain follows what is stored.
 *
 * SQLite admits one writer at a time and a reader sees only committed transactions, so
 * positions (the rowid) become visible in order: a subscriber never sees a gap fill later.
 */
export class SqliteEventStore implements EventStore {
  /** The database file: another connection (SqliteLogReader, in a worker thread) may read it. */
  readonly file: string;
  private readonly db: Database.Database;
  private readonly appended = new EventEmitter();
  private queue: PendingAppend[] = [];
  private flushScheduled = false;
  private closed = false;
  private readonly pollIntervalMs: number;
  private readonly maxBatch: number;
  private readonly maxAppendBytes: number;
  /** One append inside the batch transaction, in its own savepoint (a nested transaction); the wrapper is built once. */
  private readonly appendOne: (append: PendingAppend) => AppendResult;

  private readonly stmt: {
    currentRevision: Database.Statement<[string], { revision: number; position: number; stream_hash: string | null }>;
    byEventId: Database.Statement<[string, string], { stream_id: string; revision: number; position: number }>;
    insert: Database.Statement<[string, string, number, string, string, string]>;
    head: Database.Statement<[], { head: number | null }>;
    streamForward: Database.Statement<[string, number, number], EventRow>;
    readForward: Database.Statement<[string, number, number], RawEventRow>;
    readBackward: Database.Statement<[string, number, number], RawEventRow>;
    allFrom: Database.Statement<[number, number], RawEventRow>;
    window: Database.Statement<[number, number], RawEventRow>;
    windowOfTypes: Database.Statement<[number, number, string], RawEventRow>;
  };

  constructor(options: SqliteEventStoreOptions) {
    mkdirSync(dirname(options.file), { recursive: true });
    this.file = options.file;
    this.pollIntervalMs = options.pollIntervalMs ?? 200;
    this.maxBatch = options.maxBatch ?? 2048;
    this.maxAppendBytes = options.maxAppendBytes ?? MAX_APPEND_BYTES;
    this.db = new Database(options.file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS events (
        position  INTEGER PRIMARY KEY,
        event_id  TEXT    NOT NULL,
        stream_id TEXT    NOT NULL,
        revision  INTEGER NOT NULL,
        type      TEXT    NOT NULL,
        data      TEXT    NOT NULL,
        metadata  TEXT    NOT NULL,
        UNIQUE (stream_id, revision)
      );
    `);
    this.appended.setMaxListeners(0);
    this.appendOne = this.db.transaction((append: PendingAppend) => this.appendChecked(append));
    this.stmt = {
      currentRevision: this.db.prepare(
        "SELECT revision, position, json_extract(metadata, '$.streamHash') AS stream_hash FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1",
      ),
      // Served by the (stream_id, revision) key: streams are short, and a global index on random
      // event ids would cost every append a random page write (half the throughput, measured).
      byEventId: this.db.prepare('SELECT stream_id, revision, position FROM events WHERE stream_id = ? AND event_id = ?'),
      insert: this.db.prepare(
        'INSERT INTO events (event_id, stream_id, revision, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      head: this.db.prepare('SELECT max(position) AS head FROM events'),
      streamForward: this.db.prepare(
        'SELECT * FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision ASC LIMIT ?',
      ),
      readForward: this.db.prepare<[string, number, number], RawEventRow>(`SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision ASC LIMIT ?`).raw(true),
      readBackward: this.db.prepare<[string, number, number], RawEventRow>(`SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision <= ? ORDER BY revision DESC LIMIT ?`).raw(true),
      allFrom: this.db.prepare<[number, number], RawEventRow>(`SELECT ${COLUMNS} FROM events WHERE position >= ? ORDER BY position ASC LIMIT ?`).raw(true),
      window: this.db.prepare<[number, number], RawEventRow>(`SELECT ${COLUMNS} FROM events WHERE position BETWEEN ? AND ? ORDER BY position ASC`).raw(true),
      // The type test runs inside SQLite, on the rowid range: rows of other types never become JS strings.
      windowOfTypes: this.db
        .prepare<[number, number, string], RawEventRow>(`SELECT ${COLUMNS} FROM events WHERE position BETWEEN ? AND ? AND type IN (SELECT value FROM json_each(?)) ORDER BY position ASC`)
        .raw(true),
    };
  }

  appendToStream(streamId: string, events: readonly NewEvent[], options: AppendOptions): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new Error('Event store is closed'));
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ streamId, events, options, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits everything queued since the last flush in one transaction. */
  private flush(): void {
    this.flushScheduled = false;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      const outcomes: ({ ok: true; result: AppendResult } | { ok: false; error: unknown })[] = [];
      try {
        this.db.transaction(() => {
          for (const append of batch) {
            try {
              outcomes.push({ ok: true, result: this.appendOne(append) });
            } catch (error) {
              outcomes.push({ ok: false, error });
            }
          }
        })();
      } catch (error) {
        // The commit itself failed (disk full, I/O error): nothing of this batch is stored.
        batch.forEach((append) => append.reject(error));
        continue;
      }
      batch.forEach((append, i) => {
        const outcome = outcomes[i];
        if (outcome.ok) append.resolve(outcome.result);
        else append.reject(outcome.error);
      });
      this.appended.emit('append');
    }
  }

  private appendChecked({ streamId, events, options }: PendingAppend): AppendResult {
    const expected = options.expectedRevision;
    const current = this.stmt.currentRevision.get(streamId);
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
    const chained = chainedEvents(streamId, currentRevision + 1, current?.stream_hash ?? undefined, events);
    // The same limit as EventStoreDB's, so that an append the embedded store takes is one production takes too.
    const size = appendSize(chained);
    if (size > this.maxAppendBytes) throw new AppendTooLargeError(streamId, size, this.maxAppendBytes);
    for (const event of chained) {
      revision = event.revision;
      const info = this.stmt.insert.run(event.eventId, streamId, revision, event.type, event.dataJson, event.metadataJson);
      position = Number(info.lastInsertRowid);
    }
    return { nextExpectedRevision: revision, position };
  }

  /** The events stored from `fromRevision` on, if they are exactly these (a retried append). */
  private replayAt(streamId: string, fromRevision: number, events: readonly NewEvent[]): AppendResult | null {
    const stored = this.stmt.streamForward.all(streamId, fromRevision, events.length);
    return replayOf(streamId, stored.map((row) => ({ eventId: row.event_id, revision: row.revision, position: row.position })), events);
  }

  /**
   * A retried append (same event ids, same stream) returns what the first one returned and
   * stores nothing. Ids found only in part are refused. Like EventStoreDB, idempotency is per
   * stream: the same id in another stream is not looked for (ours derive from the stream).
   */
  private previousAppend(streamId: string, events: readonly NewEvent[]): AppendResult | null {
    const first = this.stmt.byEventId.get(streamId, events[0].eventId);
    if (!first) return null;
    return this.replayAt(streamId, first.revision, events);
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const maxCount = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    const rows =
      options.direction === 'backwards'
        ? this.stmt.readBackward.all(streamId, options.fromRevision ?? Number.MAX_SAFE_INTEGER, maxCount)
        : this.stmt.readForward.all(streamId, options.fromRevision ?? 0, maxCount);
    return rows.map(toRecorded);
  }

  /**
   * Pages through the log: by key (`position >= ?`, a page of rows at a time) without a filter;
   * with one, through windows of positions, parsing only the rows that match, as the
   * subscription does. A page is read whole before its events are yielded, so no statement stays
   * open while the consumer holds the read (better-sqlite3 would refuse every other statement
   * on this connection, appends included); between pages the event loop gets a turn.
   * Each page reads up to the head at that moment, so appends made during the read are included.
   */
  readAll(options: ReadAllOptions = {}): AsyncGenerator<RecordedEvent> {
    return this.pages(options, toRecorded);
  }

  /** readAll without the parse: data and metadata as stored, which chainedEvents wrote as their canonical text. */
  readAllStored(options: ReadAllOptions = {}): AsyncGenerator<StoredEvent> {
    return this.pages(options, toStored);
  }

  private async *pages<T extends { position: number }>(options: ReadAllOptions, read: (row: RawEventRow) => T): AsyncGenerator<T> {
    const maxCount = options.maxCount ?? Number.POSITIVE_INFINITY;
    const { filter } = options;
    let from = Math.max(0, options.fromPosition ?? 0);
    let yielded = 0;
    while (yielded < maxCount) {
      if (this.closed) throw new Error('Event store is closed');
      let page: T[];
      if (filter) {
        const head = this.headSync();
        if (from > head) return;
        const to = Math.min(from + SCAN_WINDOW - 1, head);
        // No more than the read still wants is parsed (a page of GET /events stops inside a window).
        page = this.readWindow(from, to, filter, read, maxCount - yielded);
        from = to + 1;
      } else {
        page = this.stmt.allFrom.all(from, Math.min(PAGE, maxCount - yielded)).map(read);
        if (page.length === 0) return;
        from = page[page.length - 1].position + 1;
      }
      for (const event of page) {
        yield event;
        yielded += 1;
        if (yielded >= maxCount) return;
      }
      await nextTurn();
    }
  }

  /**
   * Events in positions [from, to] that match the filter; rows are parsed only when they match. A
   * type filter is applied by SQLite itself (rows of other types are skipped without being read
   * into JS), a stream-prefix filter here. At most `limit` events: the statement stops there.
   */
  private readWindow<T>(from: number, to: number, filter: EventFilter | undefined, read: (row: RawEventRow) => T, limit = Number.POSITIVE_INFINITY): T[] {
    const out: T[] = [];
    const rows = filter?.eventTypes ? this.stmt.windowOfTypes.iterate(from, to, JSON.stringify(filter.eventTypes)) : this.stmt.window.iterate(from, to);
    for (const row of rows) {
      if (out.length >= limit) break;
      if (matchesFilter({ type: row[4], streamId: row[2] }, filter)) out.push(read(row));
    }
    return out;
  }

  async *subscribeToAll(options: SubscribeOptions = {}): AsyncGenerator<RecordedEvent> {
    const { filter, signal } = options;
    let next = options.fromPosition ?? 0;
    while (!this.closed && !signal?.aborted) {
      const head = this.headSync();
      if (next > head) {
        await this.waitForAppend(signal);
        continue;
      }
      // Every position up to `head` is committed, so this window has no hole that fills later.
      const to = Math.min(next + (filter ? SCAN_WINDOW : PAGE) - 1, head);
      const events = this.readWindow(next, to, filter, toRecorded);
      next = to + 1;
      for (const event of events) {
        if (signal?.aborted) return;
        yield event;
      }
    }
  }

  private waitForAppend(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.appended.off('append', done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      // The timer catches appends made by another process on the same file.
      const timer = setTimeout(done, this.pollIntervalMs);
      this.appended.once('append', done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  private headSync(): number {
    return this.stmt.head.get()?.head ?? 0;
  }

  async headPosition(): Promise<number> {
    return this.headSync();
  }

  /** Positions are the rowid, dense from 1 (events are never deleted, a refused append leaves no gap), so they count events. */
  async head(): Promise<HeadSnapshot> {
    const position = this.headSync();
    return { position, eventsAfter: (after) => Math.max(0, position - Math.max(0, after)) };
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.appended.emit('append');
    this.db.close();
  }
}
