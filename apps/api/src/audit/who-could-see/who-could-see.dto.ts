import { ApiProperty } from '@nestjs/swagger';
import { IsString, IsUUID, Length, Matches } from 'class-validator';
import { IsInstant } from '../audit-params';

/** What the token verifier refuses in a `sub` (libs/auth): controls, lone surrogates, bidi overrides and isolates. */
const SAFE_SUB = /^[^\p{Cc}\p{Cs}\u202A-\u202E\u2066-\u2069]+$/u;

export class WhoCouldSeeQueryDto {
  @ApiProperty({ description: 'The participant: the sub of their token (1 to 255 characters).' })
  @IsString()
  @Length(1, 255)
  @Matches(SAFE_SUB, { message: "participantId must be a participant's id: the sub of their token" })
  participantId!: string;

  @ApiProperty({ description: 'The professional: their directory user id.', format: 'uuid' })
  @IsUUID('all', { message: 'professionalId must be a UUID' })
  professionalId!: string;

  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'workflowId must be a UUID' })
  workflowId!: string;

  @ApiProperty({ description: 'The instant: ISO 8601 date and time with an offset.', example: '2026-05-01T09:00:00Z' })
  @IsString()
  @IsInstant()
  at!: string;
}
