import Database from 'better-sqlite3';
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { NewEvent, RecordedEvent, StoredEvent } from '@access-ledger/core';
import {
  AppendOptions,
  AppendResult,
  EventFilter,
  EventStore,
  EventStoreUnavailableError,
  HeadSnapshot,
  MAX_APPEND_BYTES,
  ReadAllOptions,
  ReadStreamOptions,
  SubscribeOptions,
  matchesFilter,
} from './event-store';
import { QueuedAppend, SqliteAppendBatch, errorOf, openEventsDatabase, queuedAppend, resultOf } from './sqlite-append-batch';
import { CLOSE, WriterMessage, WriterReply, WriterThreadData, encodeAppend, joinAppends } from './sqlite-writer-thread';

export interface SqliteEventStoreOptions {
  /** Path of the database file; created with its folder when missing. */
  readonly file: string;
  /** How often a live subscription looks for events appended by another process. */
  readonly pollIntervalMs?: number;
  /** Most appends gathered into one transaction (one fsync). */
  readonly maxBatch?: number;
  /** Largest append accepted, counted as EventStoreDB counts it (appendSize). Default MAX_APPEND_BYTES, EventStoreDB's default. */
  readonly maxAppendBytes?: number;
  /**
   * Where the group commit runs: `thread` (the default), a writer thread with its own connection,
   * so that no transaction, hashing or fsync runs on the event loop; `event-loop`, on this
   * thread's connection, as before the writer thread (bench:store's baseline).
   */
  readonly writer?: 'thread' | 'event-loop';
}

/** What takes the appends: commits them and settles each append's promise, then calls `committed`. */
interface AppendWriter {
  append(streamId: string, events: readonly NewEvent[], options: AppendOptions): Promise<AppendResult>;
  /** Settles every append already taken, then stops. */
  close(): Promise<void>;
}

interface Waiting {
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

interface PendingAppend extends QueuedAppend, Waiting {}

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
 * resolved append has been fsynced. Appends are group-committed by a writer thread
 * (sqlite-writer-thread.ts) that owns its own connection: whatever arrives while it commits
 * goes into its next transaction (one fsync), each append inside its own savepoint with its
 * own expected-revision check, so one failing append fails alone (sqlite-append-batch.ts). The
 * event loop only prepares the appends' canonical texts, passes them over and settles their
 * promises; reads
 * and subscriptions use this thread's connection.
 *
 * SQLite admits one writer at a time (across threads and processes) and a reader sees only
 * committed transactions, so positions (the rowid) become visible in order: a subscriber never
 * sees a gap fill later.
 */
export class SqliteEventStore implements EventStore {
  /** The database file: another connection (SqliteLogReader, in a worker thread) may read it. */
  readonly file: string;
  private readonly db: Database.Database;
  private readonly appended = new EventEmitter();
  private readonly writer: AppendWriter;
  private closed = false;
  private readonly pollIntervalMs: number;

  private readonly stmt: {
    head: Database.Statement<[], { head: number | null }>;
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
    const maxBatch = options.maxBatch ?? 2048;
    const maxAppendBytes = options.maxAppendBytes ?? MAX_APPEND_BYTES;
    this.db = openEventsDatabase(options.file);
    this.appended.setMaxListeners(0);
    const committed = () => this.appended.emit('append');
    this.writer =
      options.writer === 'event-loop'
        ? new EventLoopWriter(new SqliteAppendBatch(this.db, maxAppendBytes), maxBatch, committed)
        : new ThreadWriter({ kind: 'sqlite-writer', file: options.file, maxBatch, maxAppendBytes }, committed);
    this.stmt = {
      head: this.db.prepare('SELECT max(position) AS head FROM events'),
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
    return this.writer.append(streamId, events, options);
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

  /** Refuses new appends, waits for those already taken to be committed (or refused), then stops the writer and closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.writer.close();
    } finally {
      this.appended.emit('append');
      this.db.close();
    }
  }
}

/** The group commit on the event loop (`writer: 'event-loop'`): appends queued in one turn share one transaction, committed on the next. */
class EventLoopWriter implements AppendWriter {
  private queue: PendingAppend[] = [];
  private flushScheduled = false;

  constructor(
    private readonly batch: SqliteAppendBatch,
    private readonly maxBatch: number,
    private readonly committed: () => void,
  ) {}

  append(streamId: string, events: readonly NewEvent[], options: AppendOptions): Promise<AppendResult> {
    let append: QueuedAppend;
    try {
      append = queuedAppend(streamId, options.expectedRevision, events);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ ...append, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    while (this.queue.length > 0) {
      const appends = this.queue.splice(0, this.maxBatch);
      settle(appends, this.batch.commit(appends));
      this.committed();
    }
  }

  async close(): Promise<void> {
    this.flush();
  }
}

/** Settles each waiting append with its outcome, in order. */
const settle = (waiting: readonly Waiting[], outcomes: WriterReply): void => {
  waiting.forEach((append, i) => {
    try {
      append.resolve(resultOf(outcomes[i]));
    } catch (error) {
      append.reject(error);
    }
  });
};

/**
 * How the writer thread's script is started. From the build (dist/…/sqlite-event-store.js) it
 * is the .js file beside this one. From the TypeScript sources (jest's ts-jest, which compiles
 * in memory only) the worker cannot load a .ts file itself: it first requires
 * testing/register-ts.js, which compiles the sources it requires with the TypeScript compiler
 * the repository has, cached on disk, and resolves the tsconfig paths.
 */
const writerScript = (): { script: string; eval: boolean } => {
  const script = join(__dirname, `sqlite-writer-thread${extname(__filename)}`);
  if (extname(__filename) !== '.ts') return { script, eval: false };
  const register = join(__dirname, 'testing', 'register-ts.js');
  return { script: `require(${JSON.stringify(register)}); require(${JSON.stringify(script)});`, eval: true };
};

/**
 * The writer thread's young generation (where V8 allocates first; collected often and cheaply),
 * in MB. Without it the thread gets a process's default (up to 48 MB, grown as V8 sees objects
 * survive) for a live heap of a few MB: its stream heads and the batch being committed. Only
 * the young generation is bounded: a limit on the old one would stop the thread when a burst of
 * large appends is queued, where this one only collects more often.
 */
const WRITER_YOUNG_GENERATION_MB = 8;

/**
 * The group commit in a writer thread (sqlite-writer-thread.ts). Each append is prepared for
 * its stream's chain when it is made (canonical data and metadata, preparedEvent) and kept as
 * the thread's text (the store keeps no more of the events than that); the appends of one turn
 * go over as one string, and the thread answers each commit with the outcomes of
 * its appends in order, which settle the oldest waiting appends. The thread is started with the
 * first append and again after it stopped; while no append waits it does not keep the process
 * alive.
 */
class ThreadWriter implements AppendWriter {
  private worker: Worker | null = null;
  /** Appends sent and not yet answered, oldest first: the thread answers in this order. */
  private waiting: Waiting[] = [];
  /** This turn's appends, as the thread's text (encodeAppend), not yet sent. */
  private outgoing: string[] = [];
  private outgoingWaiting: Waiting[] = [];
  private sendScheduled = false;
  private drained: (() => void) | null = null;
  private readonly posted = new Int32Array(new SharedArrayBuffer(4));

  constructor(
    private readonly data: Omit<WriterThreadData, 'posted'>,
    private readonly committed: () => void,
  ) {}

  append(streamId: string, events: readonly NewEvent[], options: AppendOptions): Promise<AppendResult> {
    let text: string;
    try {
      // The canonical texts are made here, on the calling thread: the writer only chains them.
      text = encodeAppend(queuedAppend(streamId, options.expectedRevision, events));
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<AppendResult>((resolve, reject) => {
      this.outgoing.push(text);
      this.outgoingWaiting.push({ resolve, reject });
      if (!this.sendScheduled) {
        this.sendScheduled = true;
        setImmediate(() => this.send());
      }
    });
  }

  private send(): void {
    this.sendScheduled = false;
    if (this.outgoing.length === 0) return;
    const worker = this.worker ?? this.start();
    const message: WriterMessage = joinAppends(this.outgoing);
    this.waiting.push(...this.outgoingWaiting);
    this.outgoing = [];
    this.outgoingWaiting = [];
    worker.ref();
    worker.postMessage(message);
    this.notifyPosted();
  }

  /** Wakes the thread if it waits for this message (WriterThreadData.posted). */
  private notifyPosted(): void {
    Atomics.add(this.posted, 0, 1);
    Atomics.notify(this.posted, 0);
  }

  private start(): Worker {
    const { script, eval: isCode } = writerScript();
    const worker = new Worker(script, {
      eval: isCode,
      workerData: { ...this.data, posted: this.posted.buffer } satisfies WriterThreadData,
      resourceLimits: { maxYoungGenerationSizeMb: WRITER_YOUNG_GENERATION_MB },
    });
    worker.on('message', (outcomes: WriterReply) => this.answered(outcomes));
    worker.on('error', (error) => this.stopped(worker, error));
    worker.on('exit', (code) => this.stopped(worker, new Error(`the writer thread exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }

  private answered(outcomes: WriterReply): void {
    settle(this.waiting.splice(0, outcomes.length), outcomes);
    if (this.waiting.length === 0) {
      this.worker?.unref();
      this.drained?.();
    }
    this.committed();
  }

  /** The thread stopped (or failed to start): what it had not answered may or may not be stored, which a retry with the same ids settles. */
  private stopped(worker: Worker, cause: unknown): void {
    if (this.worker !== worker) return;
    this.worker = null;
    const unanswered = this.waiting.splice(0);
    const error = new EventStoreUnavailableError('The event store writer stopped before it confirmed the append', 1, cause);
    unanswered.forEach((append) => append.reject(error));
    this.drained?.();
  }

  async close(): Promise<void> {
    this.send();
    const worker = this.worker;
    if (!worker) return;
    if (this.waiting.length > 0) await new Promise<void>((resolve) => (this.drained = resolve));
    this.drained = null;
    if (this.worker !== worker) return;
    this.worker = null;
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.ref();
    worker.postMessage({ type: CLOSE } satisfies WriterMessage);
    this.notifyPosted();
    await exited;
  }
}
