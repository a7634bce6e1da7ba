import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { RequestDecisionHandler, RequestTarget, RequestWriteResult } from '../request-commands';
import { RejectRequestDto } from './reject-request.dto';

export class RejectRequestCommand extends Command<RequestWriteResult> {
  constructor(readonly target: RequestTarget, readonly body: RejectRequestDto) {
    super();
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
