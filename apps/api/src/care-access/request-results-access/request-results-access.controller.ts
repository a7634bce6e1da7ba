import { Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { ApiAnswer, ApiProblems, Ctx, ParticipantIdPipe, RequestContext, UuidPipe } from '@access-ledger/platform';
import { DirectoryAccess } from '../../directory/directory-access';
import { careWriterOf } from '../care-commands';
import { RequestResultsAccessCommand } from './request-results-access.command';
import { RESULTS_ACCESS_ALLOWED } from '../care.schemas';

@ApiTags('care access')
@ApiBearerAuth()
@Controller()
export class RequestResultsAccessController {
  constructor(
    private readonly commands: CommandBus,
    private readonly directory: DirectoryAccess,
  ) {}

  /** With an Idempotency-Key, a retry of the same request is answered from the first one and recorded once. */
  @Post('workflows/:workflowId/participants/:participantId/results-access')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'CareAccess_requestResults',
    summary: 'Ask for a participant’s results (professionals): allowed only while their consent is active; granted or refused, every request is recorded',
  })
  @ApiAnswer(200, RESULTS_ACCESS_ALLOWED)
  @ApiProblems(404)
  async request(
    @Ctx() context: RequestContext,
    @Req() request: Request,
    @Param('workflowId', UuidPipe) workflowId: string,
    @Param('participantId', ParticipantIdPipe) participantId: string,
  ) {
    return this.commands.execute(new RequestResultsAccessCommand(await careWriterOf(this.directory, context, request), workflowId, participantId));
  }
}
