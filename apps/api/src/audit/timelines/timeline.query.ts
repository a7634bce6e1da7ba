import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { NotFoundError } from '@access-ledger/core';
import { AUDITED_ENTITIES, AuditReader, TimelineEntry, auditReadPolicy, timelineOf } from '@access-ledger/audit';
import { AuditStreams } from '../audit-streams';
import { AuditAnswer } from '../audit-reads';

export type TimelineKind = 'request' | 'user' | 'workflow' | 'participant';

export interface TimelineView {
  readonly streamId: string;
  /** Revision of the stream's last event: the timeline holds revisions 0 to this one. */
  readonly revision: number;
  readonly entries: readonly TimelineEntry[];
}

export class TimelineQuery extends Query<AuditAnswer<TimelineView>> {
  constructor(readonly reader: AuditReader, readonly kind: TimelineKind, readonly id: string) {
    super();
  }
}

/**
 * An entity's timeline from its stream. A participant's: auditors and the participant themself,
 * asked before anything is read. An organisation's entity: only auditors and lead administrators
 * read any, which is asked first (so nobody else learns whether it exists); then the entity's
 * own organisation decides, from its state.
 */
@QueryHandler(TimelineQuery)
export class TimelineHandler implements IQueryHandler<TimelineQuery> {
  constructor(private readonly streams: AuditStreams) {}

  async execute({ reader, kind, id }: TimelineQuery): Promise<AuditAnswer<TimelineView>> {
    const entity = AUDITED_ENTITIES[kind];
    if (kind === 'participant') auditReadPolicy.participantTimeline(reader, id);
    else auditReadPolicy.someOrganisationTimeline(reader);
    const streamId = entity.streamOf(id);
    const recorded = await this.streams.read(streamId);
    const { entries, state } = timelineOf(entity.replayable, recorded);
    if (!entity.exists(state)) throw new NotFoundError(entity.notFound, `No such ${kind}.`);
    const organisationIds = entity.organisationsOf(state);
    if (kind !== 'participant') auditReadPolicy.organisationTimeline(reader, organisationIds[0] ?? null);
    return { body: { streamId, revision: recorded.length - 1, entries }, organisationIds };
  }
}
