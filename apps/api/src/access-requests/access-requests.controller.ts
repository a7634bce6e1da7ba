import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { SPOC_OVERVIEW, SPOC_OVERVIEW_COUNTS } from '@access-ledger/projections';
import { isAuditor } from '@access-ledger/directory';
import { DirectoryAccess } from '../directory/directory-access';
import { ApproveRequestDto, CreateRequestDto, MyRequestsQueryDto, OverviewQueryDto, RejectRequestDto, WithdrawRequestDto } from './queries/overview.dto';
import { Ctx, etagOf, ifMatchRevision, LimitRequestCreation, ReadModels, RequestContext, UuidPipe } from '@access-ledger/platform';
import {
  ApproveRequestCommand,
  CreateRequestCommand,
  RejectRequestCommand,
  RequestWriteResult,
  SubmitRequestCommand,
  WithdrawRequestCommand,
  requestCallerOf,
} from './request-commands';
import { GetRequestQuery, MyRequestsQuery, OverviewQuery } from './queries/overview.query';

const IDEMPOTENCY = { name: 'Idempotency-Key', required: false, description: 'A retry with the same key returns the first outcome and writes nothing.' };
const IF_MATCH = { name: 'If-Match', required: false, description: 'The ETag you displayed; 412 when the request changed since.' };
const MIN_POSITION = { name: 'X-Min-Position', required: false, description: 'Wait (bounded) until this write position is reflected.' };

const answer = (response: Response, result: RequestWriteResult) => {
  response.setHeader('ETag', etagOf(result.revision));
  return { status: result.status, position: result.position };
};

@ApiTags('access requests')
@ApiBearerAuth()
@Controller()
export class AccessRequestsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly directory: DirectoryAccess,
    private readonly readModels: ReadModels,
  ) {}

  private async target(context: RequestContext, request: Request, requestId: string) {
    return { context, caller: await this.directory.callerOf(request), requestId, expectedVersion: ifMatchRevision(request) };
  }

  private async requestCaller(request: Request, context: RequestContext) {
    const caller = await this.directory.callerOf(request);
    return { ...requestCallerOf(context, caller), auditor: isAuditor(caller) };
  }

  @Post('requests')
  @LimitRequestCreation()
  @ApiOperation({ summary: 'Request access to an application for an organisation (anyone authenticated)' })
  @ApiHeader(IDEMPOTENCY)
  async create(@Ctx() context: RequestContext, @Req() request: Request, @Res({ passthrough: true }) response: Response, @Body() body: CreateRequestDto) {
    const result = await this.commands.execute(new CreateRequestCommand(context, await this.directory.callerOf(request), body));
    response.setHeader('ETag', etagOf(result.revision));
    return { id: result.id, status: result.status, position: result.position };
  }

  @Post('requests/:id/submit')
  @HttpCode(200)
  @ApiOperation({ summary: 'Submit a created request for approval (the requester)' })
  @ApiHeader(IF_MATCH)
  @ApiHeader(IDEMPOTENCY)
  async submit(@Ctx() context: RequestContext, @Req() request: Request, @Res({ passthrough: true }) response: Response, @Param('id', UuidPipe) id: string) {
    return answer(response, await this.commands.execute(new SubmitRequestCommand(await this.target(context, request, id))));
  }

  @Post('requests/:id/approve')
  @HttpCode(200)
  @ApiOperation({ summary: 'Approve a request (a SPOC of its organisation); needs confirm: true' })
  @ApiHeader(IF_MATCH)
  @ApiHeader(IDEMPOTENCY)
  async approve(@Ctx() context: RequestContext, @Req() request: Request, @Res({ passthrough: true }) response: Response, @Param('id', UuidPipe) id: string, @Body() body: ApproveRequestDto) {
    return answer(response, await this.commands.execute(new ApproveRequestCommand(await this.target(context, request, id), body)));
  }

  @Post('requests/:id/reject')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reject a request with a reason (a SPOC of its organisation)' })
  @ApiHeader(IF_MATCH)
  @ApiHeader(IDEMPOTENCY)
  async reject(@Ctx() context: RequestContext, @Req() request: Request, @Res({ passthrough: true }) response: Response, @Param('id', UuidPipe) id: string, @Body() body: RejectRequestDto) {
    return answer(response, await this.commands.execute(new RejectRequestCommand(await this.target(context, request, id), body)));
  }

  @Post('requests/:id/withdraw')
  @HttpCode(200)
  @ApiOperation({ summary: 'Withdraw your own open request' })
  @ApiHeader(IF_MATCH)
  @ApiHeader(IDEMPOTENCY)
  async withdraw(@Ctx() context: RequestContext, @Req() request: Request, @Res({ passthrough: true }) response: Response, @Param('id', UuidPipe) id: string, @Body() body: WithdrawRequestDto) {
    return answer(response, await this.commands.execute(new WithdrawRequestCommand(await this.target(context, request, id), body)));
  }

  @Get('requests/:id')
  @ApiOperation({ summary: 'One request, with an ETag of its version (requester, SPOCs of its organisation, auditors)' })
  async get(@Ctx() context: RequestContext, @Req() request: Request, @Res({ passthrough: true }) response: Response, @Param('id', UuidPipe) id: string) {
    const { request: view, revision } = await this.queries.execute(new GetRequestQuery(await this.requestCaller(request, context), id));
    response.setHeader('ETag', etagOf(revision));
    return view;
  }

  @Get('requests')
  @ApiOperation({ summary: 'The caller’s own requests (mine=true)' })
  @ApiHeader(MIN_POSITION)
  async mine(@Ctx() context: RequestContext, @Req() request: Request, @Query() filter: MyRequestsQueryDto) {
    const caller = await this.requestCaller(request, context);
    await this.readModels.fresh(request, SPOC_OVERVIEW);
    return this.queries.execute(new MyRequestsQuery(caller, filter));
  }

  @Get('organisations/:orgId/requests')
  @ApiOperation({ summary: 'The SPOC overview table of an organisation (its SPOCs, auditors)' })
  @ApiHeader(MIN_POSITION)
  async overview(@Ctx() context: RequestContext, @Req() request: Request, @Param('orgId', UuidPipe) orgId: string, @Query() filter: OverviewQueryDto) {
    const caller = await this.requestCaller(request, context);
    await this.readModels.fresh(request, SPOC_OVERVIEW, SPOC_OVERVIEW_COUNTS);
    return this.queries.execute(new OverviewQuery(caller, orgId, filter));
  }
}
