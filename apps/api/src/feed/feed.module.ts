import { Module } from '@nestjs/common';
import { FeedLog } from './feed-log';
import { ReadEventsController } from './read-events/read-events.controller';
import { ReadEventsHandler } from './read-events/read-events.query';
import { StreamEventsController } from './stream-events/stream-events.controller';
import { FeedStreams } from './stream-events/feed-streams';

/** The event feed for integrations: pages of the log and its Server-Sent Events stream, through the feed views (libs/feed). */
@Module({
  controllers: [ReadEventsController, StreamEventsController],
  providers: [FeedLog, ReadEventsHandler, FeedStreams],
})
export class FeedModule {}
