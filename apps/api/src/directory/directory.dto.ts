import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsEmail, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { PERMISSION_LEVELS, PermissionLevel } from '@access-ledger/directory';
import { SafeText } from '@access-ledger/platform';

const NOT_BLANK = /\S/;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

export class RegisterOrganisationDto {
  @ApiProperty({ example: 'Hollybrook Surgery', maxLength: 200 })
  @IsString()
  @Length(1, 200)
  @Matches(NOT_BLANK, { message: 'name must not be blank' })
  @SafeText()
  name!: string;

  @ApiPropertyOptional({ example: ['nhs.net'], description: 'When given, users’ e-mail addresses must be in one of these domains.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(DOMAIN, { each: true, message: 'each of emailDomains must be a domain name such as nhs.net' })
  emailDomains?: string[];
}

export class AddUserDto {
  @ApiProperty({ example: 'Jane', maxLength: 100 })
  @IsString()
  @Length(1, 100)
  @Matches(NOT_BLANK, { message: 'firstName must not be blank' })
  @SafeText()
  firstName!: string;

  @ApiProperty({ example: 'Doe', maxLength: 100 })
  @IsString()
  @Length(1, 100)
  @Matches(NOT_BLANK, { message: 'lastName must not be blank' })
  @SafeText()
  lastName!: string;

  @ApiProperty({ example: 'jane@nhs.net', description: 'Unique across all organisations, ignoring case.' })
  @IsString()
  @MaxLength(254)
  @IsEmail({ allow_display_name: false, require_tld: true }, { message: 'email must be an e-mail address' })
  @SafeText()
  email!: string;

  @ApiProperty({ description: 'Registered clinician (selectable as assessing/consenting clinician).' })
  @IsBoolean()
  clinician!: boolean;

  @ApiProperty({ enum: PERMISSION_LEVELS })
  @IsIn(PERMISSION_LEVELS, { message: `permissionLevel must be one of ${PERMISSION_LEVELS.join(', ')}` })
  permissionLevel!: PermissionLevel;

  @ApiPropertyOptional({ description: 'Single point of contact who decides access requests.' })
  @IsOptional()
  @IsBoolean()
  spoc?: boolean;

  @ApiPropertyOptional({ description: 'Can be assigned to participants’ workflows.' })
  @IsOptional()
  @IsBoolean()
  professional?: boolean;
}

export class ChangeUserDto {
  @ApiPropertyOptional({ enum: PERMISSION_LEVELS, description: 'Takes effect at the user’s next sign-in.' })
  @IsOptional()
  @IsIn(PERMISSION_LEVELS, { message: `permissionLevel must be one of ${PERMISSION_LEVELS.join(', ')}` })
  permissionLevel?: PermissionLevel;

  @ApiPropertyOptional({ description: 'Takes effect at once.' })
  @IsOptional()
  @IsBoolean()
  clinician?: boolean;

  @ApiPropertyOptional({ description: 'Takes effect at the user’s next sign-in.' })
  @IsOptional()
  @IsBoolean()
  spoc?: boolean;

  @ApiPropertyOptional({ description: 'Takes effect at the user’s next sign-in.' })
  @IsOptional()
  @IsBoolean()
  professional?: boolean;
}

export class UserStatusChangeDto {
  @ApiPropertyOptional({ maxLength: 1000 })
  @IsOptional()
  @IsString()
  @Length(1, 1000)
  @SafeText({ multiline: true })
  reason?: string;
}

const USER_SORTS = ['lastName', '-lastName', 'email', '-email', 'updatedAt', '-updatedAt', 'firstName', '-firstName'] as const;
export type UserSort = (typeof USER_SORTS)[number];

export class ListUsersQueryDto {
  @ApiPropertyOptional({ enum: ['active', 'deactivated'] })
  @IsOptional()
  @IsIn(['active', 'deactivated'])
  status?: 'active' | 'deactivated';

  @ApiPropertyOptional({ enum: PERMISSION_LEVELS })
  @IsOptional()
  @IsIn(PERMISSION_LEVELS, { message: `permissionLevel must be one of ${PERMISSION_LEVELS.join(', ')}` })
  permissionLevel?: PermissionLevel;

  @ApiPropertyOptional({ description: 'Case-insensitive prefix of first name, last name or e-mail.' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;

  @ApiPropertyOptional({ enum: USER_SORTS, default: 'lastName' })
  @IsOptional()
  @IsIn(USER_SORTS)
  sort?: UserSort;

  @ApiPropertyOptional({ description: 'Cursor from a previous page’s nextCursor: the page after that one (instead of page). Works at any depth; page numbers reach the first 10,000 rows.' })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  after?: string;

  @ApiPropertyOptional({ default: 1, minimum: 1, description: 'page × pageSize ≤ 10,000; beyond, use after.' })
  @IsOptional()
  @Transform(({ value }) => (/^\d+$/.test(String(value)) ? Number(value) : value))
  @IsInt()
  @Min(1)
  @Max(100000)
  page?: number;

  @ApiPropertyOptional({ default: 25, minimum: 1, maximum: 100 })
  @IsOptional()
  @Transform(({ value }) => (/^\d+$/.test(String(value)) ? Number(value) : value))
  @IsInt()
  @Min(1)
  @Max(100)
  pageSize?: number;
}
