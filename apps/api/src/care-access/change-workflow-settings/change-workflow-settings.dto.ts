import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean } from 'class-validator';

export class ChangeWorkflowSettingsDto {
  @ApiProperty({ description: 'Whether administrators may assign professionals to enrolled participants later (option 2). Participants who enrolled before it was allowed were not asked, so they are asked by mail.' })
  @IsBoolean()
  allowAppendProfessionals!: boolean;
}
