import { Inject } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { deriveId } from '@access-ledger/core';
import { accessRequestDecider, requestStream } from '@access-ledger/access-requests';
import { EventStore, handleCommand } from '@access-ledger/event-store';
import { commandContext, EVENT_STORE, RequestContext } from '@access-ledger/platform';
import { callerNameOf, DirectoryAccess, DirectoryCaller } from '../../directory/directory-access';
import { RequestWriteResult, statusOf } from '../request-commands';
import { CreateRequestDto } from './create-request.dto';

export class CreateRequestCommand extends Command<RequestWriteResult> {
  constructor(readonly context: RequestContext, readonly caller: DirectoryCaller, readonly body: CreateRequestDto) {
    super();
  }
}

@CommandHandler(CreateRequestCommand)
export class CreateRequestHandler implements ICommandHandler<CreateRequestCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    private readonly directory: DirectoryAccess,
  ) {}

  async execute({ context, caller, body }: CreateRequestCommand): Promise<RequestWriteResult> {
    const requestId = deriveId('request', context.commandId);
    const organisation = await this.directory.organisation(body.organisationId);
    const { principal } = context;
    const result = await handleCommand(
      this.events,
      accessRequestDecider,
      requestStream(requestId),
      {
        type: 'CreateRequest',
        requestId,
        organisationId: body.organisationId,
        organisationExists: organisation.status === 'registered',
        application: body.application,
        justification: body.justification?.trim() || null,
        requester: { id: principal.sub, email: principal.email.toLowerCase(), name: callerNameOf(principal, caller) },
        now: context.now,
      },
      commandContext(context, { organisationId: body.organisationId }),
    );
    return { id: requestId, status: statusOf(result.state), position: result.position, revision: result.revision };
  }
}
