import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { Omittable } from '@access-ledger/platform';
import { FeedSelectionDto } from '../feed-selection.dto';

export const FEED_PAGE = 100;
export const FEED_MAX_PAGE = 1000;

export class ReadEventsQueryDto extends FeedSelectionDto {
  @ApiPropertyOptional({ default: FEED_PAGE, minimum: 1, maximum: FEED_MAX_PAGE })
  @Omittable()
  @Transform(({ value }) => (/^\d+$/.test(String(value)) ? Number(value) : value))
  @IsInt()
  @Min(1)
  @Max(FEED_MAX_PAGE)
  limit?: number;
}
