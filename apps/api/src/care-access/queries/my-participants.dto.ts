import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import { Omittable, PageQueryDto } from '@access-ledger/platform';

export class MyParticipantsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only the participants of this workflow.' })
  @Omittable()
  @IsUUID('all', { message: 'workflowId must be a UUID' })
  workflowId?: string;
}
