import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { Omittable, SafeText } from '@access-ledger/platform';

export class CreateRequestDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'organisationId must be a UUID' })
  organisationId!: string;

  @ApiProperty({ example: 'vaccination-recorder', pattern: '^[A-Za-z0-9_.-]{1,64}$' })
  @IsString()
  @Matches(/^[A-Za-z0-9_.-]{1,64}$/, { message: 'application must be 1 to 64 of A-Z, a-z, 0-9, _ . -' })
  application!: string;

  @ApiPropertyOptional({ maxLength: 2000 })
  @Omittable()
  @IsString()
  @MaxLength(2000)
  @SafeText({ multiline: true })
  justification?: string;
}
