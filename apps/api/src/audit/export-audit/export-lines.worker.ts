import Database from 'better-sqlite3';
import { parentPort } from 'node:worker_threads';
import { StoredEvent } from '@access-ledger/core';
import { ExportLines, exportFormatNamed } from '@access-ledger/audit';
import type { ExportLinesBatch, ExportLinesJob } from './export-lines';

type Row = [position: number, eventId: string, streamId: string, revision: number, type: string, dataJson: string, metadataJson: string];

/**
 * A read-only connection to the embedded store's file (SqliteEventStore's `events` table; WAL
 * lets it read committed events while the store appends). Here rather than beside the store in
 * libs/event-store: that library's index loads the EventStoreDB client too, a quarter of a second
 * of every export's start in each worker. The worker spec checks it reads what readAllStored reads.
 */
class LogReader {
  private readonly db: Database.Database;
  private readonly window: Database.Statement<[number, number], Row>;

  constructor(file: string) {
    this.db = new Database(file, { readonly: true, fileMustExist: true });
    this.db.pragma('busy_timeout = 5000');
    this.window = this.db.prepare<[number, number], Row>('SELECT position, event_id, stream_id, revision, type, data, metadata FROM events WHERE position BETWEEN ? AND ? ORDER BY position ASC').raw(true);
  }

  /** The events of positions [from, to], data and metadata as stored. */
  readStored(from: number, to: number): StoredEvent[] {
    return this.window.all(from, to).map(([position, eventId, streamId, revision, type, dataJson, metadataJson]) => ({ eventId, type, streamId, revision, position, dataJson, metadataJson }));
  }

  close(): void {
    this.db.close();
  }
}

/**
 * The audit export's worker threads (export-lines.ts starts them): each reads the embedded store's
 * log through its own read-only connection, its share of the windows of positions up to the
 * export's head, and sends the
 * canonical content of the selected events' lines (ExportLines, the same code the main thread
 * runs without a worker) in batches. The main thread chains, hashes and writes them. Workers are
 * kept between exports (warm, module loaded), one job at a time, each given by a message. At most
 * `maxBatchesAhead` batches are sent and not yet taken (the main thread answers each with a
 * message): a slow client holds the read back, as it does without the worker.
 */
/** Credits: batches this worker may still send before the main thread takes one. */
let credits = 0;
let wake: (() => void) | null = null;
/** One job at a time; the connection to a file is kept for the next job on the same file. */
let reader: { file: string; log: LogReader } | null = null;

async function run(job: ExportLinesJob): Promise<void> {
  const port = parentPort!;
  const format = exportFormatNamed(job.format);
  if (!format) throw new Error(`No export format ${job.format}`);
  const lines = new ExportLines(format, job.selection);
  if (reader?.file !== job.file) {
    reader?.log.close();
    reader = { file: job.file, log: new LogReader(job.file) };
  }
  const log = reader.log;
  credits = job.maxBatchesAhead;
  // Windows of pageSize positions, this worker's every `workers`-th one (from its `index`): the main thread takes the workers' batches in turn, in window order.
  for (let window = job.index; window * job.pageSize + 1 <= job.throughPosition; window += job.workers) {
    const from = window * job.pageSize + 1;
    const page = log.readStored(from, Math.min(from + job.pageSize - 1, job.throughPosition));
    let text = '';
    const ends: number[] = [];
    const positions: number[] = [];
    for (const stored of page) {
      const line = lines.ofStored(stored);
      if (line === null) continue;
      text += line.canonical;
      ends.push(text.length);
      text += line.occurredAt;
      ends.push(text.length);
      positions.push(line.position);
    }
    // Sent when empty too: the main thread counts on one batch per window.
    const batch: ExportLinesBatch = { kind: 'lines', text, ends: Uint32Array.from(ends), positions: Float64Array.from(positions) };
    while (credits === 0) await new Promise<void>((resolve) => (wake = resolve));
    credits -= 1;
    port.postMessage(batch, [batch.ends.buffer as ArrayBuffer, batch.positions.buffer as ArrayBuffer]);
  }
  port.postMessage({ kind: 'done' });
}

parentPort!.on('message', (message: 'taken' | { readonly kind: 'job'; readonly job: ExportLinesJob }) => {
  if (message === 'taken') {
    credits += 1;
    wake?.();
    wake = null;
    return;
  }
  run(message.job).catch((error) => {
    // Thrown out of the worker: the main thread sees its 'error' event and cuts the answer.
    setImmediate(() => {
      throw error;
    });
  });
});
