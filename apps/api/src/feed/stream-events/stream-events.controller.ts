import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ValidationError } from '@access-ledger/core';
import { feedReadPolicy } from '@access-ledger/feed';
import { ApiAnswer, Ctx, RequestContext } from '@access-ledger/platform';
import { FEED_EVENT_SCHEMA } from '../feed-openapi';
import { feedReaderOf, feedSelectionOf } from '../feed-reader';
import { FeedSelectionDto } from '../feed-selection.dto';
import { FeedStreams } from './feed-streams';

/** `Last-Event-ID`: the position of the last event the client received; absent (or empty, as no browser sends it) when it starts afresh. */
const lastEventIdOf = (request: Request): number | undefined => {
  const header = request.header('last-event-id');
  if (header === undefined || header === '') return undefined;
  if (!/^\d{1,15}$/.test(header)) throw new ValidationError('invalid-last-event-id', 'Last-Event-ID must be the id of an event this stream sent (a position).');
  return Number(header);
};

@ApiTags('event feed')
@ApiBearerAuth()
@Controller('events')
export class StreamEventsController {
  constructor(private readonly streams: FeedStreams) {}

  @Get('stream')
  @ApiOperation({
    operationId: 'FeedController_stream',
    summary: 'The event feed as Server-Sent Events: catches up from after (or Last-Event-ID), then stays live (integrations)',
    description:
      'Each event: id = its position, event = its type, data = the FeedEvent as JSON. A comment ": heartbeat" every FEED_HEARTBEAT_MS. Reconnect with Last-Event-ID to resume with nothing lost and nothing twice. See docs/api.md, "Event feed".',
  })
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'The id of the last event received: the stream resumes after it (over after).' })
  @ApiAnswer(200, FEED_EVENT_SCHEMA, { mediaType: 'text/event-stream', description: 'A text/event-stream of FeedEvents (this schema is one event’s data).' })
  stream(@Ctx() context: RequestContext, @Req() request: Request, @Res() response: Response, @Query() query: FeedSelectionDto): void {
    const from = lastEventIdOf(request);
    feedReadPolicy.integrationOnly(feedReaderOf(context));
    this.streams.start(response, feedSelectionOf(query, from));
  }
}
