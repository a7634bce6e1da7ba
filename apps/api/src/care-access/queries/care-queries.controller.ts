import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CARE_GRANTS, CARE_PARTICIPANTS, CARE_RESULTS_REQUESTS, CARE_WORKFLOWS, DIRECTORY_USERS } from '@access-ledger/projections';
import { ApiAnswer, ApiProblems, Ctx, etagOf, minPositionHeader, ReadModels, RequestContext, UuidPipe } from '@access-ledger/platform';
import { DirectoryAccess } from '../../directory/directory-access';
import { careCallerOf } from '../care-caller';
import { ConsentPromptsQuery } from './consent-prompts.query';
import { MyAccessQuery } from './my-access.query';
import { MyParticipantsQuery } from './my-participants.query';
import { MyParticipantsQueryDto } from './my-participants.dto';
import { ParticipantsQuery } from './participants.query';
import { ParticipantsQueryDto } from './participants.dto';
import { WorkflowProfessionalsQuery } from './workflow-professionals.query';
import { WorkflowsQuery } from './workflows.query';
import { WorkflowsQueryDto } from './workflows.dto';
import { CONSENT_PROMPTS, MY_ACCESS, MY_PARTICIPANTS_PAGE, PARTICIPANTS_PAGE, WORKFLOWS_PAGE, WORKFLOW_PROFESSIONALS } from '../care.schemas';

/** Care access's read endpoints; who may read what is the context's read policy, asked by each query. */
@ApiTags('care access')
@ApiBearerAuth()
@Controller()
export class CareQueriesController {
  constructor(
    private readonly queries: QueryBus,
    private readonly directory: DirectoryAccess,
    private readonly readModels: ReadModels,
  ) {}

  private async caller(request: Request, context: RequestContext) {
    return careCallerOf(context, await this.directory.callerOf(request));
  }

  @Get('organisations/:orgId/workflows')
  @ApiOperation({ operationId: 'CareQueriesController_workflows', summary: 'The organisation’s workflows with their numbers of professionals and participants (its administrators, auditors)' })
  @ApiAnswer(200, WORKFLOWS_PAGE)
  @ApiProblems(404)
  @ApiHeader(minPositionHeader('bounded'))
  async workflows(@Ctx() context: RequestContext, @Req() request: Request, @Param('orgId', UuidPipe) orgId: string, @Query() filter: WorkflowsQueryDto) {
    const caller = await this.caller(request, context);
    await this.readModels.fresh(request, CARE_WORKFLOWS);
    return this.queries.execute(new WorkflowsQuery(caller, orgId, filter));
  }

  @Get('organisations/:orgId/workflows/:workflowId/professionals')
  @ApiOperation({ operationId: 'CareQueriesController_professionals', summary: 'The professionals added to a workflow up front, with their days and reason, and an ETag of the workflow’s version (its administrators, auditors)' })
  @ApiAnswer(200, WORKFLOW_PROFESSIONALS, { etag: true })
  @ApiProblems(404)
  async professionals(
    @Ctx() context: RequestContext,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
    @Param('orgId', UuidPipe) orgId: string,
    @Param('workflowId', UuidPipe) workflowId: string,
  ) {
    const { items, revision } = await this.queries.execute(new WorkflowProfessionalsQuery(await this.caller(request, context), orgId, workflowId));
    response.setHeader('ETag', etagOf(revision));
    return { items };
  }

  @Get('organisations/:orgId/workflows/:workflowId/participants')
  @ApiOperation({ operationId: 'CareQueriesController_participants', summary: 'A workflow’s participants: append consent and, per professional, the link as it stands now (its administrators, auditors)' })
  @ApiAnswer(200, PARTICIPANTS_PAGE)
  @ApiProblems(404)
  @ApiHeader(minPositionHeader('bounded'))
  async participants(
    @Ctx() context: RequestContext,
    @Req() request: Request,
    @Param('orgId', UuidPipe) orgId: string,
    @Param('workflowId', UuidPipe) workflowId: string,
    @Query() filter: ParticipantsQueryDto,
  ) {
    const caller = await this.caller(request, context);
    await this.readModels.fresh(request, CARE_PARTICIPANTS);
    return this.queries.execute(new ParticipantsQuery(caller, orgId, workflowId, filter, context.now));
  }

  @Get('workflows/:workflowId/consent-prompts')
  @ApiOperation({ operationId: 'CareQueriesController_consentPrompts', summary: 'The caller’s consent prompts still open in a workflow they are enrolled in (anyone authenticated, about themselves)' })
  @ApiAnswer(200, CONSENT_PROMPTS)
  @ApiProblems(404)
  async consentPrompts(@Ctx() context: RequestContext, @Req() request: Request, @Param('workflowId', UuidPipe) workflowId: string) {
    return this.queries.execute(new ConsentPromptsQuery(await this.caller(request, context), workflowId));
  }

  @Get('me/participants')
  @ApiOperation({ operationId: 'CareQueriesController_myParticipants', summary: 'The participants whose results the calling professional may see now, with until when and why (professionals)' })
  @ApiAnswer(200, MY_PARTICIPANTS_PAGE)
  @ApiHeader(minPositionHeader('bounded'))
  async myParticipants(@Ctx() context: RequestContext, @Req() request: Request, @Query() filter: MyParticipantsQueryDto) {
    const caller = await this.caller(request, context);
    await this.readModels.fresh(request, CARE_GRANTS);
    return this.queries.execute(new MyParticipantsQuery(caller, filter, context.now));
  }

  @Get('me/access')
  @ApiOperation({ operationId: 'CareQueriesController_myAccess', summary: 'Who may see my results now, and who asked for them recently (anyone authenticated, about themselves)' })
  @ApiAnswer(200, MY_ACCESS)
  @ApiHeader(minPositionHeader('bounded'))
  async myAccess(@Ctx() context: RequestContext, @Req() request: Request) {
    const caller = await this.caller(request, context);
    await this.readModels.fresh(request, CARE_GRANTS, CARE_RESULTS_REQUESTS, DIRECTORY_USERS, CARE_WORKFLOWS);
    return this.queries.execute(new MyAccessQuery(caller, context.now));
  }
}
