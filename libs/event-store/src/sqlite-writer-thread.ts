import { MessagePort, parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { AppendOutcome, QueuedAppend, SqliteAppendBatch, openEventsDatabase } from './sqlite-append-batch';
import { PreparedEvent } from './stream-chain';

/**
 * The embedded store's writer thread (started by SqliteEventStore, one per store): it owns the
 * connection that appends, so the transaction, the stream chains' hashing and the fsync of each
 * group commit run here, not on the event loop.
 *
 * In: a string per turn of the store's event loop, that turn's appends already prepared for
 * the chain on the calling thread (encodeAppend, joined by the separator); or `CLOSE`. Out: per
 * commit, the outcomes of its appends in order (AppendOutcome[]), after which it waits a few ms
 * for the next message on a shared counter (WriterThreadData.posted). Everything that arrived while
 * a commit ran goes into the next one (group commit), up to `maxBatch` appends a transaction.
 */
export interface WriterThreadData {
  readonly kind: 'sqlite-writer';
  readonly file: string;
  readonly maxBatch: number;
  readonly maxAppendBytes: number;
  /**
   * One Int32 the store adds to and notifies after each message it posts: the thread, done with a
   * commit, sleeps on it (Atomics.wait, at most WAIT_FOR_NEXT_MS) for the next appends instead of
   * going back to its event loop, which wakes later and dispatches the message as an event.
   */
  readonly posted: SharedArrayBuffer;
}

/** How long the thread waits, after a commit, for the appends its answer lets the callers make. */
const WAIT_FOR_NEXT_MS = 5;

/**
 * What separates the fields of the appends' text: NUL, which none of them holds. The ids and the
 * expected revision go as JSON text, which escapes it, and the rest is canonical JSON text
 * (JCS writes U+0000 as \u0000). One string a turn, split at once by the thread, costs a fraction
 * of a JSON array of the appends (stringified here, parsed there) or of structured clone of
 * their strings (measured: docs/performance.md, "Event store: the writer thread").
 */
const SEPARATOR = '\u0000';
const FIELDS_PER_EVENT = 5;

/** An append as the thread takes it: streamId, expected revision, event count, then per event its id, type, data and the metadata's two halves (PreparedEvent). */
export const encodeAppend = ({ streamId, expectedRevision, events }: QueuedAppend): string => {
  let text = `${JSON.stringify(streamId)}${SEPARATOR}${JSON.stringify(expectedRevision)}${SEPARATOR}${events.length}`;
  for (const { eventId, type, dataJson, metadataBefore, metadataAfter } of events) {
    text += `${SEPARATOR}${JSON.stringify(eventId)}${SEPARATOR}${JSON.stringify(type)}${SEPARATOR}${dataJson}${SEPARATOR}${metadataBefore}${SEPARATOR}${metadataAfter}`;
  }
  return text;
};

/** The appends of encodeAppend texts joined by the separator, in order. */
export const decodeAppends = (text: string): QueuedAppend[] => {
  const fields = text.split(SEPARATOR);
  const appends: QueuedAppend[] = [];
  for (let at = 0; at < fields.length; ) {
    const streamId = JSON.parse(fields[at]) as string;
    const expectedRevision = JSON.parse(fields[at + 1]) as QueuedAppend['expectedRevision'];
    const count = Number(fields[at + 2]);
    at += 3;
    const events = new Array<PreparedEvent>(count);
    for (let i = 0; i < count; i += 1, at += FIELDS_PER_EVENT) {
      events[i] = { eventId: JSON.parse(fields[at]), type: JSON.parse(fields[at + 1]), dataJson: fields[at + 2], metadataBefore: fields[at + 3], metadataAfter: fields[at + 4] };
    }
    appends.push({ streamId, expectedRevision, events });
  }
  return appends;
};

/** The text of one turn's appends (encodeAppend each), as the thread takes it. */
export const joinAppends = (texts: readonly string[]): string => texts.join(SEPARATOR);

export const CLOSE = 'close';
export type WriterMessage = string | { readonly type: typeof CLOSE };
export type WriterReply = AppendOutcome[];

function run(port: MessagePort, { file, maxBatch, maxAppendBytes, posted }: WriterThreadData): void {
  const signal = new Int32Array(posted);
  const db = openEventsDatabase(file);
  const batch = new SqliteAppendBatch(db, maxAppendBytes);
  let queue: QueuedAppend[] = [];
  let closing = false;
  const take = (message: WriterMessage) => {
    if (typeof message !== 'string') {
      closing = true;
      return;
    }
    for (const append of decodeAppends(message)) queue.push(append);
  };
  /** Takes every message already waiting, without a turn of this thread's event loop. */
  const drain = () => {
    for (let next = receiveMessageOnPort(port); next; next = receiveMessageOnPort(port)) take(next.message as WriterMessage);
  };
  /** After a commit: the next message if it comes soon (the callers answered make their next appends), without a turn of this thread's event loop. */
  const awaitNext = (seen: number) => {
    if (queue.length === 0 && !closing && Atomics.load(signal, 0) === seen) Atomics.wait(signal, 0, seen, WAIT_FOR_NEXT_MS);
    drain();
  };
  port.on('message', (message: WriterMessage) => {
    take(message);
    drain();
    while (queue.length > 0) {
      const appends = queue.length <= maxBatch ? queue : queue.slice(0, maxBatch);
      queue = queue.length <= maxBatch ? [] : queue.slice(maxBatch);
      const reply: WriterReply = batch.commit(appends);
      // Read before the drain: a message posted after it counts past `seen`, so the wait does not sleep on it.
      const seen = Atomics.load(signal, 0);
      drain();
      port.postMessage(reply);
      awaitNext(seen);
    }
    if (closing) {
      db.close();
      port.close();
    }
  });
}

if (parentPort && (workerData as Partial<WriterThreadData> | null)?.kind === 'sqlite-writer') run(parentPort, workerData as WriterThreadData);
