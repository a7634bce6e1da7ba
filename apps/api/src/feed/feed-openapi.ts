import { FEED_TYPES } from '@access-ledger/feed';
import { s } from '@access-ledger/platform';

/** One event of the feed (libs/feed FeedEvent), as the OpenAPI document describes it. */
export const FEED_EVENT_SCHEMA = s.named(
  'FeedEvent',
  s.object({
    position: s.integer({ minimum: 1, description: 'Global position in the log: the cursor (after, the stream’s id and Last-Event-ID).' }),
    eventId: s.uuid('Stable: de-duplicate effects by it.'),
    type: s.oneOf(FEED_TYPES),
    streamId: s.string(),
    revision: s.integer({ minimum: 0 }),
    occurredAt: s.instant(),
    correlationId: s.string(),
    causationId: s.string(),
    data: s.object({}, { open: true, description: 'The type’s feed view: only what downstream needs (docs/api.md, "Event feed").' }),
  }),
);

export const FEED_PAGE_SCHEMA = s.named(
  'FeedPage',
  s.object({
    events: s.list(FEED_EVENT_SCHEMA),
    lastPosition: s.integer({ minimum: 0, description: 'The last event’s position, or after when there is none: the next page’s after.' }),
  }),
);
