import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ForbiddenError } from '@access-ledger/core';
import { GrantBasis, Refusal } from '@access-ledger/care-access';
import { commandContext } from '@access-ledger/platform';
import { careScopeOf } from '../care-caller';
import { CareWriter } from '../care-commands';
import { ParticipantCommands, writtenEvent } from '../care-participants';
import { CareStreams } from '../care-streams';

export interface ResultsAccessAllowed {
  readonly allowed: true;
  readonly until: string;
  readonly basis: GrantBasis;
  readonly grantId: string;
  readonly position: number;
}

export class RequestResultsAccessCommand extends Command<ResultsAccessAllowed> {
  constructor(readonly writer: CareWriter, readonly workflowId: string, readonly participantId: string) {
    super();
  }
}

const REFUSAL_TEXT: Record<Refusal, string> = {
  no_consent: 'The participant has not consented to you seeing their results in this workflow.',
  consent_declined: 'The participant declined that you see their results in this workflow.',
  consent_pending: 'The participant has not answered the request for their consent yet.',
  consent_withdrawn: 'The participant withdrew their consent.',
  access_expired: 'Your access to this participant’s results in this workflow has ended.',
  professional_deactivated: 'Your account is deactivated.',
  not_a_professional: 'Only professionals of the workflow’s organisation see participants’ results, with their consent.',
};

/**
 * The decision reads the participant's stream (strongly consistent) and is appended to it with
 * the revision it read, so a withdrawal appended in between makes it decide again, on the
 * withdrawal. Granted or refused, the request is recorded first; a refusal is then a 403.
 */
@CommandHandler(RequestResultsAccessCommand)
export class RequestResultsAccessHandler implements ICommandHandler<RequestResultsAccessCommand> {
  constructor(
    private readonly streams: CareStreams,
    private readonly participants: ParticipantCommands,
  ) {}

  async execute({ writer: { context, caller }, workflowId, participantId }: RequestResultsAccessCommand): Promise<ResultsAccessAllowed> {
    const workflow = await this.streams.existingWorkflow(workflowId);
    const result = await this.participants.run(
      participantId,
      {
        type: 'RequestResultsAccess',
        workflow,
        // A deactivated user never gets this far (DirectoryAccess refuses them on every call); `active` states it for the record.
        asker: { userId: caller.userId, professionalOfOrganisation: caller.professional && caller.organisationId === workflow.organisationId, active: caller.userId !== null },
        now: context.now,
      },
      commandContext(context, careScopeOf(caller)),
    );
    const { data } = writtenEvent(result.events, 'ResultsAccessRequested')!;
    if (data.decision === 'refused') {
      const refusal = data.refusal ?? 'no_consent';
      throw new ForbiddenError('no-consent', REFUSAL_TEXT[refusal], { reason: refusal, position: result.position });
    }
    return { allowed: true, until: data.until!, basis: data.basis!, grantId: data.grantId!, position: result.position };
  }
}
