import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean} from 'class-validator';
import { Omittable } from '@access-ledger/platform';

export class EnrolParticipantDto {
  @ApiPropertyOptional({
    description:
      'Only in a workflow that allows appending professionals (appendConsentAsked): may the organisation later assign a professional who then sees your results at once, without asking again? Not answering is no. 400 in other workflows.',
  })
  @Omittable()
  @IsBoolean()
  appendConsent?: boolean;
}
