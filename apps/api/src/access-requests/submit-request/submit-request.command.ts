import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { RequestDecisionHandler, RequestTarget, RequestWriteResult } from '../request-commands';

export class SubmitRequestCommand extends Command<RequestWriteResult> {
  constructor(readonly target: RequestTarget) {
    super();
  }
}

@CommandHandler(SubmitRequestCommand)
export class SubmitRequestHandler extends RequestDecisionHandler implements ICommandHandler<SubmitRequestCommand> {
  execute({ target }: SubmitRequestCommand) {
    return this.run(target, (caller) => ({ type: 'SubmitRequest', caller, now: target.context.now }));
  }
}
