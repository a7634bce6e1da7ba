import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, MaxLength } from 'class-validator';
import { Omittable, PageQueryDto } from '@access-ledger/platform';

/** A link as the overview shows it: the recorded statuses, and `prompted` (not recorded: an option-1 prompt not answered yet). */
export const SHOWN_LINK_STATUSES = ['prompted', 'active', 'declined', 'pending_consent', 'withdrawn', 'expired'] as const;
export type ShownLinkStatus = (typeof SHOWN_LINK_STATUSES)[number];

export class ParticipantsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Case-insensitive prefix of the participant’s name or e-mail address. Its matches are counted up to 1,000 (`totalIsLowerBound` beyond).' })
  @Omittable()
  @IsString()
  @MaxLength(100)
  q?: string;

  @ApiPropertyOptional({ enum: SHOWN_LINK_STATUSES, description: 'Participants with at least one professional in this status at the time of the request.' })
  @Omittable()
  @IsIn(SHOWN_LINK_STATUSES, { message: `status must be one of ${SHOWN_LINK_STATUSES.join(', ')}` })
  status?: ShownLinkStatus;
}
