import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { UserStatusChangeDto } from '../directory.dto';
import { UserChangeResult, UserCommandHandler, UserTarget } from '../user-change';

export class DeactivateUserCommand extends Command<UserChangeResult> {
  constructor(readonly target: UserTarget, readonly body: UserStatusChangeDto) {
    super();
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
