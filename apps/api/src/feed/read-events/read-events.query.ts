import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { FeedPage, FeedReader, feedReadPolicy } from '@access-ledger/feed';
import { FeedLog, FeedSelection } from '../feed-log';

export class ReadEventsQuery extends Query<FeedPage> {
  constructor(readonly reader: FeedReader, readonly selection: FeedSelection, readonly limit: number) {
    super();
  }
}

/** A page of the feed (integrations only). */
@QueryHandler(ReadEventsQuery)
export class ReadEventsHandler implements IQueryHandler<ReadEventsQuery> {
  constructor(private readonly log: FeedLog) {}

  async execute({ reader, selection, limit }: ReadEventsQuery): Promise<FeedPage> {
    feedReadPolicy.integrationOnly(reader);
    return this.log.page(selection, limit);
  }
}
