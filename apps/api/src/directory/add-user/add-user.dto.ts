import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsString, Length, MaxLength } from 'class-validator';
import { PERMISSION_LEVELS, PermissionLevel } from '@access-ledger/directory';
import { NotBlank, Omittable, SafeText } from '@access-ledger/platform';
import { IsPermissionLevel } from '../directory.dto';

export class AddUserDto {
  @ApiProperty({ example: 'Jane', maxLength: 100 })
  @IsString()
  @Length(1, 100)
  @NotBlank()
  @SafeText()
  firstName!: string;

  @ApiProperty({ example: 'Doe', maxLength: 100 })
  @IsString()
  @Length(1, 100)
  @NotBlank()
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
  @IsPermissionLevel()
  permissionLevel!: PermissionLevel;

  @ApiPropertyOptional({ description: 'Single point of contact who decides access requests.' })
  @Omittable()
  @IsBoolean()
  spoc?: boolean;

  @ApiPropertyOptional({ description: 'Can be assigned to participants’ workflows.' })
  @Omittable()
  @IsBoolean()
  professional?: boolean;
}
