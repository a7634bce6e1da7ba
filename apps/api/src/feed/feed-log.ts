import { Inject, Injectable } from '@nestjs/common';
import { FeedEvent, FeedPage, FeedType, feedEventOf, feedPage } from '@access-ledger/feed';
import { EventStore } from '@access-ledger/event-store';
import { EVENT_STORE } from '@access-ledger/platform';

/** What a feed read asks for: the events after a position, of some feed types (never of others). */
export interface FeedSelection {
  /** Exclusive: events with a position above it. */
  readonly after: number;
  readonly types: readonly FeedType[];
}

/**
 * The log as the feed serves it: the store reads only the selected types (the SQLite adapter
 * skips other rows without parsing them, EventStoreDB filters the subscription on the server),
 * and each event goes out through its feed view (libs/feed).
 */
@Injectable()
export class FeedLog {
  constructor(@Inject(EVENT_STORE) private readonly events: EventStore) {}

  /** Up to `limit` events after `after`, in position order. */
  async page({ after, types }: FeedSelection, limit: number): Promise<FeedPage> {
    const events: FeedEvent[] = [];
    for await (const recorded of this.events.readAll({ fromPosition: after + 1, maxCount: limit, filter: { eventTypes: types } })) {
      events.push(this.served(recorded));
    }
    return feedPage(events, after);
  }

  /**
   * Every event after `after`, then each new one as it is appended, until `signal` aborts: one
   * subscription of the log, so the catch-up and the live events meet with no gap and no repeat.
   * Pulled: nothing is read ahead of what the consumer asks for.
   */
  async *follow({ after, types }: FeedSelection, signal: AbortSignal): AsyncGenerator<FeedEvent> {
    for await (const recorded of this.events.subscribeToAll({ fromPosition: after + 1, filter: { eventTypes: types }, signal })) {
      yield this.served(recorded);
    }
  }

  private served(recorded: Parameters<typeof feedEventOf>[0]): FeedEvent {
    const event = feedEventOf(recorded);
    // The store was asked for feed types only.
    if (!event) throw new Error(`The event store returned ${recorded.type} at ${recorded.position}, which the feed was not reading`);
    return event;
  }
}
