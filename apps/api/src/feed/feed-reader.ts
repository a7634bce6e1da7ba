import { FeedReader, selectedFeedTypes } from '@access-ledger/feed';
import { RequestContext } from '@access-ledger/platform';
import { FeedSelection } from './feed-log';
import { FeedSelectionDto } from './feed-selection.dto';

/** The caller as the feed's policy needs them: their token's platform roles. */
export const feedReaderOf = (context: RequestContext): FeedReader => ({ roles: context.principal.roles });

/** The selection a validated query asks for; `from` (the stream's Last-Event-ID) wins over `after`. */
export const feedSelectionOf = (query: FeedSelectionDto, from?: number): FeedSelection => ({
  after: from ?? query.after ?? 0,
  types: selectedFeedTypes(query.types),
});
