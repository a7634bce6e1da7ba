import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { UserStatusChangeDto } from '../directory.dto';
import { UserChangeResult, UserCommandHandler, UserTarget } from '../user-change';

export class ReactivateUserCommand extends Command<UserChangeResult> {
  constructor(readonly target: UserTarget, readonly body: UserStatusChangeDto) {
    super();
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
