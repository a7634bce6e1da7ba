import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';

export class EnrolParticipantDto {
  @ApiPropertyOptional({
    description:
      'Only in a workflow that allows appending professionals (appendConsentAsked): may the organisation later assign a professional who then sees your results at once, without asking again? Not answering is no. 400 in other workflows.',
  })
  @IsOptional()
  @IsBoolean()
  appendConsent?: boolean;
}
