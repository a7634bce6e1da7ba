import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn} from 'class-validator';
import { Omittable, PageQueryDto } from '@access-ledger/platform';

export const WORKFLOW_SORTS = ['name', '-name', 'createdAt', '-createdAt'] as const;
export type WorkflowSort = (typeof WORKFLOW_SORTS)[number];

export class WorkflowsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: WORKFLOW_SORTS, default: 'name', description: 'name ignores case.' })
  @Omittable()
  @IsIn(WORKFLOW_SORTS)
  sort?: WorkflowSort;
}
