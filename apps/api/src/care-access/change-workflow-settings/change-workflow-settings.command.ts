import { Inject } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { WorkflowState, workflowDecider, workflowStream } from '@access-ledger/care-access';
import { EventStore, handleCommand } from '@access-ledger/event-store';
import { commandContext, EVENT_STORE } from '@access-ledger/platform';
import { careScopeOf } from '../care-caller';
import { CareWriter, WorkflowWritten } from '../care-commands';
import { ChangeWorkflowSettingsDto } from './change-workflow-settings.dto';

export class ChangeWorkflowSettingsCommand extends Command<WorkflowWritten> {
  constructor(
    readonly writer: CareWriter,
    readonly organisationId: string,
    readonly workflowId: string,
    readonly body: ChangeWorkflowSettingsDto,
    readonly expectedVersion: number | undefined,
  ) {
    super();
  }
}

@CommandHandler(ChangeWorkflowSettingsCommand)
export class ChangeWorkflowSettingsHandler implements ICommandHandler<ChangeWorkflowSettingsCommand> {
  constructor(@Inject(EVENT_STORE) private readonly events: EventStore) {}

  async execute({ writer: { context, caller }, organisationId, workflowId, body, expectedVersion }: ChangeWorkflowSettingsCommand): Promise<WorkflowWritten> {
    const result = await handleCommand(
      this.events,
      workflowDecider,
      workflowStream(workflowId),
      { type: 'ChangeWorkflowSettings', caller, organisationId, allowAppendProfessionals: body.allowAppendProfessionals, now: context.now },
      commandContext(context, careScopeOf(caller)),
      { expectedVersion },
    );
    const state = result.state as Exclude<WorkflowState, { status: 'none' }>;
    return { id: workflowId, allowAppendProfessionals: state.allowAppendProfessionals, position: result.position, revision: result.revision };
  }
}
