import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { RequestDecisionHandler, RequestTarget, RequestWriteResult } from '../request-commands';
import { WithdrawRequestDto } from './withdraw-request.dto';

export class WithdrawRequestCommand extends Command<RequestWriteResult> {
  constructor(readonly target: RequestTarget, readonly body: WithdrawRequestDto) {
    super();
  }
}

@CommandHandler(WithdrawRequestCommand)
export class WithdrawRequestHandler extends RequestDecisionHandler implements ICommandHandler<WithdrawRequestCommand> {
  execute({ target, body }: WithdrawRequestCommand) {
    return this.run(target, (caller) => ({ type: 'WithdrawRequest', caller, reason: body.reason?.trim() || null, now: target.context.now }));
  }
}
