import { PassThrough } from 'node:stream';
import { credentials } from '@grpc/grpc-js';
import { StreamsClient } from '@eventstore/db-client/generated/streams_grpc_pb';
import { containBatchAppendStream, guardBatchAppend } from './eventstoredb-client-guard';

/**
 * The guard around client 6.2.1's batch-append streams. The race that makes its data listener throw (a reply to an
 * append the process-wide table no longer holds) needs a server; what is shown here without one is that such a throw,
 * and a rejected queued write, can no longer escape as an uncaught exception or an unhandled rejection.
 */
describe('EventStoreDB client guard', () => {
  const late = () => {
    // What batchAppend.js's listener does with a reply whose append the table no longer holds.
    const [resolve] = new Map<string, [() => void]>().get('gone') as unknown as [() => void];
    resolve();
  };

  it('drops an exception thrown by a data listener of a batch-append stream, reports it, and keeps delivering', () => {
    const warnings: string[] = [];
    const stream = containBatchAppendStream(new PassThrough({ objectMode: true }), { warn: (m) => warnings.push(m) });
    const received: unknown[] = [];
    stream.on('data', (reply: { id: string }) => {
      if (reply.id === 'late') late();
      received.push(reply.id);
    });
    expect(() => stream.emit('data', { id: 'late' })).not.toThrow();
    stream.emit('data', { id: 'next' });
    expect(received).toEqual(['next']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/dropped a batch-append reply.*not iterable/);
    // Other events are the stream's own.
    expect(() => stream.emit('error', new Error('transport'))).toThrow('transport');
  });

  it('reports no back-pressure, so the client never queues a write that a failing stream would reject unawaited', async () => {
    const plain = new PassThrough({ objectMode: true, highWaterMark: 1 });
    expect([1, 2, 3].map((n) => plain.write({ n }))).toContain(false);
    const stream = containBatchAppendStream(new PassThrough({ objectMode: true, highWaterMark: 1 }), { warn: () => undefined });
    expect([1, 2, 3].map((n) => stream.write({ n }))).toEqual([true, true, true]);
    // Nothing is dropped: the messages waited in the stream's buffers.
    const out: unknown[] = [];
    stream.on('data', (message: { n: number }) => out.push(message.n));
    await new Promise((resolve) => setImmediate(resolve));
    expect(out).toEqual([1, 2, 3]);
  });

  it('wraps every batch-append stream the client makes, once however often it is installed', () => {
    const warnings: string[] = [];
    guardBatchAppend({ warn: (m) => warnings.push(m) });
    const wrapped = StreamsClient.prototype.batchAppend;
    guardBatchAppend({ warn: () => undefined });
    expect(StreamsClient.prototype.batchAppend).toBe(wrapped);
    // A real call object of the client's gRPC class, to a loopback port where nothing listens.
    const client = new StreamsClient('127.0.0.1:9', credentials.createInsecure());
    const call = client.batchAppend();
    call.on('error', () => undefined);
    call.on('data', late);
    try {
      expect(() => call.emit('data', {})).not.toThrow();
      expect(warnings).toHaveLength(1);
    } finally {
      call.cancel();
      client.close();
    }
  });
});
