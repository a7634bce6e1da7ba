/**
 * Events as the API's integration feed serves them (`GET /events`, `GET /events/stream`): the
 * envelope and a per-type feed view of `data` (docs/api.md, "Event feed"), never the stored data.
 */
export type { FeedEvent, FeedPage } from '@access-ledger/feed';
