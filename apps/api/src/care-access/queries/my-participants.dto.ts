import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { PageQueryDto } from '@access-ledger/platform';

export class MyParticipantsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only the participants of this workflow.' })
  @IsOptional()
  @IsUUID('all', { message: 'workflowId must be a UUID' })
  workflowId?: string;
}
