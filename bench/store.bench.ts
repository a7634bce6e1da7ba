/**
 * npm run bench:store — the embedded event store (SqliteEventStore) beside its baselines:
 *
 * 1. Durable appends/s and p50/p99 append latency for 1, 16 and 64 concurrent writers, each
 *    on its own stream, one event per append, exact expectedRevision, awaiting each append.
 *    Beside it, on the same table, events and pragmas (WAL, synchronous = FULL):
 *    - raw better-sqlite3, one transaction per append (the durable-per-append limit);
 *    - raw better-sqlite3, N = writers inserts per transaction (what group commit can reach);
 *    - Emmett's SQLite event store (@event-driven-io/emmett-sqlite, from bench/node_modules).
 * 2. Catch-up: events/s of subscribeToAll({ fromPosition: 0 }) over 1,000,000 events, beside
 *    a raw `SELECT ... ORDER BY position` iterate + JSON.parse over the same table.
 *
 * Prints the tables and rewrites its section of docs/performance.md.
 * Knobs: BENCH_SECONDS (measured seconds per run, default 4), BENCH_WARMUP_SECONDS (1),
 * BENCH_WRITERS ("1,16,64"; empty skips the appends), BENCH_CATCHUP_EVENTS (1000000),
 * BENCH_SEED=store (seed the catch-up log through appendToStream instead of raw inserts),
 * BENCH_SEED_IN_FLIGHT (50), BENCH_DIR (parent of the temp folders, default the OS temp dir),
 * BENCH_NO_DOCS=1 (do not touch docs/performance.md).
 */
import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, readFileSync, rmSync, statfsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { EventMetadata, NewEvent, RecordedEvent, newId } from '@access-ledger/core';
import { SQLITE_EVENTS_SCHEMA, SqliteEventStore } from '@access-ledger/event-store';
import { now, percentile, repoRoot, table, writeDocsSection } from './support';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 1);
const WRITERS = (process.env.BENCH_WRITERS ?? '1,16,64').split(',').map(Number).filter((n) => n > 0);
const CATCHUP_EVENTS = Number(process.env.BENCH_CATCHUP_EVENTS ?? 1_000_000);
const SEED_EVENTS_PER_STREAM = 100;
const SEED_APPENDS_IN_FLIGHT = Number(process.env.BENCH_SEED_IN_FLIGHT ?? 50);
const SEED_THROUGH_STORE = process.env.BENCH_SEED === 'store';
const SEED_STREAMS_PER_TRANSACTION = 100;
const GOAL_APPENDS = 20_000;
const GOAL_VS_EMMETT = 5;
const GOAL_CATCHUP = 100_000;
/** Issue 13: the store against the raw same-schema N-per-transaction loop, at 16 and 64 writers. */
const GOAL_VS_RAW_N = 0.8;
const GOAL_P99_VS_RAW_N = 2;

// ---- repository, temp folders ------------------------------------------------------


const tempDirs: string[] = [];
const tempDir = (label: string): string => {
  const dir = mkdtempSync(join(resolve(process.env.BENCH_DIR ?? tmpdir()), `al-bench-store-${label}-`));
  tempDirs.push(dir);
  return dir;
};
const removeTempDirs = () => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
};
process.on('exit', removeTempDirs);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    removeTempDirs();
    process.exit(130);
  });
}

/** Durable numbers on tmpfs are meaningless: say what the data folder sits on. */
const fileSystemOf = (dir: string): string => {
  const types: Record<number, string> = {
    0xef53: 'ext4', 0x58465342: 'xfs', 0x9123683e: 'btrfs', 0x01021994: 'tmpfs', 0x794c7630: 'overlayfs', 0x2fc12fc1: 'zfs', 0x6969: 'nfs', 0x65735546: 'fuse',
  };
  try {
    const type = statfsSync(dir).type;
    return types[type] ?? `fs type 0x${type.toString(16)}`;
  } catch {
    return 'unknown';
  }
};

// ---- the workload ------------------------------------------------------------------

const ORGANISATION = newId();
const ACTOR = { id: 'bench-user', email: 'lead@example.org', organisationId: ORGANISATION, roles: ['lead_administrator'] };

/** One realistic event (a user added to an organisation, with its envelope): ~550 bytes of JSON. */
const makeEvent = (i: number): NewEvent => {
  const userId = newId();
  const commandId = newId();
  const at = new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
  const metadata: EventMetadata = { occurredAt: at, actor: ACTOR, correlationId: commandId, causationId: commandId, commandId, schemaVersion: 1 };
  return {
    eventId: newId(),
    type: 'UserAdded',
    data: {
      userId, organisationId: ORGANISATION, firstName: 'Ada', lastName: `Lovelace${i % 997}`, email: `ada.lovelace.${i}@example.org`,
      clinician: i % 3 === 0, permissionLevel: 'recorder', spoc: false, professional: false, addedAt: at,
    },
    metadata,
  };
};

// ---- measuring ---------------------------------------------------------------------

interface RunResult {
  /** Events durably appended per second in the measured window. */
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly count: number;
  readonly note?: string;
  /** How long the event loop was held up meanwhile (timer lateness, ms): p99 and max. */
  readonly loopDelay?: { readonly p99: number; readonly max: number };
}


const summarise = (count: number, elapsedMs: number, samples: number[], note?: string): RunResult => {
  samples.sort((a, b) => a - b);
  return { perSecond: (count / elapsedMs) * 1000, p50: percentile(samples, 50), p99: percentile(samples, 99), count, note };
};

/**
 * `writers` async loops, each awaiting one append at a time, through the warm-up and the
 * measured window; throughput counts the appends that completed inside the window, and those
 * give the latency samples.
 */
async function concurrentWriters(writers: number, append: (writer: number, i: number) => Promise<void | 'failed'>): Promise<RunResult> {
  const startAt = now();
  const measureFrom = startAt + WARMUP_SECONDS * 1000;
  const endAt = measureFrom + SECONDS * 1000;
  const samples: number[] = [];
  await Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      for (let i = 0; ; i += 1) {
        const started = now();
        if (started >= endAt) return;
        const outcome = await append(writer, i);
        const ended = now();
        if (outcome !== 'failed' && ended >= measureFrom && ended <= endAt) samples.push(ended - started);
      }
    }),
  );
  return summarise(samples.length, SECONDS * 1000, samples);
}

/** A synchronous loop (better-sqlite3 blocks): `step` writes `eventsPerStep` events durably. */
function synchronousLoop(eventsPerStep: number, step: (i: number) => void): RunResult {
  const startAt = now();
  const measureFrom = startAt + WARMUP_SECONDS * 1000;
  const endAt = measureFrom + SECONDS * 1000;
  const samples: number[] = [];
  for (let i = 0; ; i += 1) {
    const started = now();
    if (started >= endAt) break;
    step(i);
    const ended = now();
    // Every event of the step waited for the same commit.
    if (ended >= measureFrom && ended <= endAt) for (let k = 0; k < eventsPerStep; k += 1) samples.push(ended - started);
  }
  return summarise(samples.length, SECONDS * 1000, samples);
}

// ---- contenders: appends -----------------------------------------------------------

async function oursAppends(writers: number, writer: 'thread' | 'event-loop' = 'thread'): Promise<RunResult> {
  const store = new SqliteEventStore({ file: join(tempDir('ours'), 'events.db'), writer });
  const streams = Array.from({ length: writers }, () => `user-${newId()}`);
  const next: number[] = Array.from({ length: writers }, () => -1);
  // What a request arriving meanwhile would wait for: the event loop's delay while the appends run.
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const result = await concurrentWriters(writers, async (writer, i) => {
    const { nextExpectedRevision } = await store.appendToStream(streams[writer], [makeEvent(i)], {
      expectedRevision: next[writer] < 0 ? 'no_stream' : next[writer],
    });
    next[writer] = nextExpectedRevision;
  });
  delay.disable();
  await store.close();
  return { ...result, loopDelay: { p99: delay.percentile(99) / 1e6, max: delay.max / 1e6 } };
}

const openRaw = (label: string) => {
  const db = new Database(join(tempDir(label), 'events.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  // The store's own schema (one index: the (stream_id, revision) key), so the baselines maintain what it maintains.
  db.exec(SQLITE_EVENTS_SCHEMA);
  const insert = db.prepare('INSERT INTO events (event_id, stream_id, revision, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)');
  const insertEvent = (streamId: string, revision: number, event: NewEvent) =>
    insert.run(event.eventId, streamId, revision, event.type, JSON.stringify(event.data), JSON.stringify(event.metadata));
  return { db, insertEvent };
};

/** One transaction (one fsync) per appended event, streams taken in turn. */
function rawPerAppend(writers: number): RunResult {
  const { db, insertEvent } = openRaw('raw1');
  const streams = Array.from({ length: writers }, () => `user-${newId()}`);
  const revisions = new Array<number>(writers).fill(0);
  const appendOne = db.transaction((writer: number, event: NewEvent) => {
    insertEvent(streams[writer], revisions[writer], event);
    revisions[writer] += 1;
  });
  const result = synchronousLoop(1, (i) => appendOne(i % writers, makeEvent(i)));
  db.close();
  return result;
}

/** One transaction per `writers` events, one per stream: the batch group commit forms. */
function rawBatched(writers: number): RunResult {
  const { db, insertEvent } = openRaw('rawN');
  const streams = Array.from({ length: writers }, () => `user-${newId()}`);
  let revision = 0;
  const appendBatch = db.transaction((events: NewEvent[]) => {
    events.forEach((event, writer) => insertEvent(streams[writer], revision, event));
    revision += 1;
  });
  const result = synchronousLoop(writers, (i) => appendBatch(Array.from({ length: writers }, (_, w) => makeEvent(i * writers + w))));
  db.close();
  return result;
}

// ---- Emmett SQLite -----------------------------------------------------------------

/** The part of @event-driven-io/emmett-sqlite used here (typed locally: bench deps are optional for the build). */
interface EmmettSqliteModule {
  getSQLiteEventStore(options: { fileName: string }): {
    appendToStream(
      streamName: string,
      events: { type: string; data: unknown; metadata?: unknown }[],
      options?: { expectedStreamVersion?: bigint },
    ): Promise<{ nextExpectedStreamVersion: bigint; lastEventGlobalPosition: bigint }>;
  };
  sqliteConnection(options: { fileName: string }): {
    querySingle<T>(sql: string, values?: unknown[]): Promise<T | null>;
    close(): void;
  };
}

const emmett = (() => {
  try {
    const requireFromBench = createRequire(join(repoRoot, 'bench', 'package.json'));
    const module = requireFromBench('@event-driven-io/emmett-sqlite') as EmmettSqliteModule;
    // Its exports map hides package.json: find it above the resolved entry point.
    let dir = dirname(requireFromBench.resolve('@event-driven-io/emmett-sqlite'));
    while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
    const version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
    return { module, version };
  } catch (error) {
    process.stderr.write(`Emmett SQLite not loaded (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); run: npm --prefix bench install\n`);
    return null;
  }
})();

/** Emmett logs a failed transaction with console.log; keep the table readable. */
async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const log = console.log;
  console.log = () => undefined;
  try {
    return await fn();
  } finally {
    console.log = log;
  }
}

/** What Emmett's connections run with: it sets journal_mode itself; synchronous is node-sqlite3's default. */
async function emmettPragmas(mod: EmmettSqliteModule): Promise<string> {
  const connection = mod.sqliteConnection({ fileName: join(tempDir('emmett-pragmas'), 'events.db') });
  try {
    const journal = await connection.querySingle<{ journal_mode: string }>('PRAGMA journal_mode');
    const synchronous = await connection.querySingle<{ synchronous: number }>('PRAGMA synchronous');
    const names = ['OFF', 'NORMAL', 'FULL', 'EXTRA'];
    return `journal_mode=${journal?.journal_mode}, synchronous=${names[synchronous?.synchronous ?? -1] ?? synchronous?.synchronous}`;
  } finally {
    connection.close();
  }
}

/**
 * One Emmett store used by `writers` concurrent callers without coordination. Emmett's
 * file-backed store (0.38.x) shares one connection per store and closes it after every call,
 * so overlapping appends fail; this measures how many do.
 */
async function emmettUnguardedProbe(mod: EmmettSqliteModule, writers: number, appendsPerWriter: number) {
  const store = mod.getSQLiteEventStore({ fileName: join(tempDir('emmett-probe'), 'events.db') });
  await store.appendToStream(`probe-${newId()}`, [{ type: 'Init', data: {} }]);
  let ok = 0;
  const errors = new Map<string, number>();
  await quietly(() =>
    Promise.all(
      Array.from({ length: writers }, async () => {
        const stream = `user-${newId()}`;
        let version = 0n;
        for (let i = 0; i < appendsPerWriter; i += 1) {
          try {
            const event = makeEvent(i);
            ({ nextExpectedStreamVersion: version } = await store.appendToStream(stream, [{ type: event.type, data: event.data, metadata: event.metadata }], { expectedStreamVersion: version }));
            ok += 1;
          } catch (error) {
            const key = (error instanceof Error ? error.message : String(error)).slice(0, 60);
            errors.set(key, (errors.get(key) ?? 0) + 1);
            return; // the writer's stream version is unknown now
          }
        }
      }),
    ),
  );
  return { ok, failed: [...errors.values()].reduce((s, n) => s + n, 0), errors };
}

/**
 * Emmett on the same workload. Appends go through one store, serialised by a promise chain,
 * because uncoordinated concurrent appends on one file store fail (see the probe); latency
 * includes the wait for the lock, as ours includes the wait for the group commit.
 */
async function emmettAppends(mod: EmmettSqliteModule, writers: number): Promise<RunResult> {
  const store = mod.getSQLiteEventStore({ fileName: join(tempDir('emmett'), 'events.db') });
  await store.appendToStream(`schema-${newId()}`, [{ type: 'Init', data: {} }]); // creates the schema outside the timing
  let tail: Promise<unknown> = Promise.resolve();
  const serially = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn);
    tail = run.catch(() => undefined);
    return run;
  };
  const streams = Array.from({ length: writers }, () => `user-${newId()}`);
  const versions = new Array<bigint>(writers).fill(0n);
  const errors = new Map<string, number>();
  const result = await quietly(() =>
    concurrentWriters(writers, async (writer, i) => {
      const event = makeEvent(i);
      try {
        const appended = await serially(() =>
          store.appendToStream(streams[writer], [{ type: event.type, data: event.data, metadata: event.metadata }], { expectedStreamVersion: versions[writer] }),
        );
        versions[writer] = appended.nextExpectedStreamVersion;
        return undefined;
      } catch (error) {
        // Not counted. The stream's version is uncertain now: the writer goes on with a new stream.
        const key = (error instanceof Error ? error.message : String(error)).slice(0, 70);
        errors.set(key, (errors.get(key) ?? 0) + 1);
        streams[writer] = `user-${newId()}`;
        versions[writer] = 0n;
        return 'failed' as const;
      }
    }),
  );
  const failed = [...errors.entries()].map(([message, n]) => `${n}× ${message}`).join('; ');
  return failed ? { ...result, note: `failed appends (not counted): ${failed}` } : result;
}

// ---- catch-up ----------------------------------------------------------------------

/**
 * The fast seed (default): the store creates its schema, then the rows go in straight through
 * better-sqlite3, 10,000 events (100 streams of 100) per transaction, without fsync: seeding
 * is set-up, not under test. Rows, JSON and positions are what appendToStream would write.
 */
async function seedCatchUpRaw(file: string, total: number): Promise<number> {
  await new SqliteEventStore({ file }).close();
  const db = new Database(file);
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  const insert = db.prepare('INSERT INTO events (event_id, stream_id, revision, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)');
  const insertStreams = db.transaction((firstEvent: number) => {
    let made = firstEvent;
    for (let s = 0; s < SEED_STREAMS_PER_TRANSACTION && made < total; s += 1) {
      const streamId = `user-${newId()}`;
      for (let revision = 0; revision < SEED_EVENTS_PER_STREAM && made < total; revision += 1, made += 1) {
        const event = makeEvent(made);
        insert.run(event.eventId, streamId, revision, event.type, JSON.stringify(event.data), JSON.stringify(event.metadata));
      }
    }
    return made;
  });
  for (let made = 0; made < total; ) made = insertStreams(made);
  db.pragma('wal_checkpoint(TRUNCATE)');
  const head = db.prepare('SELECT max(position) FROM events').pluck().get() as number;
  db.close();
  return head;
}

/** BENCH_SEED=store: the same events through appendToStream, 100-event appends, SEED_APPENDS_IN_FLIGHT at a time. */
async function seedCatchUp(file: string, total: number): Promise<number> {
  const store = new SqliteEventStore({ file });
  const streams = Math.ceil(total / SEED_EVENTS_PER_STREAM);
  let made = 0;
  for (let first = 0; first < streams; first += SEED_APPENDS_IN_FLIGHT) {
    const appends: Promise<unknown>[] = [];
    for (let s = first; s < Math.min(streams, first + SEED_APPENDS_IN_FLIGHT); s += 1) {
      const count = Math.min(SEED_EVENTS_PER_STREAM, total - made);
      const events = Array.from({ length: count }, (_, k) => makeEvent(made + k));
      made += count;
      appends.push(store.appendToStream(`user-${newId()}`, events, { expectedRevision: 'no_stream' }));
    }
    await Promise.all(appends);
  }
  const head = await store.headPosition();
  await store.close();
  return head;
}

/** subscribeToAll from position 0 on a freshly opened store, until `total` events arrived in order. */
async function oursCatchUp(file: string, total: number): Promise<number> {
  const store = new SqliteEventStore({ file });
  const controller = new AbortController();
  const started = now();
  let seen = 0;
  let last = 0;
  for await (const event of store.subscribeToAll({ fromPosition: 0, signal: controller.signal })) {
    if (event.position <= last) throw new Error(`position ${event.position} after ${last}`);
    last = event.position;
    seen += 1;
    if (seen === total) break;
  }
  const elapsed = now() - started;
  controller.abort();
  await store.close();
  return (seen / elapsed) * 1000;
}

/** The floor: iterate the table in position order, parse both JSON columns, build the same record. */
function rawCatchUp(file: string, total: number): number {
  const db = new Database(file, { readonly: true });
  const started = now();
  let seen = 0;
  let last = 0;
  const rows = db
    .prepare<[], { position: number; event_id: string; stream_id: string; revision: number; type: string; data: string; metadata: string }>(
      'SELECT position, event_id, stream_id, revision, type, data, metadata FROM events ORDER BY position',
    )
    .iterate();
  for (const row of rows) {
    const event: RecordedEvent = {
      eventId: row.event_id, type: row.type, streamId: row.stream_id, revision: row.revision, position: row.position,
      data: JSON.parse(row.data), metadata: JSON.parse(row.metadata),
    };
    if (event.position <= last) throw new Error(`position ${event.position} after ${last}`);
    last = event.position;
    seen += 1;
  }
  const elapsed = now() - started;
  db.close();
  if (seen !== total) throw new Error(`raw catch-up saw ${seen} events, expected ${total}`);
  return (seen / elapsed) * 1000;
}

// ---- report ------------------------------------------------------------------------

const int = (value: number) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a');
const latency = (value: number) => (Number.isFinite(value) ? value.toFixed(value < 1 ? 3 : 2) : 'n/a');
const ratio = (a: number, b: number | undefined) => (b && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a');

const sqliteVersion = () => {
  const db = new Database(':memory:');
  try {
    return db.prepare('SELECT sqlite_version()').pluck().get() as string;
  } finally {
    db.close();
  }
};

async function main() {
  const started = Date.now();
  const dataFs = fileSystemOf(resolve(process.env.BENCH_DIR ?? tmpdir()));
  const cpu = cpus();
  const machine = `${cpu[0]?.model?.trim() ?? 'unknown CPU'}, ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}, SQLite ${sqliteVersion()} (better-sqlite3), data folder on ${dataFs}, ${new Date().toISOString().slice(0, 10)}`;
  const log = (line: string) => process.stdout.write(`${line}\n`);
  log(`machine: ${machine}`);
  if (dataFs === 'tmpfs') log('warning: the data folder is on tmpfs, fsync costs nothing there; set BENCH_DIR to a folder on a real disk');

  let emmettSetup = 'not installed (run `npm --prefix bench install`)';
  let probe: Awaited<ReturnType<typeof emmettUnguardedProbe>> | null = null;
  if (emmett) {
    emmettSetup = `@event-driven-io/emmett-sqlite ${emmett.version} on node-sqlite3; its connections run ${await emmettPragmas(emmett.module)}`;
    log(`emmett: ${emmettSetup}`);
    probe = await emmettUnguardedProbe(emmett.module, 16, 20);
    log(`emmett probe, 16 uncoordinated writers × 20 appends on one store: ${probe.ok} appended, ${probe.failed} writers failed (${[...probe.errors.entries()].map(([m, n]) => `${n}× ${m}`).join('; ') || 'none'})`);
  }

  interface Level { writers: number; ours: RunResult; oursEventLoop: RunResult; raw1: RunResult; rawN: RunResult; emmett?: RunResult }
  const levels: Level[] = [];
  for (const writers of WRITERS) {
    log(`\n${writers} writer(s): ${WARMUP_SECONDS} s warm-up + ${SECONDS} s measured per contender`);
    const ours = await oursAppends(writers);
    log(`  ours (SqliteEventStore)      ${int(ours.perSecond).padStart(8)} appends/s  p50 ${latency(ours.p50)} ms  p99 ${latency(ours.p99)} ms`);
    const oursEventLoop = await oursAppends(writers, 'event-loop');
    log(`  ours, event-loop writer      ${int(oursEventLoop.perSecond).padStart(8)} appends/s  p50 ${latency(oursEventLoop.p50)} ms  p99 ${latency(oursEventLoop.p99)} ms`);
    const raw1 = rawPerAppend(writers);
    log(`  raw, 1 tx per append         ${int(raw1.perSecond).padStart(8)} appends/s  p50 ${latency(raw1.p50)} ms  p99 ${latency(raw1.p99)} ms`);
    const rawN = rawBatched(writers);
    log(`  raw, ${String(writers).padEnd(2)} appends per tx       ${int(rawN.perSecond).padStart(8)} appends/s  p50 ${latency(rawN.p50)} ms  p99 ${latency(rawN.p99)} ms`);
    let emmettResult: RunResult | undefined;
    if (emmett) {
      emmettResult = await emmettAppends(emmett.module, writers);
      log(`  Emmett SQLite (serialised)   ${int(emmettResult.perSecond).padStart(8)} appends/s  p50 ${latency(emmettResult.p50)} ms  p99 ${latency(emmettResult.p99)} ms`);
      if (emmettResult.note) log(`    ${emmettResult.note}`);
    }
    levels.push({ writers, ours, oursEventLoop, raw1, rawN, emmett: emmettResult });
    removeTempDirs();
  }

  const seedHow = SEED_THROUGH_STORE
    ? `through appendToStream (${SEED_EVENTS_PER_STREAM}-event appends, ${SEED_APPENDS_IN_FLIGHT} in flight, durable)`
    : `with raw inserts into the store's table (${SEED_STREAMS_PER_TRANSACTION} streams of ${SEED_EVENTS_PER_STREAM} events per transaction, no fsync)`;
  log(`\ncatch-up: seeding ${int(CATCHUP_EVENTS)} events, ${SEED_EVENTS_PER_STREAM} per stream, ${seedHow}`);
  const catchUpFile = join(tempDir('catchup'), 'events.db');
  const seedStarted = now();
  const head = SEED_THROUGH_STORE ? await seedCatchUp(catchUpFile, CATCHUP_EVENTS) : await seedCatchUpRaw(catchUpFile, CATCHUP_EVENTS);
  const seedSeconds = (now() - seedStarted) / 1000;
  log(`  seeded ${int(head)} events in ${seedSeconds.toFixed(1)} s (${int(head / seedSeconds)} events/s)`);
  // Two rounds each, alternating; the better round counts (both read a warm page cache).
  const oursRounds: number[] = [];
  const rawRounds: number[] = [];
  for (let round = 0; round < 2; round += 1) {
    rawRounds.push(rawCatchUp(catchUpFile, head));
    oursRounds.push(await oursCatchUp(catchUpFile, head));
    log(`  round ${round + 1}: subscribeToAll ${int(oursRounds[round])} events/s, raw SELECT + JSON.parse ${int(rawRounds[round])} events/s`);
  }
  const catchUpOurs = Math.max(...oursRounds);
  const catchUpRaw = Math.max(...rawRounds);
  removeTempDirs();

  // ---- tables and goals ----
  const throughputTable = table(
    ['writers', 'ours', 'ours, event-loop writer', 'raw, 1 tx/append', 'raw, N/tx (N = writers)', 'Emmett SQLite', 'ours / raw 1 tx', 'ours / raw N/tx', 'ours / Emmett'],
    levels.map((l) => [
      String(l.writers), int(l.ours.perSecond), int(l.oursEventLoop.perSecond), int(l.raw1.perSecond), int(l.rawN.perSecond), l.emmett ? int(l.emmett.perSecond) : 'n/a',
      ratio(l.ours.perSecond, l.raw1.perSecond), ratio(l.ours.perSecond, l.rawN.perSecond), ratio(l.ours.perSecond, l.emmett?.perSecond),
    ]),
  );
  const pair = (r?: RunResult) => (r ? `${latency(r.p50)} / ${latency(r.p99)}` : 'n/a');
  const latencyTable = table(
    ['writers', 'ours', 'ours, event-loop writer', 'raw, 1 tx/append', 'raw, N/tx', 'Emmett SQLite'],
    levels.map((l) => [String(l.writers), pair(l.ours), pair(l.oursEventLoop), pair(l.raw1), pair(l.rawN), pair(l.emmett)]),
  );
  const loop = (r: RunResult) => (r.loopDelay ? `${latency(r.loopDelay.p99)} / ${latency(r.loopDelay.max)}` : 'n/a');
  const loopTable = table(['writers', 'ours (writer thread)', 'ours, event-loop writer'], levels.map((l) => [String(l.writers), loop(l.ours), loop(l.oursEventLoop)]));
  const catchUpTable = table(
    ['reader', 'events/s', 'ours / raw'],
    [
      [`subscribeToAll({ fromPosition: 0 }) over ${int(head)} events`, int(catchUpOurs), ratio(catchUpOurs, catchUpRaw)],
      ['raw SELECT … ORDER BY position, iterate + JSON.parse', int(catchUpRaw), ''],
    ],
  );
  const top = levels.find((l) => l.writers === 64);
  const at16 = levels.find((l) => l.writers === 16);
  const yes = (met: boolean | undefined) => (met === undefined ? 'not measured' : met ? '**met**' : '**not met**');
  const goalsTable = table(
    ['goal', 'measured', 'status'],
    [
      [`64 writers ≥ ${int(GOAL_APPENDS)} durable appends/s`, top ? `${int(top.ours.perSecond)}/s` : 'n/a', yes(top ? top.ours.perSecond >= GOAL_APPENDS : undefined)],
      [`64 writers ≥ ${GOAL_VS_EMMETT}× Emmett SQLite`, top?.emmett ? ratio(top.ours.perSecond, top.emmett.perSecond) : 'n/a', yes(top?.emmett ? top.ours.perSecond >= GOAL_VS_EMMETT * top.emmett.perSecond : undefined)],
      [`catch-up ≥ ${int(GOAL_CATCHUP)} events/s`, `${int(catchUpOurs)}/s`, yes(catchUpOurs >= GOAL_CATCHUP)],
      ...[at16, top].map((l, i) => {
        const writers = i === 0 ? 16 : 64;
        return [`${writers} writers ≥ ${GOAL_VS_RAW_N}× raw N/tx (same schema)`, l ? ratio(l.ours.perSecond, l.rawN.perSecond) : 'n/a', yes(l ? l.ours.perSecond >= GOAL_VS_RAW_N * l.rawN.perSecond : undefined)];
      }),
      [
        `64 writers p99 ≤ ${GOAL_P99_VS_RAW_N}× raw N/tx p99`,
        top ? `${latency(top.ours.p99)} ms vs ${latency(top.rawN.p99)} ms (${ratio(top.ours.p99, top.rawN.p99)})` : 'n/a',
        yes(top ? top.ours.p99 <= GOAL_P99_VS_RAW_N * top.rawN.p99 : undefined),
      ],
    ],
  );

  const section = [
    '## Event store — `npm run bench:store`',
    '',
    `Machine: ${machine}. Run took ${Math.round((Date.now() - started) / 1000)} s.`,
    '',
    `Durable appends: each writer owns one stream and appends one ~550-byte event at a time with the exact expected revision, awaiting each append; ${WARMUP_SECONDS} s warm-up, then ${SECONDS} s measured (appends completed in that window), on a fresh database per run in a temp folder. All contenders use WAL with \`synchronous = FULL\` (an acknowledged append has been fsynced).`,
    '',
    '- **ours**: `SqliteEventStore.appendToStream` (group commit in the writer thread: the appends that arrive while it commits share its next transaction and fsync; the event loop makes the events\' canonical texts, hands them over as one string a turn and settles the promises).',
    '- **ours, event-loop writer**: the same store with `writer: \'event-loop\'`, the group commit on the event loop as before the writer thread (appends queued in one turn share one transaction): the baseline of the thread\'s cost.',
    '- **raw, 1 tx/append**: better-sqlite3 inserting the same rows (the store\'s own schema, `SQLITE_EVENTS_SCHEMA`: one index, the (stream_id, revision) key; the same JSON) with one transaction per event: the durable-per-append limit. better-sqlite3 is synchronous, so this is one loop taking the writers\' streams in turn; the writer count does not change it.',
    '- **raw, N/tx**: the same inserts, N = writers events per transaction, as group commit batches them: the ceiling for this batch size. Its latency is the batch\'s commit time.',
    `- **Emmett SQLite**: ${emmettSetup}. It is used through one store with appends serialised by a promise chain, because uncoordinated concurrent appends on one file store fail${probe ? ` (probe: 16 writers × 20 appends gave ${probe.ok} appends and ${probe.failed} failed writers: ${[...probe.errors.keys()].join('; ') || 'no errors'})` : ''}. Latency includes the wait for that lock. (0.38.5 because emmett-sqlite 0.42.4 pins its peer @event-driven-io/emmett to 0.42.4, which the registry does not have.)`,
    '',
    '### Durable appends per second',
    '',
    throughputTable,
    '',
    ...levels.filter((l) => l.emmett?.note).map((l) => `- Emmett, ${l.writers} writer(s): ${l.emmett!.note}.`),
    ...(levels.some((l) => l.emmett?.note) ? [''] : []),
    '### Append latency, p50 / p99 (ms)',
    '',
    latencyTable,
    '',
    '### Event-loop delay while the appends run, p99 / max (ms)',
    '',
    'How late a 1 ms timer fired on the appending process\'s event loop (`monitorEventLoopDelay`): what a request arriving meanwhile waits before it is even parsed.',
    '',
    loopTable,
    '',
    `### Subscription catch-up (${int(head)} events, ${SEED_EVENTS_PER_STREAM} per stream; best of 2 rounds)`,
    '',
    catchUpTable,
    '',
    `Seeded ${seedHow} at ${int(head / seedSeconds)} events/s; each reader then opens the file afresh (warm OS page cache).`,
    '',
    '### Goals',
    '',
    goalsTable,
    '',
  ].join('\n');

  log(`\n${throughputTable}\n\nlatency p50 / p99 (ms)\n${latencyTable}\n\nevent-loop delay p99 / max (ms)\n${loopTable}\n\n${catchUpTable}\n\n${goalsTable}`);
  if (process.env.BENCH_NO_DOCS !== '1') log(`\nwrote ${writeDocsSection('store', section)}`);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
