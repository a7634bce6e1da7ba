import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { UserChangeResult, UserCommandHandler, UserTarget } from '../user-change';
import { ChangeUserDto } from './change-user.dto';

export class ChangeUserCommand extends Command<UserChangeResult> {
  constructor(readonly target: UserTarget, readonly body: ChangeUserDto) {
    super();
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
