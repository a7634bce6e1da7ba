import { MessagePort, parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { NewEvent } from '@access-ledger/core';
import { ExpectedRevision } from './event-store';
import { AppendOutcome, QueuedAppend, SqliteAppendBatch, openEventsDatabase } from './sqlite-append-batch';

/**
 * The embedded store's writer thread (started by SqliteEventStore, one per store): it owns the
 * connection that appends, so the transaction, the stream chains' hashing and the fsync of each
 * group commit run here, not on the event loop.
 *
 * In: a string per turn of the store's event loop, the JSON array of that turn's appends, each
 * `[streamId, expectedRevision, events]`; or `CLOSE`. Out: per commit, the outcomes of its
 * appends in order (AppendOutcome[]). Everything that arrived while a commit ran goes into the
 * next one (group commit), up to `maxBatch` appends a transaction.
 */
export interface WriterThreadData {
  readonly kind: 'sqlite-writer';
  readonly file: string;
  readonly maxBatch: number;
  readonly maxAppendBytes: number;
}

export const CLOSE = 'close';
export type WriterMessage = string | { readonly type: typeof CLOSE };
export type WriterReply = AppendOutcome[];

function run(port: MessagePort, { file, maxBatch, maxAppendBytes }: WriterThreadData): void {
  const db = openEventsDatabase(file);
  const batch = new SqliteAppendBatch(db, maxAppendBytes);
  let queue: QueuedAppend[] = [];
  let closing = false;
  const take = (message: WriterMessage) => {
    if (typeof message !== 'string') {
      closing = true;
      return;
    }
    for (const [streamId, expectedRevision, events] of JSON.parse(message) as [string, ExpectedRevision, NewEvent[]][]) queue.push({ streamId, expectedRevision, events });
  };
  /** Takes every message already waiting, without a turn of this thread's event loop. */
  const drain = () => {
    for (let next = receiveMessageOnPort(port); next; next = receiveMessageOnPort(port)) take(next.message as WriterMessage);
  };
  port.on('message', (message: WriterMessage) => {
    take(message);
    drain();
    while (queue.length > 0) {
      const appends = queue.length <= maxBatch ? queue : queue.slice(0, maxBatch);
      queue = queue.length <= maxBatch ? [] : queue.slice(maxBatch);
      const reply: WriterReply = batch.commit(appends);
      port.postMessage(reply);
      drain();
    }
    if (closing) {
      db.close();
      port.close();
    }
  });
}

if (parentPort && (workerData as Partial<WriterThreadData> | null)?.kind === 'sqlite-writer') run(parentPort, workerData as WriterThreadData);
