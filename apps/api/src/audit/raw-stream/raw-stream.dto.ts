import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { Omittable } from '@access-ledger/platform';

/** Query strings are text: digits become a number, anything else is left for the validators to refuse. */
const queryInt = Transform(({ value }) => (/^\d+$/.test(String(value)) ? Number(value) : value));

export const RAW_STREAM_PAGE = 1000;

export class RawStreamQueryDto {
  @ApiPropertyOptional({ default: 0, description: 'The first revision to return (a previous page’s nextRevision).' })
  @Omittable()
  @queryInt
  @IsInt()
  @Min(0)
  fromRevision?: number;

  @ApiPropertyOptional({ default: RAW_STREAM_PAGE, maximum: RAW_STREAM_PAGE })
  @Omittable()
  @queryInt
  @IsInt()
  @Min(1)
  @Max(RAW_STREAM_PAGE)
  limit?: number;
}
