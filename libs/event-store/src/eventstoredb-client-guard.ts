import type { Duplex } from 'node:stream';
// The gRPC client class the batch append is made with (no exports map: the package's own generated code).
import { StreamsClient } from '@eventstore/db-client/generated/streams_grpc_pb';

export interface ClientGuardLogger {
  warn(message: string): void;
}

/**
 * Contains the failures of `@eventstore/db-client` 6.2.1's batch append (dist/streams/appendToStream/batchAppend.js) that
 * would otherwise end the process. That code keeps one module-level table of pending appends for the whole process, every
 * stream and client alike:
 * - a failed batch-append stream rejects every pending append, those sent on another (newer) stream too, and empties the
 *   table; the replies to those later arrive on their stream, whose 'data' listener then destructures `undefined` and
 *   throws a TypeError inside the gRPC stream's event emission: an uncaught exception;
 * - its sender is an `async` Promise executor, so a write still queued behind back-pressure when the stream fails is
 *   rejected with nobody awaiting it: an unhandled rejection.
 * This wraps each batch-append stream the client makes (one per gRPC client, for the life of its channel): an exception
 * thrown by a listener of its 'data' event is logged and dropped (the append it answers was already rejected, and the
 * adapter has retried it); and its `write` reports no back-pressure, so the sender never queues a write to be rejected
 * later (the messages wait in the stream's buffer instead, bounded by the appends in flight, at most 1 MiB each).
 * A rejected append is the adapter's to retry; one whose answer was lost is given up after its own timeout.
 * Fixed upstream in @kurrent/kurrentdb-client (a table per stream, unknown replies dropped): see docs/decisions.md.
 *
 * Installed once per process (the table it guards is per process); later calls only add no second wrapper.
 */
export function guardBatchAppend(logger: ClientGuardLogger): void {
  const prototype = StreamsClient.prototype as unknown as Record<string | symbol, unknown>;
  if (prototype[GUARDED]) return;
  const original = prototype.batchAppend as (...args: unknown[]) => Duplex;
  prototype.batchAppend = function guardedBatchAppend(this: unknown, ...args: unknown[]): Duplex {
    return containBatchAppendStream(original.apply(this, args), logger);
  };
  prototype[GUARDED] = true;
}

const GUARDED = Symbol.for('access-ledger.eventstoredb.batch-append-guard');

/** The two wrappers guardBatchAppend puts on one batch-append stream (exported for its unit test). */
export function containBatchAppendStream<S extends Duplex>(stream: S, logger: ClientGuardLogger): S {
  const emit = stream.emit.bind(stream);
  stream.emit = ((event: string | symbol, ...args: unknown[]): boolean => {
    if (event !== 'data') return emit(event, ...args);
    try {
      return emit(event, ...args);
    } catch (error) {
      logger.warn(`EventStoreDB client: dropped a batch-append reply that no append waits for any more (${error instanceof Error ? error.message : String(error)})`);
      return true;
    }
  }) as S['emit'];
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.write = ((...args: unknown[]): boolean => {
    write(...args);
    return true;
  }) as S['write'];
  return stream;
}
