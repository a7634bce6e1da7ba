import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { deriveId } from '@access-ledger/core';
import { AssignProfessional, participantDecider } from '@access-ledger/care-access';
import { commandContext, RequestValidationError } from '@access-ledger/platform';
import { careScopeOf } from '../care-caller';
import { CareWriter } from '../care-commands';
import { ParticipantCommands, writtenEvent } from '../care-participants';
import { CareStreams } from '../care-streams';
import { AssignProfessionalDto } from './assign-professional.dto';

export interface AssignmentMade {
  readonly id: string;
  readonly participantId: string;
  readonly status: 'active' | 'pending_consent';
}

export interface AssignmentsMade {
  readonly assignments: readonly AssignmentMade[];
  readonly position: number;
}

export class AssignProfessionalCommand extends Command<AssignmentsMade> {
  constructor(readonly writer: CareWriter, readonly organisationId: string, readonly body: AssignProfessionalDto) {
    super();
  }
}

/**
 * Option 2 for one or more participants. Each participant's stream is its own consistency
 * boundary, so the assignment is one append per participant. Every participant is decided
 * first, on the state read, and any refusal refuses the whole request before anything is
 * written; the appends then decide again on the state they append to. The ids follow from
 * the command id, so a retried request (Idempotency-Key) completes one that stopped half way
 * without assigning anyone twice.
 */
@CommandHandler(AssignProfessionalCommand)
export class AssignProfessionalHandler implements ICommandHandler<AssignProfessionalCommand> {
  constructor(
    private readonly streams: CareStreams,
    private readonly participants: ParticipantCommands,
  ) {}

  async execute({ writer: { context, caller }, organisationId, body }: AssignProfessionalCommand): Promise<AssignmentsMade> {
    const participantIds = [...new Set(body.participantIds)];
    if (participantIds.length !== body.participantIds.length) {
      throw new RequestValidationError([{ field: 'participantIds', messages: ['participantIds must not name a participant twice'] }]);
    }
    const workflow = await this.streams.existingWorkflow(body.workflowId.toLowerCase(), organisationId);
    const professionalId = body.professionalId.toLowerCase();
    const facts = await this.streams.professional(professionalId);
    const commandFor = (participantId: string): AssignProfessional => ({
      type: 'AssignProfessional',
      caller,
      organisationId,
      workflow,
      participantId,
      assignmentId: deriveId('assignment', context.commandId, participantId),
      grantId: deriveId('grant', context.commandId, participantId),
      professional: { id: professionalId, facts },
      endDate: body.endDate,
      reason: body.reason,
      now: context.now,
    });
    const states = await Promise.all(participantIds.map((id) => this.streams.participant(id)));
    participantIds.forEach((id, i) => participantDecider.decide(commandFor(id), states[i]));

    const assignments: AssignmentMade[] = [];
    let position = 0;
    for (const participantId of participantIds) {
      const result = await this.participants.run(participantId, commandFor(participantId), commandContext(context, careScopeOf(caller)));
      const assigned = writtenEvent(result.events, 'ProfessionalAssigned')!;
      assignments.push({ id: assigned.data.assignmentId, participantId, status: assigned.data.status });
      position = Math.max(position, result.position);
    }
    return { assignments, position };
  }
}
