import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean} from 'class-validator';
import { Omittable } from '@access-ledger/platform';
import { PERMISSION_LEVELS, PermissionLevel } from '@access-ledger/directory';
import { IsPermissionLevel } from '../directory.dto';

export class ChangeUserDto {
  @ApiPropertyOptional({ enum: PERMISSION_LEVELS, description: 'Takes effect at the user’s next sign-in.' })
  @Omittable()
  @IsPermissionLevel()
  permissionLevel?: PermissionLevel;

  @ApiPropertyOptional({ description: 'Takes effect at once.' })
  @Omittable()
  @IsBoolean()
  clinician?: boolean;

  @ApiPropertyOptional({ description: 'Takes effect at the user’s next sign-in.' })
  @Omittable()
  @IsBoolean()
  spoc?: boolean;

  @ApiPropertyOptional({ description: 'Takes effect at the user’s next sign-in.' })
  @Omittable()
  @IsBoolean()
  professional?: boolean;
}
