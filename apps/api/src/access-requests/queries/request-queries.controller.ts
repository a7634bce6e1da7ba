import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { SPOC_OVERVIEW, SPOC_OVERVIEW_COUNTS } from '@access-ledger/projections';
import { ApiAnswer, ApiProblems, Ctx, etagOf, minPositionHeader, ReadModels, RequestContext, UuidPipe } from '@access-ledger/platform';
import { DirectoryAccess } from '../../directory/directory-access';
import { requestReaderOf } from '../request-caller';
import { GetRequestQuery } from './get-request.query';
import { MyRequestsQuery } from './my-requests.query';
import { MyRequestsQueryDto } from './my-requests.dto';
import { OverviewQuery } from './overview.query';
import { OverviewQueryDto } from './overview.dto';
import { MY_REQUESTS_PAGE, OVERVIEW_PAGE, REQUEST } from '../request.schemas';

/** The access requests' read endpoints; who may read what is the context's read policy, asked by each query. */
@ApiTags('access requests')
@ApiBearerAuth()
@Controller()
export class RequestQueriesController {
  constructor(
    private readonly queries: QueryBus,
    private readonly directory: DirectoryAccess,
    private readonly readModels: ReadModels,
  ) {}

  private async reader(request: Request, context: RequestContext) {
    return requestReaderOf(context, await this.directory.callerOf(request));
  }

  @Get('requests')
  @ApiOperation({ operationId: 'AccessRequestsController_mine', summary: 'The caller’s own requests (mine=true)' })
  @ApiAnswer(200, MY_REQUESTS_PAGE)
  @ApiHeader(minPositionHeader('bounded'))
  async mine(@Ctx() context: RequestContext, @Req() request: Request, @Query() filter: MyRequestsQueryDto) {
    const reader = await this.reader(request, context);
    await this.readModels.fresh(request, SPOC_OVERVIEW);
    return this.queries.execute(new MyRequestsQuery(reader, filter));
  }

  @Get('requests/:id')
  @ApiOperation({ operationId: 'AccessRequestsController_get', summary: 'One request, with an ETag of its version (requester, SPOCs of its organisation, auditors)' })
  @ApiAnswer(200, REQUEST, { etag: true })
  @ApiProblems(404)
  async get(@Ctx() context: RequestContext, @Req() request: Request, @Res({ passthrough: true }) response: Response, @Param('id', UuidPipe) id: string) {
    const { request: view, revision } = await this.queries.execute(new GetRequestQuery(await this.reader(request, context), id));
    response.setHeader('ETag', etagOf(revision));
    return view;
  }

  @Get('organisations/:orgId/requests')
  @ApiOperation({ operationId: 'AccessRequestsController_overview', summary: 'The SPOC overview table of an organisation (its SPOCs, auditors)' })
  @ApiAnswer(200, OVERVIEW_PAGE)
  @ApiProblems(404)
  @ApiHeader(minPositionHeader('bounded'))
  async overview(@Ctx() context: RequestContext, @Req() request: Request, @Param('orgId', UuidPipe) orgId: string, @Query() filter: OverviewQueryDto) {
    const reader = await this.reader(request, context);
    await this.readModels.fresh(request, SPOC_OVERVIEW, SPOC_OVERVIEW_COUNTS);
    return this.queries.execute(new OverviewQuery(reader, orgId, filter));
  }
}
