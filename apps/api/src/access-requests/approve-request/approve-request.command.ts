import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { RequestDecisionHandler, RequestTarget, RequestWriteResult } from '../request-commands';
import { ApproveRequestDto } from './approve-request.dto';

export class ApproveRequestCommand extends Command<RequestWriteResult> {
  constructor(readonly target: RequestTarget, readonly body: ApproveRequestDto) {
    super();
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
