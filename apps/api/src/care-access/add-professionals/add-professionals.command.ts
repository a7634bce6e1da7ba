import { Inject } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { workflowDecider, workflowStream } from '@access-ledger/care-access';
import { EventStore, handleCommand } from '@access-ledger/event-store';
import { commandContext, EVENT_STORE } from '@access-ledger/platform';
import { careScopeOf } from '../care-caller';
import { CareWriter } from '../care-commands';
import { CareStreams } from '../care-streams';
import { AddProfessionalsDto } from './add-professionals.dto';

export interface ProfessionalsAdded {
  readonly professionalIds: readonly string[];
  readonly position: number;
  readonly revision: number;
}

export class AddProfessionalsCommand extends Command<ProfessionalsAdded> {
  constructor(readonly writer: CareWriter, readonly organisationId: string, readonly workflowId: string, readonly body: AddProfessionalsDto) {
    super();
  }
}

@CommandHandler(AddProfessionalsCommand)
export class AddProfessionalsHandler implements ICommandHandler<AddProfessionalsCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    private readonly streams: CareStreams,
  ) {}

  async execute({ writer: { context, caller }, organisationId, workflowId, body }: AddProfessionalsCommand): Promise<ProfessionalsAdded> {
    const ids = body.professionalIds.map((id) => id.toLowerCase());
    const facts = await Promise.all(ids.map((id) => this.streams.professional(id)));
    const result = await handleCommand(
      this.events,
      workflowDecider,
      workflowStream(workflowId),
      {
        type: 'AddProfessionals',
        caller,
        organisationId,
        professionals: ids.map((id, i) => ({ id, facts: facts[i] })),
        days: body.days,
        reason: body.reason,
        now: context.now,
      },
      commandContext(context, careScopeOf(caller)),
    );
    return { professionalIds: ids, position: result.position, revision: result.revision };
  }
}
