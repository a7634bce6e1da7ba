import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { Equals, IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { REQUEST_STATUSES, RequestStatus } from '@access-ledger/access-requests';
import { SafeText } from '@access-ledger/platform';

const NOT_BLANK = /\S/;
const toInt = ({ value }: { value: unknown }) => (/^\d+$/.test(String(value)) ? Number(value) : value);

export class CreateRequestDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'organisationId must be a UUID' })
  organisationId!: string;

  @ApiProperty({ example: 'vaccination-recorder', pattern: '^[A-Za-z0-9_.-]{1,64}$' })
  @IsString()
  @Matches(/^[A-Za-z0-9_.-]{1,64}$/, { message: 'application must be 1 to 64 of A-Z, a-z, 0-9, _ . -' })
  application!: string;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  @SafeText({ multiline: true })
  justification?: string;
}

export class ApproveRequestDto {
  @ApiProperty({ enum: [true], description: 'The confirmation pop-up: approving is a deliberate second step.' })
  @Equals(true, { message: 'confirm must be true: approving needs an explicit confirmation' })
  confirm!: boolean;

  @ApiPropertyOptional({ maxLength: 1000 })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  @SafeText({ multiline: true })
  comment?: string;
}

export class RejectRequestDto {
  @ApiProperty({ minLength: 1, maxLength: 1000 })
  @IsString()
  @Length(1, 1000)
  @Matches(NOT_BLANK, { message: 'reason must not be blank' })
  @SafeText({ multiline: true })
  reason!: string;
}

export class WithdrawRequestDto {
  @ApiPropertyOptional({ maxLength: 1000 })
  @IsOptional()
  @IsString()
  @Length(1, 1000)
  @SafeText({ multiline: true })
  reason?: string;
}

const SORTS = ['-updatedAt', 'updatedAt', '-createdAt', 'createdAt', 'requester', '-requester', 'application', '-application'] as const;
export type OverviewSort = (typeof SORTS)[number];

export class OverviewQueryDto {
  @ApiPropertyOptional({ description: `Comma-separated statuses: ${REQUEST_STATUSES.join(', ')}`, example: 'created,approval_requested' })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter(Boolean) : value))
  @IsIn(REQUEST_STATUSES, { each: true, message: `status must be a comma-separated list of ${REQUEST_STATUSES.join(', ')}` })
  status?: RequestStatus[];

  @ApiPropertyOptional({ description: 'Case-insensitive prefix of the requester’s e-mail or name, or of the application.' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;

  @ApiPropertyOptional({ enum: SORTS, default: '-updatedAt' })
  @IsOptional()
  @IsIn(SORTS)
  sort?: OverviewSort;

  @ApiPropertyOptional({ description: 'Cursor from a previous page’s nextCursor: the page after that one (instead of page). Works at any depth; page numbers reach the first 10,000 rows.' })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  after?: string;

  @ApiPropertyOptional({ default: 1, description: 'page × pageSize ≤ 10,000; beyond, use after.' })
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100000)
  page?: number;

  @ApiPropertyOptional({ default: 25, maximum: 100 })
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  pageSize?: number;
}

export class MyRequestsQueryDto extends OverviewQueryDto {
  @ApiProperty({ enum: ['true'], description: 'Only the caller’s own requests (the only listing offered here).' })
  @IsIn(['true'], { message: 'mine must be true' })
  mine!: 'true';
}
