import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { FeedPage } from '@access-ledger/feed';
import { ApiAnswer, Ctx, RequestContext } from '@access-ledger/platform';
import { FEED_PAGE_SCHEMA } from '../feed-openapi';
import { feedReaderOf, feedSelectionOf } from '../feed-reader';
import { FEED_PAGE, ReadEventsQueryDto } from './read-events.dto';
import { ReadEventsQuery } from './read-events.query';

@ApiTags('event feed')
@ApiBearerAuth()
@Controller('events')
export class ReadEventsController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiOperation({
    operationId: 'FeedController_events',
    summary: 'A page of the event feed: the events after a position, of the feed types asked for, each with only what downstream needs (integrations)',
    description: 'lastPosition is the last event’s position, or after when the page is empty: resume with after=lastPosition. See docs/api.md, "Event feed", for what each type carries.',
  })
  @ApiAnswer(200, FEED_PAGE_SCHEMA)
  events(@Ctx() context: RequestContext, @Query() query: ReadEventsQueryDto): Promise<FeedPage> {
    return this.queries.execute(new ReadEventsQuery(feedReaderOf(context), feedSelectionOf(query), query.limit ?? FEED_PAGE));
  }
}
