import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsISO8601, IsString, IsUUID, Length, MaxLength } from 'class-validator';
import { NotBlank, SafeText } from '@access-ledger/platform';

export class AssignProfessionalDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'workflowId must be a UUID' })
  workflowId!: string;

  @ApiProperty({ format: 'uuid', description: 'A directory user of the organisation with the professional designation.' })
  @IsUUID('all', { message: 'professionalId must be a UUID' })
  professionalId!: string;

  @ApiProperty({ type: [String], minItems: 1, maxItems: 100, description: 'Participants enrolled in the workflow (their ids as in the participants overview).' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @Length(1, 255, { each: true, message: 'each of participantIds must be 1 to 255 characters' })
  participantIds!: string[];

  @ApiProperty({ format: 'date-time', example: '2027-06-30T23:59:59Z', description: 'When the access ends; in the future.' })
  @IsString()
  @MaxLength(40)
  @IsISO8601({ strict: true, strictSeparator: true }, { message: 'endDate must be an ISO 8601 date-time' })
  endDate!: string;

  @ApiProperty({ maxLength: 500, description: 'Shown to the participant.' })
  @IsString()
  @Length(1, 500)
  @NotBlank()
  @SafeText({ multiline: true })
  reason!: string;
}
