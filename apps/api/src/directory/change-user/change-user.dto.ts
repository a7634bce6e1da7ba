import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';
import { PERMISSION_LEVELS, PermissionLevel } from '@access-ledger/directory';
import { IsPermissionLevel } from '../directory.dto';

export class ChangeUserDto {
  @ApiPropertyOptional({ enum: PERMISSION_LEVELS, description: 'Takes effect at the user’s next sign-in.' })
  @IsOptional()
  @IsPermissionLevel()
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
