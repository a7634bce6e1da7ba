import type { Response } from 'express';
import { FeedEvent, SSE_HEARTBEAT, sseMessage } from '@access-ledger/feed';
import { MAX_UNSENT_BYTES, written } from '@access-ledger/platform';

/** Events are gathered into writes of about this many characters during a catch-up (fewer, larger writes to the socket). */
const CHUNK_CHARS = 64 * 1024;
/** How long a stopping service waits for a stream's last bytes to reach a client that does not read, before it cuts the connection. */
const STOP_GRACE_MS = 1000;

export interface EventStreamLogger {
  error(message: string): void;
}

/**
 * One client's `text/event-stream`. It pulls the events it writes (`run` takes them from an
 * async iterable, one at a time), so while the connection holds more than MAX_UNSENT_BYTES
 * unsent it reads nothing more: a slow client slows its own read of the log, and memory stays
 * bounded. Events that come one after another (a catch-up) are gathered into larger writes;
 * a lone live event is written at the next turn of the event loop. A heartbeat comment goes
 * out every `heartbeatMs` while nothing is waiting to be sent.
 *
 * It ends when the client goes away (the signal aborts, which ends the read of the log), when
 * `stop` is called (the service is stopping: the client reconnects with Last-Event-ID), or when
 * reading fails (the connection is cut, so the client sees an error, not an end).
 */
export class EventStream {
  private readonly controller = new AbortController();
  private pending = '';
  private flushing: NodeJS.Immediate | null = null;
  private finished: Promise<void> = Promise.resolve();

  constructor(
    private readonly response: Response,
    private readonly heartbeatMs: number,
    private readonly logger: EventStreamLogger,
  ) {}

  /** Aborts when the client has gone or the stream is stopped: pass it to the read of the log. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Sends the headers at once (the client knows it is connected before any event), then the events as they come. */
  start(events: AsyncIterable<FeedEvent>): Promise<void> {
    const { response } = this;
    response.status(200);
    response.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    // The connection serves nothing after the stream; closing it with the response lets a stopping server finish.
    response.setHeader('Connection', 'close');
    // nginx and the like: pass it on as it comes.
    response.setHeader('X-Accel-Buffering', 'no');
    response.flushHeaders();
    response.once('close', () => this.controller.abort());
    this.finished = this.run(events);
    return this.finished;
  }

  private async run(events: AsyncIterable<FeedEvent>): Promise<void> {
    const { response } = this;
    const heartbeat = setInterval(() => this.heartbeat(), this.heartbeatMs);
    try {
      for await (const event of events) {
        this.pending += sseMessage(event);
        if (this.pending.length >= CHUNK_CHARS || response.writableLength >= MAX_UNSENT_BYTES) await this.flush();
        else this.flushSoon();
      }
    } catch (error) {
      // The headers are sent: cutting the connection is the only way left to say it failed.
      this.logger.error(`The event feed stream failed: ${error instanceof Error ? error.message : String(error)}`);
      response.destroy(error instanceof Error ? error : new Error(String(error)));
      return;
    } finally {
      clearInterval(heartbeat);
      if (this.flushing) clearImmediate(this.flushing);
    }
    // Unless the client went away: then there is nobody to end it for.
    if (!response.writableEnded && response.socket && !response.socket.destroyed) response.end(this.pending);
  }

  /** Ends the stream (the service is stopping) and resolves once it is closed, or cut after a grace period for a client that does not read. */
  async stop(): Promise<void> {
    this.controller.abort();
    await this.finished;
    if (!this.response.socket || this.response.socket.destroyed) return;
    await new Promise<void>((resolve) => {
      const cut = setTimeout(() => this.response.destroy(), STOP_GRACE_MS);
      this.response.once('close', () => {
        clearTimeout(cut);
        resolve();
      });
    });
  }

  private async flush(): Promise<void> {
    if (this.flushing) clearImmediate(this.flushing);
    this.flushing = null;
    const chunk = this.pending;
    this.pending = '';
    if (chunk) await written(this.response, chunk);
  }

  private flushSoon(): void {
    this.flushing ??= setImmediate(() => {
      this.flushing = null;
      void this.flush();
    });
  }

  /** Only on a quiet connection: one that still has bytes to send is not idle, and a client that does not read needs no more. */
  private heartbeat(): void {
    if (this.pending || this.response.writableLength > 0 || this.controller.signal.aborted) return;
    this.response.write(SSE_HEARTBEAT);
  }
}
