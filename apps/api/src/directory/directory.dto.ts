import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import { PERMISSION_LEVELS } from '@access-ledger/directory';
import { SafeText } from '@access-ledger/platform';

/** Request pieces more than one directory use case takes. */

/** A permission level, refused with the list of levels. */
export const IsPermissionLevel = () => IsIn(PERMISSION_LEVELS, { message: `permissionLevel must be one of ${PERMISSION_LEVELS.join(', ')}` });

/** The body of deactivate and reactivate: an optional reason, recorded in the event. */
export class UserStatusChangeDto {
  @ApiPropertyOptional({ maxLength: 1000 })
  @IsOptional()
  @IsString()
  @Length(1, 1000)
  @SafeText({ multiline: true })
  reason?: string;
}
