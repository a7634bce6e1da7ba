import { Inject } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { deriveId } from '@access-ledger/core';
import { workflowDecider, workflowStream } from '@access-ledger/care-access';
import { EventStore, handleCommand } from '@access-ledger/event-store';
import { commandContext, EVENT_STORE } from '@access-ledger/platform';
import { DirectoryAccess } from '../../directory/directory-access';
import { careScopeOf } from '../care-caller';
import { CareWriter, WorkflowWritten } from '../care-commands';
import { CreateWorkflowDto } from './create-workflow.dto';

export class CreateWorkflowCommand extends Command<WorkflowWritten> {
  constructor(readonly writer: CareWriter, readonly organisationId: string, readonly body: CreateWorkflowDto) {
    super();
  }
}

@CommandHandler(CreateWorkflowCommand)
export class CreateWorkflowHandler implements ICommandHandler<CreateWorkflowCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    private readonly directory: DirectoryAccess,
  ) {}

  async execute({ writer: { context, caller }, organisationId, body }: CreateWorkflowCommand): Promise<WorkflowWritten> {
    const workflowId = deriveId('workflow', context.commandId);
    const organisation = await this.directory.organisation(organisationId);
    const result = await handleCommand(
      this.events,
      workflowDecider,
      workflowStream(workflowId),
      {
        type: 'CreateWorkflow',
        caller,
        organisationId,
        organisationExists: organisation.status === 'registered',
        workflowId,
        name: body.name,
        project: body.project ?? null,
        allowAppendProfessionals: body.allowAppendProfessionals,
        now: context.now,
      },
      commandContext(context, careScopeOf(caller)),
    );
    return { id: workflowId, allowAppendProfessionals: body.allowAppendProfessionals, position: result.position, revision: result.revision };
  }
}
