import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Equals, IsString, MaxLength } from 'class-validator';
import { Omittable, SafeText } from '@access-ledger/platform';

export class ApproveRequestDto {
  @ApiProperty({ enum: [true], description: 'The confirmation pop-up: approving is a deliberate second step.' })
  @Equals(true, { message: 'confirm must be true: approving needs an explicit confirmation' })
  confirm!: boolean;

  @ApiPropertyOptional({ maxLength: 1000 })
  @Omittable()
  @IsString()
  @MaxLength(1000)
  @SafeText({ multiline: true })
  comment?: string;
}
