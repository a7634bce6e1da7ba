import { Controller, Get, Param, Req } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { ApiAnswer, ApiProblems, Ctx, ParticipantIdPipe, RequestContext, UuidPipe } from '@access-ledger/platform';
import { AuditReads } from '../audit-reads';
import { TimelineKind, TimelineQuery } from './timeline.query';
import { TIMELINE } from '../audit.schemas';

/** Timelines: every event of an entity, oldest first, with its sentence and the fields it changed. */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class TimelinesController {
  constructor(
    private readonly queries: QueryBus,
    private readonly reads: AuditReads,
  ) {}

  private async timeline(request: Request, context: RequestContext, kind: TimelineKind, id: string) {
    const reader = await this.reads.readerOf(request, context);
    return this.reads.answered(request, context, reader, await this.queries.execute(new TimelineQuery(reader, kind, id)));
  }

  @Get('requests/:id/timeline')
  @ApiOperation({ operationId: 'TimelinesController_request', summary: 'An access request’s timeline (auditors; lead administrators of its organisation)' })
  @ApiAnswer(200, TIMELINE)
  @ApiProblems(404)
  request(@Ctx() context: RequestContext, @Req() request: Request, @Param('id', UuidPipe) id: string) {
    return this.timeline(request, context, 'request', id);
  }

  @Get('users/:id/timeline')
  @ApiOperation({ operationId: 'TimelinesController_user', summary: 'A directory user’s timeline (auditors; lead administrators of their organisation)' })
  @ApiAnswer(200, TIMELINE)
  @ApiProblems(404)
  user(@Ctx() context: RequestContext, @Req() request: Request, @Param('id', UuidPipe) id: string) {
    return this.timeline(request, context, 'user', id);
  }

  @Get('workflows/:id/timeline')
  @ApiOperation({ operationId: 'TimelinesController_workflow', summary: 'A workflow’s timeline (auditors; lead administrators of its organisation)' })
  @ApiAnswer(200, TIMELINE)
  @ApiProblems(404)
  workflow(@Ctx() context: RequestContext, @Req() request: Request, @Param('id', UuidPipe) id: string) {
    return this.timeline(request, context, 'workflow', id);
  }

  @Get('participants/:participantId/timeline')
  @ApiOperation({ operationId: 'TimelinesController_participant', summary: 'A participant’s timeline: enrolments, consents, assignments, grants, results requests (auditors; the participant themself)' })
  @ApiAnswer(200, TIMELINE)
  @ApiProblems(404)
  participant(@Ctx() context: RequestContext, @Req() request: Request, @Param('participantId', ParticipantIdPipe) participantId: string) {
    return this.timeline(request, context, 'participant', participantId);
  }
}
