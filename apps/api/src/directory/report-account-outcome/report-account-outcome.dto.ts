import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { ACCOUNT_OUTCOMES, AccountOutcome } from '@access-ledger/directory';
import { OptionalReason } from '@access-ledger/platform';

/** What downstream account provisioning did with a directory user's account. */
export class ReportAccountOutcomeDto {
  @ApiProperty({ enum: ACCOUNT_OUTCOMES, description: 'provisioned: the account exists (after an add or a reactivation); disabled: it was switched off (after a deactivation); failed: either could not be done.' })
  @IsIn(ACCOUNT_OUTCOMES, { message: `status must be one of ${ACCOUNT_OUTCOMES.join(', ')}` })
  status!: AccountOutcome;

  @OptionalReason({ minLength: 1, description: 'The integration’s own words: the account’s name downstream, or why it failed. Shown on the manage-users screen.' })
  detail?: string;
}
