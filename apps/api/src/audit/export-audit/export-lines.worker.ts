import { parentPort, workerData } from 'node:worker_threads';
import { ExportLines, exportFormatNamed } from '@access-ledger/audit';
import { SqliteLogReader } from '@access-ledger/event-store';
import type { ExportLinesBatch, ExportLinesJob } from './export-lines';

/**
 * The audit export's worker thread (export-lines.ts starts it): reads the embedded store's log
 * through its own read-only connection, a page at a time up to the export's head, and sends the
 * canonical content of the selected events' lines (ExportLines, the same code the main thread
 * runs without a worker) in batches. The main thread chains, hashes and writes them. At most
 * `maxBatchesAhead` batches are sent and not yet taken (the main thread answers each with a
 * message): a slow client holds the read back, as it does without the worker.
 */
async function run(job: ExportLinesJob): Promise<void> {
  const port = parentPort!;
  const format = exportFormatNamed(job.format);
  if (!format) throw new Error(`No export format ${job.format}`);
  const lines = new ExportLines(format, job.selection);
  const reader = new SqliteLogReader(job.file);
  let credits = job.maxBatchesAhead;
  let wake: (() => void) | null = null;
  const taken = () => {
    credits += 1;
    wake?.();
    wake = null;
  };
  port.on('message', taken);
  try {
    let from = 1;
    for (;;) {
      const page = reader.readStored(from, job.throughPosition, job.pageSize);
      if (page.length === 0) break;
      from = page[page.length - 1].position + 1;
      const batch: ExportLinesBatch = { kind: 'lines', canonicals: [], positions: [], occurredAts: [] };
      for (const stored of page) {
        const line = lines.ofStored(stored);
        if (line === null) continue;
        batch.canonicals.push(line.canonical);
        batch.positions.push(line.position);
        batch.occurredAts.push(line.occurredAt);
      }
      if (batch.canonicals.length === 0) continue;
      while (credits === 0) await new Promise<void>((resolve) => (wake = resolve));
      credits -= 1;
      port.postMessage(batch);
    }
    port.postMessage({ kind: 'done' });
  } finally {
    port.off('message', taken);
    reader.close();
  }
}

run(workerData as ExportLinesJob).catch((error) => {
  // Thrown out of the worker: the main thread sees its 'error' event and cuts the answer.
  setImmediate(() => {
    throw error;
  });
});
