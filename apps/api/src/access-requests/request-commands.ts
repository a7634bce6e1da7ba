import { Inject } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { deriveId } from '@access-ledger/core';
import { AccessRequestCommand, AccessRequestState, RequestCaller, RequestStatus, accessRequestDecider, requestStream } from '@access-ledger/access-requests';
import { isPlatformAdmin } from '@access-ledger/directory';
import { EventStore, handleCommand } from '@access-ledger/event-store';
import { commandContext, EVENT_STORE, RequestContext } from '@access-ledger/platform';
import { DirectoryAccess, DirectoryCaller } from '../directory/directory-access';
import { Spocs } from './spocs';
import { ApproveRequestDto, CreateRequestDto, RejectRequestDto, WithdrawRequestDto } from './queries/overview.dto';

export interface RequestWriteResult {
  readonly id: string;
  readonly status: RequestStatus;
  readonly position: number;
  readonly revision: number;
}

/** The caller as the access-request context sees them: their `sub`, and the organisation they are an active SPOC of for this token. */
export const requestCallerOf = (context: RequestContext, caller: DirectoryCaller): RequestCaller => ({
  id: context.principal.sub,
  email: context.principal.email,
  spocOf: caller.membership && caller.membership.active && caller.membership.spoc ? caller.membership.organisationId : null,
  platformAdmin: isPlatformAdmin(caller),
});

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
    const name = principal.name ?? (caller.user ? `${caller.user.firstName} ${caller.user.lastName}` : null);
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
        requester: { id: principal.sub, email: principal.email.toLowerCase(), name },
        now: context.now,
      },
      commandContext(context, { organisationId: body.organisationId }),
    );
    return { id: requestId, status: statusOf(result.state), position: result.position, revision: result.revision };
  }
}

const statusOf = (state: { status: string }) => state.status as RequestStatus;

interface Target {
  readonly context: RequestContext;
  readonly caller: DirectoryCaller;
  readonly requestId: string;
  /** If-Match: the version the client displayed. */
  readonly expectedVersion?: number;
}

export class SubmitRequestCommand extends Command<RequestWriteResult> {
  constructor(readonly target: Target) {
    super();
  }
}
export class ApproveRequestCommand extends Command<RequestWriteResult> {
  constructor(readonly target: Target, readonly body: ApproveRequestDto) {
    super();
  }
}
export class RejectRequestCommand extends Command<RequestWriteResult> {
  constructor(readonly target: Target, readonly body: RejectRequestDto) {
    super();
  }
}
export class WithdrawRequestCommand extends Command<RequestWriteResult> {
  constructor(readonly target: Target, readonly body: WithdrawRequestDto) {
    super();
  }
}

type CommandFor = (caller: RequestCaller, state: AccessRequestState) => AccessRequestCommand | Promise<AccessRequestCommand>;

/** What the four decisions on an existing request share: the caller's scope and the generic handler. */
abstract class RequestDecisionHandler {
  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    protected readonly spocs: Spocs,
  ) {}

  protected async run({ context, caller, requestId, expectedVersion }: Target, command: CommandFor): Promise<RequestWriteResult> {
    const requestCaller = requestCallerOf(context, caller);
    const roles = requestCaller.spocOf ? ['spoc'] : [];
    const result = await handleCommand(
      this.events,
      accessRequestDecider,
      requestStream(requestId),
      async (state: AccessRequestState) => command(requestCaller, state),
      commandContext(context, { organisationId: requestCaller.spocOf, roles }),
      { expectedVersion },
    );
    return { id: requestId, status: statusOf(result.state), position: result.position, revision: result.revision };
  }
}

@CommandHandler(SubmitRequestCommand)
export class SubmitRequestHandler extends RequestDecisionHandler implements ICommandHandler<SubmitRequestCommand> {
  execute({ target }: SubmitRequestCommand) {
    return this.run(target, (caller) => ({ type: 'SubmitRequest', caller, now: target.context.now }));
  }
}

@CommandHandler(ApproveRequestCommand)
export class ApproveRequestHandler extends RequestDecisionHandler implements ICommandHandler<ApproveRequestCommand> {
  execute({ target, body }: ApproveRequestCommand) {
    return this.run(target, async (caller, state) => ({
      type: 'ApproveRequest',
      caller,
      confirm: body.confirm,
      comment: body.comment?.trim() || null,
      requesterIsOnlySpoc: await this.spocs.requesterIsOnlySpoc(caller, state),
      now: target.context.now,
    }));
  }
}

@CommandHandler(RejectRequestCommand)
export class RejectRequestHandler extends RequestDecisionHandler implements ICommandHandler<RejectRequestCommand> {
  execute({ target, body }: RejectRequestCommand) {
    return this.run(target, async (caller, state) => ({
      type: 'RejectRequest',
      caller,
      reason: body.reason,
      requesterIsOnlySpoc: await this.spocs.requesterIsOnlySpoc(caller, state),
      now: target.context.now,
    }));
  }
}

@CommandHandler(WithdrawRequestCommand)
export class WithdrawRequestHandler extends RequestDecisionHandler implements ICommandHandler<WithdrawRequestCommand> {
  execute({ target, body }: WithdrawRequestCommand) {
    return this.run(target, (caller) => ({ type: 'WithdrawRequest', caller, reason: body.reason?.trim() || null, now: target.context.now }));
  }
}
