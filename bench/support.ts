import Database from 'better-sqlite3';
import { ChildProcess, fork } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { RecordedEvent } from '@access-ledger/core';
import { ChainedEvent, SqliteEventStore } from '@access-ledger/event-store';
import { Document, Projection, SqliteReadStore, projectBatch, touchedIds } from '@access-ledger/read-store';

/** Percentile of sorted samples (nearest rank). */
export const percentile = (sorted: readonly number[], p: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** Milliseconds per call of `fn`, after a warm-up, over `count` sequential calls. */
export async function measure(count: number, fn: (i: number) => Promise<unknown>, warmup = Math.min(200, count)): Promise<LatencySummary> {
  for (let i = 0; i < warmup; i += 1) await fn(i);
  const samples: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const start = process.hrtime.bigint();
    await fn(i);
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return { count, p50: percentile(samples, 50), p99: percentile(samples, 99), max: samples[samples.length - 1], mean: samples.reduce((s, x) => s + x, 0) / samples.length };
}

/**
 * CPU time (user + system) per call, p50 and p99: what a call costs this process, without the
 * time the machine gave to others meanwhile (on a shared VM, wall-clock p99 is mostly that).
 */
export async function cpuTime(count: number, fn: () => Promise<unknown>) {
  const samples: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const before = process.cpuUsage();
    await fn();
    const used = process.cpuUsage(before);
    samples.push((used.user + used.system) / 1000);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

export const machine = () =>
  `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;

export const ms = (value: number) => `${value.toFixed(value < 1 ? 3 : 2)} ms`;

/** Tiny deterministic generator so runs are comparable. */
export const rng = (seed: number) => () => {
  seed = (seed * 1664525 + 1013904223) % 2 ** 32;
  return seed / 2 ** 32;
};

/**
 * Feeds synthetic events through the real projections, in batches (one write transaction per
 * `batchEvents` events), into the read store. Each batch reads the documents it touches first,
 * so a document's events may span batches. With `indexesLast`, the collections are created
 * without their indexes, which are built once at the end (a sort, where maintaining nine indexes
 * row by row costs far more): with big batches, a million documents in a minute or two.
 */
export async function seed(store: SqliteReadStore, projections: readonly Projection<Document>[], events: Iterable<RecordedEvent>, { batchEvents = 5000, indexesLast = false } = {}) {
  for (const projection of projections) await store.ensureCollection(indexesLast ? { ...projection.collection, indexes: [] } : projection.collection);
  let batch: RecordedEvent[] = [];
  const flush = async () => {
    for (const projection of projections) {
      const current = await store.getMany<Document>(projection.collection.name, touchedIds(projection, batch));
      await store.applyChanges(projection.name, projectBatch(projection, current, batch), batch[batch.length - 1].position);
    }
    batch = [];
  };
  for (const event of events) {
    batch.push(event);
    if (batch.length >= batchEvents) await flush();
  }
  if (batch.length) await flush();
  if (indexesLast) for (const projection of projections) await store.ensureCollection(projection.collection);
}

/** A Markdown table, the first column left-aligned and the others right-aligned. */
export const table = (header: string[], rows: string[][]) => {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) => `| ${cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join(' | ')} |`;
  return [line(header), `|${widths.map((w, c) => (c === 0 ? ` ${'-'.repeat(w)} ` : ` ${'-'.repeat(w - 1)}: `)).join('|')}|`, ...rows.map(line)].join('\n');
};


/** The secret the benchmarks' service signs tokens with (bench/http-server.ts verifies with it). */
export const BENCH_SECRET = 'bench-secret-bench-secret-bench-secret-0123';

/**
 * bench/http-server.ts in its own process, so that the server has a core of its own: `api` (the
 * real service on the embedded stores in `dataDir`) or `bare` (one NestJS endpoint doing nothing).
 * Resolves once it listens on `port`.
 */
export const startServer = (mode: 'api' | 'bare', port: number, dataDir: string, execArgv: string[] = []) =>
  new Promise<ChildProcess>((resolve, reject) => {
    const child = fork(join(__dirname, 'http-server.js'), [mode, String(port)], { env: { ...process.env, BENCH_DATA_DIR: dataDir, BENCH_SECRET }, execArgv });
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`${mode} server exited with ${code}`)));
  });

export const stopServer = (child: ChildProcess) =>
  new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });

/**
 * A built entry point (`dist/…/main.js`) as its own process, as a user runs it: resolves once it
 * prints `ready` (e.g. "listening on"); rejects if it exits first.
 */
export const startProcess = (script: string, env: Record<string, string>, ready: string) =>
  new Promise<ChildProcess>((resolve, reject) => {
    const child = fork(join(__dirname, '..', '..', script), [], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    let output = '';
    const seen = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(ready)) resolve(child);
    };
    child.stdout!.on('data', seen);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}: ${output.slice(-2000)}`)));
  });


// ---- the repository, docs/performance.md, child processes ------------------------------

/** The repository root: the nearest folder above this file that has bench/package.json. */
export const repoRoot = (() => {
  let dir = __dirname;
  while (!existsSync(join(dir, 'bench', 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`bench/package.json not found above ${__dirname}`);
    dir = parent;
  }
  return dir;
})();

/**
 * Writes a benchmark's section of docs/performance.md between its markers
 * (`<!-- bench:<name>:begin … -->` … `<!-- bench:<name>:end -->`), replacing what was there, or
 * appends it. Returns the file's path.
 */
export function writeDocsSection(name: string, section: string): string {
  const file = join(repoRoot, 'docs', 'performance.md');
  const end = `<!-- bench:${name}:end -->`;
  const block = `<!-- bench:${name}:begin (generated by npm run bench:${name}; edits inside are overwritten) -->\n${section.trim()}\n${end}`;
  let text = existsSync(file)
    ? readFileSync(file, 'utf8')
    : '# Performance\n\nBenchmark results beside their baselines. Each section is rewritten by the script named in its heading; rerun it on the target machine rather than trusting numbers from another one.\n';
  const beginAt = text.indexOf(`<!-- bench:${name}:begin`);
  const endAt = text.indexOf(end);
  if (beginAt >= 0 && endAt > beginAt) text = `${text.slice(0, beginAt)}${block}${text.slice(endAt + end.length)}`;
  else text = `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, text.endsWith('\n') ? text : `${text}\n`);
  return file;
}

/** Milliseconds, fractional, from a monotonic clock. */
export const now = () => Number(process.hrtime.bigint()) / 1e6;
/** This process's peak resident set size so far, in MB. */
export const maxRssMb = () => process.resourceUsage().maxRSS / 1024;

/** Runs `script` (a benchmark's own file) again as a child in `mode`, with an IPC channel for its messages. */
export const forkChild = (script: string, mode: string, arg: string): ChildProcess => fork(script, [mode, arg], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });

/** The child's next message of this kind; rejects if it exits first. */
export const nextMessage = <M extends { kind: string }, K extends M['kind']>(child: ChildProcess, kind: K): Promise<Extract<M, { kind: K }>> =>
  new Promise((resolvePromise, reject) => {
    const onMessage = (message: M) => {
      if (message.kind !== kind) return;
      child.off('message', onMessage);
      resolvePromise(message as Extract<M, { kind: K }>);
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`child exited (${code}) before sending ${kind}`)));
  });

/**
 * An embedded event store to seed directly: the schema from SqliteEventStore, then rows
 * inserted through better-sqlite3 without fsync (set-up, not under test), each event as
 * `chainedEvents` gives it (with the streamHash appendToStream would write). `insert` answers
 * the row's position; `inTransaction` wraps a batch of inserts; `close` checkpoints the WAL.
 */
export async function seedingStore(dataDir: string) {
  const file = join(dataDir, 'events.db');
  await new SqliteEventStore({ file }).close();
  const db = new Database(file);
  db.pragma('synchronous = OFF');
  const statement = db.prepare('INSERT INTO events (event_id, stream_id, revision, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)');
  return {
    insert: (streamId: string, revision: number, event: ChainedEvent): number =>
      Number(statement.run(event.eventId, streamId, revision, event.type, event.dataJson, event.metadataJson).lastInsertRowid),
    inTransaction: <A extends unknown[]>(fn: (...args: A) => void) => db.transaction(fn),
    close: () => {
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
    },
  };
}

