import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { commandContext } from '@access-ledger/platform';
import { careScopeOf } from '../care-caller';
import { CareWriter } from '../care-commands';
import { ConsentPrompt, consentPromptsOf } from '../consent-prompts';
import { ParticipantCommands } from '../care-participants';
import { CareStreams } from '../care-streams';
import { EnrolParticipantDto } from './enrol-participant.dto';

export interface Enrolled {
  readonly consentPrompts: readonly ConsentPrompt[];
  readonly appendConsentAsked: boolean;
  readonly position: number;
}

export class EnrolParticipantCommand extends Command<Enrolled> {
  constructor(readonly writer: CareWriter, readonly workflowId: string, readonly body: EnrolParticipantDto) {
    super();
  }
}

@CommandHandler(EnrolParticipantCommand)
export class EnrolParticipantHandler implements ICommandHandler<EnrolParticipantCommand> {
  constructor(
    private readonly streams: CareStreams,
    private readonly participants: ParticipantCommands,
  ) {}

  async execute({ writer: { context, caller }, workflowId, body }: EnrolParticipantCommand): Promise<Enrolled> {
    const workflow = await this.streams.existingWorkflow(workflowId);
    const result = await this.participants.run(
      caller.id,
      {
        type: 'EnrolParticipant',
        workflow,
        participant: { id: caller.id, email: caller.email, name: caller.name },
        appendConsent: body.appendConsent,
        now: context.now,
      },
      commandContext(context, careScopeOf(caller)),
    );
    return {
      consentPrompts: consentPromptsOf(workflow, result.state),
      appendConsentAsked: workflow.allowAppendProfessionals,
      position: result.position,
    };
  }
}
