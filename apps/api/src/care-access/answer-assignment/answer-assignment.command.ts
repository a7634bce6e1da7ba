import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { deriveId } from '@access-ledger/core';
import { commandContext } from '@access-ledger/platform';
import { careScopeOf } from '../care-caller';
import { CareWriter } from '../care-commands';
import { ConsentAnswered, ConsentDecisionDto, consentAnswerOf } from '../care-consent.dto';
import { ParticipantCommands } from '../care-participants';

export class AnswerAssignmentCommand extends Command<ConsentAnswered> {
  constructor(readonly writer: CareWriter, readonly assignmentId: string, readonly body: ConsentDecisionDto) {
    super();
  }
}

/** Option 2 by mail: the assignment is looked up in the caller's own stream, so nobody else's assignment can be answered (404). */
@CommandHandler(AnswerAssignmentCommand)
export class AnswerAssignmentHandler implements ICommandHandler<AnswerAssignmentCommand> {
  constructor(private readonly participants: ParticipantCommands) {}

  async execute({ writer: { context, caller }, assignmentId, body }: AnswerAssignmentCommand): Promise<ConsentAnswered> {
    const result = await this.participants.run(
      caller.id,
      { type: 'AnswerAssignment', assignmentId, decision: body.decision, grantId: deriveId('grant', context.commandId), now: context.now },
      commandContext(context, careScopeOf(caller)),
    );
    return consentAnswerOf(result);
  }
}
