import { Controller, Get, Query, Req } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { parseInstant } from '@access-ledger/audit';
import { ApiAnswer, ApiProblems, Ctx, RequestContext } from '@access-ledger/platform';
import { AuditReads } from '../audit-reads';
import { WhoCouldSeeQueryDto } from './who-could-see.dto';
import { WhoCouldSeeQuery } from './who-could-see.query';
import { ACCESS_ANSWER } from '../audit.schemas';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class WhoCouldSeeController {
  constructor(
    private readonly queries: QueryBus,
    private readonly reads: AuditReads,
  ) {}

  @Get('access')
  @ApiOperation({
    operationId: 'WhoCouldSeeController_access',
    summary:
      'Whether a professional could see a participant’s results in a workflow at an instant: on what basis, granted and ended by whom and when, and that professional’s results requests around it (auditors)',
  })
  @ApiAnswer(200, ACCESS_ANSWER)
  @ApiProblems(404)
  async access(@Ctx() context: RequestContext, @Req() request: Request, @Query() query: WhoCouldSeeQueryDto) {
    const reader = await this.reads.readerOf(request, context);
    const question = { participantId: query.participantId, professionalId: query.professionalId.toLowerCase(), workflowId: query.workflowId.toLowerCase(), at: parseInstant(query.at)! };
    return this.reads.answered(request, context, reader, await this.queries.execute(new WhoCouldSeeQuery(reader, question, context.now)));
  }
}
