import type { Writable } from 'node:stream';

/**
 * How much a streamed answer may hold unsent before its writer waits for it to drain: more than
 * the socket's own 16 KiB, so that the reader and the client are not woken for every chunk, and
 * still a bound (memory stays constant whatever the client does).
 */
export const MAX_UNSENT_BYTES = 1024 * 1024;

/**
 * Writes, and when the stream holds more than `maxUnsentBytes` unsent waits until it drains (or
 * closes: a client gone away never leaves the writer waiting). The back-pressure of a streamed
 * answer: a writer that awaits this reads its source no faster than the client takes it.
 */
export const written = (out: Writable, chunk: string, maxUnsentBytes = MAX_UNSENT_BYTES): Promise<void> => {
  if (out.write(chunk) || out.writableLength < maxUnsentBytes) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('close', done);
      resolve();
    };
    out.once('drain', done);
    out.once('close', done);
  });
};
