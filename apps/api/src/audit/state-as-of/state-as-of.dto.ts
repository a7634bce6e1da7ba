import { ApiProperty } from '@nestjs/swagger';
import { IsString } from 'class-validator';
import { IsInstant } from '../audit-params';

export class StateAsOfQueryDto {
  @ApiProperty({ description: 'The instant: ISO 8601 date and time with an offset. Events that occurred up to it (inclusive) are folded.', example: '2026-05-01T09:00:00Z' })
  @IsString()
  @IsInstant()
  asOf!: string;
}
