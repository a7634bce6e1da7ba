import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { NotFoundError, fold } from '@access-ledger/core';
import { AccessAnswer, AccessQuestion, AuditReader, accessAt, auditReadPolicy } from '@access-ledger/audit';
import { participantStream, workflowDecider, workflowStream } from '@access-ledger/care-access';
import { AuditStreams } from '../audit-streams';
import { AuditAnswer } from '../audit-reads';

export class WhoCouldSeeQuery extends Query<AuditAnswer<AccessAnswer>> {
  /** `question.at` in one form (UTC, milliseconds); `now`: when it is asked (an expiry not recorded yet has ended if `until` is before it). */
  constructor(readonly reader: AuditReader, readonly question: AccessQuestion, readonly now: string) {
    super();
  }
}

/**
 * Whether a professional could see a participant's results in a workflow at an instant: the
 * participant's stream folded up to it, then the domain's `activeGrantFor` (libs/audit
 * `accessAt`). Auditors only; 404 for a workflow or a participant the log does not know.
 */
@QueryHandler(WhoCouldSeeQuery)
export class WhoCouldSeeHandler implements IQueryHandler<WhoCouldSeeQuery> {
  constructor(private readonly streams: AuditStreams) {}

  async execute({ reader, question, now }: WhoCouldSeeQuery): Promise<AuditAnswer<AccessAnswer>> {
    auditReadPolicy.auditorOnly(reader);
    const workflow = fold(workflowDecider, await this.streams.read(workflowStream(question.workflowId)));
    if (workflow.status === 'none') throw new NotFoundError('workflow-not-found', 'No such workflow.');
    const recorded = await this.streams.read(participantStream(question.participantId));
    if (recorded.length === 0) throw new NotFoundError('participant-not-found', 'Nothing is recorded about this participant.');
    return { body: accessAt(question, recorded, now), organisationIds: [workflow.organisationId] };
  }
}
