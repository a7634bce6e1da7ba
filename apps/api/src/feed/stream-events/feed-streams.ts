import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { AppConfig, APP_CONFIG } from '@access-ledger/platform';
import { FeedLog, FeedSelection } from '../feed-log';
import { EventStream } from './event-stream';

/**
 * The open event streams of this process. A stream runs apart from its request's handler, which
 * returns once the headers are sent (so request metrics time the answer, not the connection's
 * life); it is listed here until it ends. When the service stops, every stream is ended before
 * the HTTP server closes (which waits for open connections), and their reads of the log end
 * before the stores close.
 */
@Injectable()
export class FeedStreams implements BeforeApplicationShutdown {
  private readonly logger = new Logger('EventFeed');
  private readonly open = new Set<EventStream>();

  constructor(
    private readonly log: FeedLog,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Starts the stream of this selection on the response; it runs until the client goes or the service stops. */
  start(response: Response, selection: FeedSelection): void {
    const stream = new EventStream(response, this.config.feedHeartbeatMs, this.logger);
    this.open.add(stream);
    void stream.start(this.log.follow(selection, stream.signal)).finally(() => this.open.delete(stream));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([...this.open].map((stream) => stream.stop()));
  }
}
