import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { NotFoundError, fold } from '@access-ledger/core';
import { AUDITED_ENTITIES, AuditReader, auditReadPolicy, grantAt } from '@access-ledger/audit';
import { participantDecider } from '@access-ledger/care-access';
import { AuditStreams } from '../audit-streams';
import { AuditAnswer } from '../audit-reads';
import { FoldCheckpoints } from './fold-checkpoints';

export type StateKind = 'request' | 'user' | 'workflow' | 'grant';

export interface StateAsOfView {
  readonly state: unknown;
  /** Revision of the stream's last event folded into the state. */
  readonly revision: number;
  readonly asOf: string;
}

export class StateAsOfQuery extends Query<AuditAnswer<StateAsOfView>> {
  /** `asOf` in one form (UTC, milliseconds). */
  constructor(readonly reader: AuditReader, readonly kind: StateKind, readonly id: string, readonly asOf: string) {
    super();
  }
}

/** `firstRecordedAt`: when the event that made the entity occurred. */
const notYet = (kind: string, firstRecordedAt: string) => new NotFoundError('not-yet-recorded', `The ${kind} did not exist yet at that instant.`, { firstRecordedAt });

/**
 * The state an entity had at an instant: its stream folded up to it with the live `evolve`
 * (libs/audit `stateAt`), from the latest fold checkpoint on the way (FoldCheckpoints); a grant
 * is its part of its participant's state then. Auditors only.
 * 404 with the entity's own code when it never existed, `not-yet-recorded` when it did not yet.
 */
@QueryHandler(StateAsOfQuery)
export class StateAsOfHandler implements IQueryHandler<StateAsOfQuery> {
  constructor(
    private readonly streams: AuditStreams,
    private readonly checkpoints: FoldCheckpoints,
  ) {}

  async execute({ reader, kind, id, asOf }: StateAsOfQuery): Promise<AuditAnswer<StateAsOfView>> {
    auditReadPolicy.auditorOnly(reader);
    if (kind === 'grant') {
      const { streamId } = await this.streams.grantStream(id);
      const folded = await this.checkpoints.stateAt(participantDecider, streamId, asOf);
      const grant = folded && grantAt(folded.state, id, asOf);
      if (folded && grant) return { body: { state: grant, revision: folded.revision, asOf }, organisationIds: [grant.grant.organisationId] };
      // Not yet at that instant: when it was made (its `from` is when the event that makes it occurred), from the whole stream.
      const made = grantAt(fold(participantDecider, await this.streams.read(streamId)), id, asOf);
      if (!made) throw new NotFoundError('grant-not-found', 'No such grant.');
      throw notYet(kind, made.grant.from);
    }
    const entity = AUDITED_ENTITIES[kind];
    const streamId = entity.streamOf(id);
    const folded = await this.checkpoints.stateAt(entity.replayable, streamId, asOf);
    if (!folded || !entity.exists(folded.state)) {
      const [first] = await this.streams.read(streamId, { maxCount: 1 });
      if (!first) throw new NotFoundError(entity.notFound, `No such ${kind}.`);
      throw notYet(kind, first.metadata.occurredAt);
    }
    return { body: { state: folded.state, revision: folded.revision, asOf }, organisationIds: entity.organisationsOf(folded.state) };
  }
}
