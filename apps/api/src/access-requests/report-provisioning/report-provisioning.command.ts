import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { isIntegration } from '@access-ledger/directory';
import { RequestDecisionHandler, RequestTarget, RequestWriteResult } from '../request-commands';
import { ReportProvisioningDto } from './report-provisioning.dto';

export class ReportProvisioningCommand extends Command<RequestWriteResult> {
  constructor(readonly target: RequestTarget, readonly body: ReportProvisioningDto) {
    super();
  }
}

@CommandHandler(ReportProvisioningCommand)
export class ReportProvisioningHandler extends RequestDecisionHandler implements ICommandHandler<ReportProvisioningCommand> {
  execute({ target, body }: ReportProvisioningCommand) {
    return this.run(target, () => ({
      type: 'ReportProvisioning',
      byIntegration: isIntegration(target.caller),
      status: body.status,
      detail: body.detail ?? null,
      now: target.context.now,
    }));
  }
}
