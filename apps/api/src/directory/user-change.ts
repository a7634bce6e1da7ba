import { Inject } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { UserCommand, userDecider, userStream } from '@access-ledger/directory';
import { EventStore, handleCommand } from '@access-ledger/event-store';
import { commandContext, EVENT_STORE, RequestContext } from '@access-ledger/platform';
import { ChangeUserDto, UserStatusChangeDto } from './directory.dto';
import { DirectoryCaller } from './directory-access';
import { LeadAdministrators } from './lead-administrators';

export interface UserChangeResult {
  readonly position: number;
  readonly revision: number;
}

export interface UserTarget {
  readonly context: RequestContext;
  readonly caller: DirectoryCaller;
  readonly organisationId: string;
  readonly userId: string;
  /** If-Match: the version the client displayed. */
  readonly expectedVersion?: number;
}

export class ChangeUserCommand extends Command<UserChangeResult> {
  constructor(readonly target: UserTarget, readonly body: ChangeUserDto) {
    super();
  }
}
export class DeactivateUserCommand extends Command<UserChangeResult> {
  constructor(readonly target: UserTarget, readonly body: UserStatusChangeDto) {
    super();
  }
}
export class ReactivateUserCommand extends Command<UserChangeResult> {
  constructor(readonly target: UserTarget, readonly body: UserStatusChangeDto) {
    super();
  }
}

/** What the three user commands share: the caller's scope, the generic handler, the lead administrators' admission. */
abstract class UserCommandHandler {
  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    private readonly leads: LeadAdministrators,
  ) {}

  protected async run(target: UserTarget, command: UserCommand): Promise<UserChangeResult> {
    const { context, caller, organisationId, userId, expectedVersion } = target;
    const ctx = commandContext(context, { organisationId, roles: caller.rights ? [caller.rights.permissionLevel] : [] });
    const result = await handleCommand(this.events, userDecider, userStream(userId), command, ctx, {
      expectedVersion,
      beforeAppend: this.leads.admission(organisationId, userId, ctx, false),
    });
    return { position: result.position, revision: result.revision };
  }
}

@CommandHandler(ChangeUserCommand)
export class ChangeUserHandler extends UserCommandHandler implements ICommandHandler<ChangeUserCommand> {
  execute({ target, body }: ChangeUserCommand) {
    return this.run(target, {
      type: 'ChangeUser',
      organisationId: target.organisationId,
      ...body,
      caller: target.caller,
      now: target.context.now,
    });
  }
}

@CommandHandler(DeactivateUserCommand)
export class DeactivateUserHandler extends UserCommandHandler implements ICommandHandler<DeactivateUserCommand> {
  execute({ target, body }: DeactivateUserCommand) {
    return this.run(target, {
      type: 'DeactivateUser',
      organisationId: target.organisationId,
      reason: body.reason ?? null,
      caller: target.caller,
      now: target.context.now,
    });
  }
}

@CommandHandler(ReactivateUserCommand)
export class ReactivateUserHandler extends UserCommandHandler implements ICommandHandler<ReactivateUserCommand> {
  execute({ target, body }: ReactivateUserCommand) {
    return this.run(target, {
      type: 'ReactivateUser',
      organisationId: target.organisationId,
      reason: body.reason ?? null,
      caller: target.caller,
      now: target.context.now,
    });
  }
}
