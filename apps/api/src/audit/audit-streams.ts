import { Inject, Injectable } from '@nestjs/common';
import { NotFoundError, RecordedEvent } from '@access-ledger/core';
import { participantStream } from '@access-ledger/care-access';
import { EventStore, ReadStreamOptions } from '@access-ledger/event-store';
import { CARE_GRANTS, CareGrant } from '@access-ledger/projections';
import { ReadStore } from '@access-ledger/read-store';
import { EVENT_STORE, READ_STORE } from '@access-ledger/platform';

/** Small enough that what a page holds beyond the instant costs little next to the fold from a checkpoint (at most CHECKPOINT_EVERY events). */
const READ_UP_TO_PAGE = 250;

export interface GrantStream {
  readonly participantId: string;
  readonly organisationId: string;
  readonly streamId: string;
}

/** What the audit endpoints read: streams as stored, and where a grant's history is. */
@Injectable()
export class AuditStreams {
  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_STORE) private readonly reads: ReadStore,
  ) {}

  read(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return this.events.readStream(streamId, options);
  }

  /**
   * The stream's events up to an instant, and at most one page more: read a page (250) at a time from
   * the start, stopping after the first page whose last event occurred after `at`. A state as of
   * an instant then costs the events before it, not the whole stream (reading, not folding, is
   * most of a replay's cost: docs/performance.md). What the page holds beyond `at` is left to the
   * fold (libs/audit `stateAt`), which stops at the first later event. From `fromRevision` on
   * when given (after a fold checkpoint).
   */
  async readUpTo(streamId: string, at: string, pageSize = READ_UP_TO_PAGE, fromRevision = 0): Promise<RecordedEvent[]> {
    const limit = Date.parse(at);
    const events: RecordedEvent[] = [];
    for (;;) {
      const page = await this.events.readStream(streamId, { fromRevision: fromRevision + events.length, maxCount: pageSize });
      events.push(...page);
      if (page.length < pageSize || Date.parse(page[page.length - 1].metadata.occurredAt) > limit) return events;
    }
  }

  /**
   * A grant's history is in its participant's stream. Which participant a grant id belongs to
   * comes from the `care_grants` read model (ids are not derivable back); the history itself
   * is then read from the stream. 404 for a grant the read model does not know (yet).
   */
  async grant(grantId: string): Promise<GrantStream & { events: RecordedEvent[] }> {
    const found = await this.grantStream(grantId);
    return { ...found, events: await this.read(found.streamId) };
  }

  /** Which participant's stream holds a grant, and its organisation (from the `care_grants` read model); 404 for a grant it does not know (yet). */
  async grantStream(grantId: string): Promise<GrantStream> {
    const doc = await this.reads.get<CareGrant>(CARE_GRANTS, grantId);
    if (!doc) throw new NotFoundError('grant-not-found', 'No such grant.');
    return { participantId: doc.participantId, organisationId: doc.organisationId, streamId: participantStream(doc.participantId) };
  }
}
