import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { OverviewQueryDto } from './overview.dto';

export class MyRequestsQueryDto extends OverviewQueryDto {
  @ApiProperty({ enum: ['true'], description: 'Only the caller’s own requests (the only listing offered here).' })
  @IsIn(['true'], { message: 'mine must be true' })
  mine!: 'true';
}
