import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { PROVISIONING_OUTCOMES, ProvisioningOutcome } from '@access-ledger/access-requests';
import { OptionalReason } from '@access-ledger/platform';

/** What downstream account provisioning did for an approved request. */
export class ReportProvisioningDto {
  @ApiProperty({ enum: PROVISIONING_OUTCOMES, description: 'provisioned: the account exists; failed: it could not be made (an operator may retry, then report provisioned).' })
  @IsIn(PROVISIONING_OUTCOMES, { message: `status must be one of ${PROVISIONING_OUTCOMES.join(', ')}` })
  status!: ProvisioningOutcome;

  @OptionalReason({ minLength: 1, description: 'The integration’s own words: the account’s name downstream, or why it failed. Shown on the SPOC overview.' })
  detail?: string;
}
