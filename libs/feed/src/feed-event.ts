import { RecordedEvent } from '@access-ledger/core';
import { FEED_TYPES, FeedData, FeedType, feedDataOf, isFeedType } from './views';

/**
 * One event as the feed serves it: the envelope without the actor (who did it is no
 * integration's business) and the type's feed view instead of the stored data.
 */
export interface FeedEvent {
  /** Global position in the log: the cursor (`after`, SSE `id`, `Last-Event-ID`). */
  readonly position: number;
  readonly eventId: string;
  readonly type: FeedType;
  readonly streamId: string;
  readonly revision: number;
  readonly occurredAt: string;
  readonly correlationId: string;
  readonly causationId: string;
  readonly data: FeedData;
}

/** The stored event as the feed serves it, or null for a type the feed does not serve. */
export const feedEventOf = (recorded: RecordedEvent): FeedEvent | null => {
  if (!isFeedType(recorded.type)) return null;
  const { position, eventId, type, streamId, revision, metadata } = recorded as RecordedEvent & { type: FeedType };
  return {
    position,
    eventId,
    type,
    streamId,
    revision,
    occurredAt: metadata.occurredAt,
    correlationId: metadata.correlationId,
    causationId: metadata.causationId,
    data: feedDataOf(recorded as RecordedEvent & { type: FeedType }),
  };
};

/** One event as Server-Sent Events: its position as `id` (what `Last-Event-ID` resumes after), its type as `event`, the FeedEvent as `data` (JSON has no raw newline, so one line). */
export const sseMessage = (event: FeedEvent): string => `id: ${event.position}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
/** The comment that keeps an idle stream's connection busy. */
export const SSE_HEARTBEAT = ': heartbeat\n\n';

/** The names of a `types` selection that are not feed types (empty: all are). */
export const unknownFeedTypes = (names: readonly string[]): string[] => names.filter((name) => !isFeedType(name));

/** The types to read: those asked for, each once, or every feed type when none were asked for. */
export const selectedFeedTypes = (names: readonly string[] | undefined): readonly FeedType[] =>
  names === undefined ? FEED_TYPES : FEED_TYPES.filter((type) => names.includes(type));

/** A page of the feed: `lastPosition` is where the next page starts (the last event's position, or `after` when there is none). */
export interface FeedPage {
  readonly events: readonly FeedEvent[];
  readonly lastPosition: number;
}

export const feedPage = (events: readonly FeedEvent[], after: number): FeedPage => ({
  events,
  lastPosition: events.length > 0 ? events[events.length - 1].position : after,
});
