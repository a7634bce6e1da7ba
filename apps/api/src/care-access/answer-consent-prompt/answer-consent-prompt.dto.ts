import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import { ConsentDecisionDto } from '../care-consent.dto';

export class AnswerConsentPromptDto extends ConsentDecisionDto {
  @ApiProperty({ format: 'uuid', description: 'The professional of the prompt.' })
  @IsUUID('all', { message: 'professionalId must be a UUID' })
  professionalId!: string;
}
