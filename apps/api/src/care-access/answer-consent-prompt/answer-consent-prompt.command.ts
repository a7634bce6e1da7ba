import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { deriveId } from '@access-ledger/core';
import { commandContext } from '@access-ledger/platform';
import { careScopeOf } from '../care-caller';
import { CareWriter } from '../care-commands';
import { ConsentAnswered, consentAnswerOf } from '../care-consent.dto';
import { ParticipantCommands } from '../care-participants';
import { CareStreams } from '../care-streams';
import { AnswerConsentPromptDto } from './answer-consent-prompt.dto';

export class AnswerConsentPromptCommand extends Command<ConsentAnswered> {
  constructor(readonly writer: CareWriter, readonly workflowId: string, readonly body: AnswerConsentPromptDto) {
    super();
  }
}

@CommandHandler(AnswerConsentPromptCommand)
export class AnswerConsentPromptHandler implements ICommandHandler<AnswerConsentPromptCommand> {
  constructor(
    private readonly streams: CareStreams,
    private readonly participants: ParticipantCommands,
  ) {}

  async execute({ writer: { context, caller }, workflowId, body }: AnswerConsentPromptCommand): Promise<ConsentAnswered> {
    const workflow = await this.streams.existingWorkflow(workflowId);
    const result = await this.participants.run(
      caller.id,
      {
        type: 'AnswerConsentPrompt',
        workflow,
        professionalId: body.professionalId.toLowerCase(),
        decision: body.decision,
        grantId: deriveId('grant', context.commandId),
        now: context.now,
      },
      commandContext(context, careScopeOf(caller)),
    );
    return consentAnswerOf(result);
  }
}
