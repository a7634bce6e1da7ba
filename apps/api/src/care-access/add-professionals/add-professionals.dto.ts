import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsString, IsUUID, Length, Max, Min } from 'class-validator';
import { MAX_DAYS } from '@access-ledger/care-access';
import { NotBlank, SafeText } from '@access-ledger/platform';

export class AddProfessionalsDto {
  @ApiProperty({ type: [String], format: 'uuid', minItems: 1, maxItems: 100, description: 'Directory users of the organisation with the professional designation.' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true, message: 'each of professionalIds must be a UUID' })
  professionalIds!: string[];

  @ApiProperty({ minimum: 1, maximum: MAX_DAYS, description: 'How long each consenting participant’s results stay visible, from their acceptance. Never changed or extended.' })
  @IsInt()
  @Min(1)
  @Max(MAX_DAYS)
  days!: number;

  @ApiProperty({ maxLength: 500, description: 'Shown to participants in the consent prompt.' })
  @IsString()
  @Length(1, 500)
  @NotBlank()
  @SafeText({ multiline: true })
  reason!: string;
}
