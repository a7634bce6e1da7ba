import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { NotFoundError } from '@access-ledger/core';
import { CareCaller, careReadPolicy, enrolmentIn } from '@access-ledger/care-access';
import { CareStreams } from '../care-streams';
import { ConsentPrompt, consentPromptsOf } from '../consent-prompts';

export class ConsentPromptsQuery extends Query<{ items: ConsentPrompt[] }> {
  constructor(readonly caller: CareCaller, readonly workflowId: string) {
    super();
  }
}

/** The caller's consent prompts still open in a workflow, from the workflow's and their own stream. */
@QueryHandler(ConsentPromptsQuery)
export class ConsentPromptsHandler implements IQueryHandler<ConsentPromptsQuery> {
  constructor(private readonly streams: CareStreams) {}

  async execute({ caller, workflowId }: ConsentPromptsQuery) {
    const { participantId } = careReadPolicy.myConsentPrompts(caller);
    const workflow = await this.streams.existingWorkflow(workflowId);
    const participant = await this.streams.participant(participantId);
    if (!enrolmentIn(participant, workflowId)) throw new NotFoundError('participant-not-enrolled', 'You are not enrolled in this workflow.');
    return { items: consentPromptsOf(workflow, participant) };
  }
}
