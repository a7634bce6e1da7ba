import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { NotBlank, SafeText } from '@access-ledger/platform';

export class RejectRequestDto {
  @ApiProperty({ minLength: 1, maxLength: 1000 })
  @IsString()
  @Length(1, 1000)
  @NotBlank()
  @SafeText({ multiline: true })
  reason!: string;
}
