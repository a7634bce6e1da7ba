import { Inject, Injectable } from '@nestjs/common';
import { NotFoundError, RecordedEvent } from '@access-ledger/core';
import { participantStream } from '@access-ledger/care-access';
import { EventStore, ReadStreamOptions } from '@access-ledger/event-store';
import { CARE_GRANTS, CareGrant } from '@access-ledger/projections';
import { ReadStore } from '@access-ledger/read-store';
import { EVENT_STORE, READ_STORE } from '@access-ledger/platform';

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
   * A grant's history is in its participant's stream. Which participant a grant id belongs to
   * comes from the `care_grants` read model (ids are not derivable back); the history itself
   * is then read from the stream. 404 for a grant the read model does not know (yet).
   */
  async grant(grantId: string): Promise<{ participantId: string; streamId: string; events: RecordedEvent[] }> {
    const doc = await this.reads.get<CareGrant>(CARE_GRANTS, grantId);
    if (!doc) throw new NotFoundError('grant-not-found', 'No such grant.');
    const streamId = participantStream(doc.participantId);
    return { participantId: doc.participantId, streamId, events: await this.read(streamId) };
  }
}
