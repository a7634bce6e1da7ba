import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { commandContext } from '@access-ledger/platform';
import { careScopeOf } from '../care-caller';
import { CareWriter } from '../care-commands';
import { ParticipantCommands } from '../care-participants';

export interface ConsentWithdrawnAnswer {
  readonly grantId: string;
  readonly status: 'withdrawn';
  readonly position: number;
}

export class WithdrawConsentCommand extends Command<ConsentWithdrawnAnswer> {
  constructor(readonly writer: CareWriter, readonly grantId: string) {
    super();
  }
}

/** The grant is looked up in the caller's own stream: only the participant withdraws it (anyone else: 404). Effective at once. */
@CommandHandler(WithdrawConsentCommand)
export class WithdrawConsentHandler implements ICommandHandler<WithdrawConsentCommand> {
  constructor(private readonly participants: ParticipantCommands) {}

  async execute({ writer: { context, caller }, grantId }: WithdrawConsentCommand): Promise<ConsentWithdrawnAnswer> {
    const result = await this.participants.run(caller.id, { type: 'WithdrawConsent', grantId, now: context.now }, commandContext(context, careScopeOf(caller)));
    return { grantId, status: 'withdrawn', position: result.position };
  }
}
