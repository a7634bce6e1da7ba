import { Controller, Get, Param, Query, Req } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { parseInstant } from '@access-ledger/audit';
import { CARE_GRANTS } from '@access-ledger/projections';
import { ApiAnswer, ApiProblems, Ctx, minPositionHeader, ReadModels, RequestContext, UuidPipe } from '@access-ledger/platform';
import { AuditReads } from '../audit-reads';
import { StateAsOfQueryDto } from './state-as-of.dto';
import { StateAsOfQuery, StateKind } from './state-as-of.query';
import { STATE_AS_OF } from '../audit.schemas';

/** State as of a moment: the entity's stream replayed up to an instant with the live `evolve` (auditors). */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class StateAsOfController {
  constructor(
    private readonly queries: QueryBus,
    private readonly reads: AuditReads,
    private readonly readModels: ReadModels,
  ) {}

  private async state(request: Request, context: RequestContext, kind: StateKind, id: string, query: StateAsOfQueryDto) {
    const reader = await this.reads.readerOf(request, context);
    return this.reads.answered(request, context, reader, await this.queries.execute(new StateAsOfQuery(reader, kind, id, parseInstant(query.asOf)!)));
  }

  @Get('requests/:id/state')
  @ApiOperation({ operationId: 'StateAsOfController_request', summary: 'An access request as it stood at an instant (auditors)' })
  @ApiAnswer(200, STATE_AS_OF)
  @ApiProblems(404)
  request(@Ctx() context: RequestContext, @Req() request: Request, @Param('id', UuidPipe) id: string, @Query() query: StateAsOfQueryDto) {
    return this.state(request, context, 'request', id, query);
  }

  @Get('users/:id/state')
  @ApiOperation({ operationId: 'StateAsOfController_user', summary: 'A directory user as they stood at an instant (auditors)' })
  @ApiAnswer(200, STATE_AS_OF)
  @ApiProblems(404)
  user(@Ctx() context: RequestContext, @Req() request: Request, @Param('id', UuidPipe) id: string, @Query() query: StateAsOfQueryDto) {
    return this.state(request, context, 'user', id, query);
  }

  @Get('workflows/:id/state')
  @ApiOperation({ operationId: 'StateAsOfController_workflow', summary: 'A workflow as it stood at an instant (auditors)' })
  @ApiAnswer(200, STATE_AS_OF)
  @ApiProblems(404)
  workflow(@Ctx() context: RequestContext, @Req() request: Request, @Param('id', UuidPipe) id: string, @Query() query: StateAsOfQueryDto) {
    return this.state(request, context, 'workflow', id, query);
  }

  /** Which participant a grant belongs to comes from the care_grants read model: X-Min-Position waits for it. */
  @Get('grants/:grantId/state')
  @ApiOperation({ operationId: 'StateAsOfController_grant', summary: 'A grant as it stood at an instant: its part of the participant’s state, and whether it let its professional see the results then (auditors)' })
  @ApiAnswer(200, STATE_AS_OF)
  @ApiProblems(404)
  @ApiHeader(minPositionHeader('bounded'))
  async grant(@Ctx() context: RequestContext, @Req() request: Request, @Param('grantId', UuidPipe) grantId: string, @Query() query: StateAsOfQueryDto) {
    await this.readModels.fresh(request, CARE_GRANTS);
    return this.state(request, context, 'grant', grantId, query);
  }
}
