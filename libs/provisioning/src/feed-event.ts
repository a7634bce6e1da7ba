/**
 * An event as the API's integration feed serves it (`GET /events`, `GET /events/stream`):
 * the envelope and a per-type feed view of `data` (docs/api.md, "Event feed"), never the stored data.
 */
export interface FeedEvent<Data = Record<string, unknown>> {
  readonly position: number;
  readonly eventId: string;
  readonly type: string;
  readonly streamId: string;
  readonly revision: number;
  readonly occurredAt: string;
  readonly correlationId: string;
  readonly causationId: string;
  readonly data: Data;
}

/** The page `GET /events` answers: `lastPosition` is where to resume from, whether or not events came. */
export interface FeedPage {
  readonly events: readonly FeedEvent[];
  readonly lastPosition: number;
}
