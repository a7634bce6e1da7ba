import { Inject } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { deriveId } from '@access-ledger/core';
import { organisationDecider, organisationStream } from '@access-ledger/directory';
import { EventStore, handleCommand } from '@access-ledger/event-store';
import { commandContext, EVENT_STORE, RequestContext } from '@access-ledger/platform';
import { RegisterOrganisationDto } from './register-organisation.dto';
import { DirectoryCaller } from '../directory-access';

export class RegisterOrganisationCommand extends Command<{ id: string; position: number }> {
  constructor(readonly context: RequestContext, readonly caller: DirectoryCaller, readonly body: RegisterOrganisationDto) {
    super();
  }
}

@CommandHandler(RegisterOrganisationCommand)
export class RegisterOrganisationHandler implements ICommandHandler<RegisterOrganisationCommand> {
  constructor(@Inject(EVENT_STORE) private readonly events: EventStore) {}

  async execute({ context, caller, body }: RegisterOrganisationCommand) {
    const organisationId = deriveId('organisation', context.commandId);
    const result = await handleCommand(
      this.events,
      organisationDecider,
      organisationStream(organisationId),
      { type: 'RegisterOrganisation', organisationId, name: body.name, emailDomains: body.emailDomains ?? [], caller, now: context.now },
      commandContext(context, { organisationId }),
    );
    return { id: organisationId, position: result.position };
  }
}
