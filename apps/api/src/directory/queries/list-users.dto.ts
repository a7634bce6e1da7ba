import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, MaxLength } from 'class-validator';
import { PERMISSION_LEVELS, PermissionLevel } from '@access-ledger/directory';
import { AfterCursor, Omittable, PageNumber, PageSize } from '@access-ledger/platform';
import { IsPermissionLevel } from '../directory.dto';

const USER_SORTS = ['lastName', '-lastName', 'email', '-email', 'updatedAt', '-updatedAt', 'firstName', '-firstName'] as const;
export type UserSort = (typeof USER_SORTS)[number];

export class ListUsersQueryDto {
  @ApiPropertyOptional({ enum: ['active', 'deactivated'] })
  @Omittable()
  @IsIn(['active', 'deactivated'])
  status?: 'active' | 'deactivated';

  @ApiPropertyOptional({ enum: PERMISSION_LEVELS })
  @Omittable()
  @IsPermissionLevel()
  permissionLevel?: PermissionLevel;

  @ApiPropertyOptional({ description: 'Case-insensitive prefix of first name, last name or e-mail. Its matches are counted up to 1,000 (`totalIsLowerBound` beyond).' })
  @Omittable()
  @IsString()
  @MaxLength(100)
  q?: string;

  @ApiPropertyOptional({ enum: USER_SORTS, default: 'lastName' })
  @Omittable()
  @IsIn(USER_SORTS)
  sort?: UserSort;

  @AfterCursor()
  after?: string;

  @PageNumber({ minimum: 1 })
  page?: number;

  @PageSize({ minimum: 1 })
  pageSize?: number;
}
