import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsString, MaxLength } from 'class-validator';
import { REQUEST_STATUSES, RequestStatus } from '@access-ledger/access-requests';
import { AfterCursor, Omittable, PageNumber, PageSize } from '@access-ledger/platform';

const SORTS = ['-updatedAt', 'updatedAt', '-createdAt', 'createdAt', 'requester', '-requester', 'application', '-application'] as const;
export type OverviewSort = (typeof SORTS)[number];

/** The overview's filter, search, sort and paging; the requester's own list takes the same (my-requests.dto.ts). */
export class OverviewQueryDto {
  @ApiPropertyOptional({ description: `Comma-separated statuses: ${REQUEST_STATUSES.join(', ')}`, example: 'created,approval_requested' })
  @Omittable()
  @Transform(({ value }) => (typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter(Boolean) : value))
  @IsIn(REQUEST_STATUSES, { each: true, message: `status must be a comma-separated list of ${REQUEST_STATUSES.join(', ')}` })
  status?: RequestStatus[];

  @ApiPropertyOptional({ description: 'Case-insensitive prefix of the requester’s e-mail or name, or of the application. Its matches are counted up to 1,000 (`totalIsLowerBound` beyond).' })
  @Omittable()
  @IsString()
  @MaxLength(100)
  q?: string;

  @ApiPropertyOptional({ enum: SORTS, default: '-updatedAt' })
  @Omittable()
  @IsIn(SORTS)
  sort?: OverviewSort;

  @AfterCursor()
  after?: string;

  @PageNumber()
  page?: number;

  @PageSize()
  pageSize?: number;
}
