import { Inject } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { UserCommand, userDecider, userStream } from '@access-ledger/directory';
import { EventStore, handleCommand } from '@access-ledger/event-store';
import { EVENT_STORE } from '../infrastructure/tokens';
import { RequestContext, commandContext } from '../http/request-context';
import { ChangeUserDto, UserStatusChangeDto } from './directory.dto';
import { DirectoryAccess, DirectoryCaller } from './directory-access';

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

/** What the three user commands share: the caller's scope, the lead count, the generic handler. */
abstract class UserCommandHandler {
  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    private readonly directory: DirectoryAccess,
  ) {}

  protected async run(target: UserTarget, command: (activeLeadAdministrators: number) => UserCommand): Promise<UserChangeResult> {
    const { context, caller, organisationId, userId, expectedVersion } = target;
    // Only a caller acting on themselves is subject to the last-lead-administrator rule, so only then count.
    const leads = caller.userId === userId ? await this.directory.activeLeadAdministrators(organisationId) : Number.MAX_SAFE_INTEGER;
    const result = await handleCommand(
      this.events,
      userDecider,
      userStream(userId),
      command(leads),
      commandContext(context, { organisationId, roles: caller.rights ? [caller.rights.permissionLevel] : [] }),
      { expectedVersion },
    );
    return { position: result.position, revision: result.revision };
  }
}

@CommandHandler(ChangeUserCommand)
export class ChangeUserHandler extends UserCommandHandler implements ICommandHandler<ChangeUserCommand> {
  execute({ target, body }: ChangeUserCommand) {
    return this.run(target, (activeLeadAdministrators) => ({
      type: 'ChangeUser',
      organisationId: target.organisationId,
      ...body,
      caller: target.caller,
      now: target.context.now,
      activeLeadAdministrators,
    }));
  }
}

@CommandHandler(DeactivateUserCommand)
export class DeactivateUserHandler extends UserCommandHandler implements ICommandHandler<DeactivateUserCommand> {
  execute({ target, body }: DeactivateUserCommand) {
    return this.run(target, (activeLeadAdministrators) => ({
      type: 'DeactivateUser',
      organisationId: target.organisationId,
      reason: body.reason ?? null,
      caller: target.caller,
      now: target.context.now,
      activeLeadAdministrators,
    }));
  }
}

@CommandHandler(ReactivateUserCommand)
export class ReactivateUserHandler extends UserCommandHandler implements ICommandHandler<ReactivateUserCommand> {
  execute({ target, body }: ReactivateUserCommand) {
    return this.run(target, (activeLeadAdministrators) => ({
      type: 'ReactivateUser',
      organisationId: target.organisationId,
      reason: body.reason ?? null,
      caller: target.caller,
      now: target.context.now,
      activeLeadAdministrators,
    }));
  }
}
