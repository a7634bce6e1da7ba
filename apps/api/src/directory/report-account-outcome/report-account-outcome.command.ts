import { Inject } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { EventStore } from '@access-ledger/event-store';
import { EVENT_STORE } from '@access-ledger/platform';
import { DirectoryAccess } from '../directory-access';
import { LeadAdministrators } from '../lead-administrators';
import { UserChangeResult, UserCommandHandler, UserTarget } from '../user-change';
import { ReportAccountOutcomeDto } from './report-account-outcome.dto';

export class ReportAccountOutcomeCommand extends Command<UserChangeResult> {
  constructor(readonly target: UserTarget, readonly body: ReportAccountOutcomeDto) {
    super();
  }
}

@CommandHandler(ReportAccountOutcomeCommand)
export class ReportAccountOutcomeHandler extends UserCommandHandler implements ICommandHandler<ReportAccountOutcomeCommand> {
  constructor(@Inject(EVENT_STORE) events: EventStore, leads: LeadAdministrators, private readonly directory: DirectoryAccess) {
    super(events, leads);
  }

  async execute({ target, body }: ReportAccountOutcomeCommand) {
    return this.run(target, {
      type: 'ReportAccountOutcome',
      organisationId: target.organisationId,
      organisationExists: (await this.directory.organisation(target.organisationId)).status === 'registered',
      status: body.status,
      detail: body.detail ?? null,
      caller: target.caller,
      now: target.context.now,
    });
  }
}
