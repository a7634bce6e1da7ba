import { Body, Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { ApiAnswer, ApiProblems, Ctx, RequestContext, UuidPipe } from '@access-ledger/platform';
import { DirectoryAccess } from '../../directory/directory-access';
import { careWriterOf } from '../care-commands';
import { ConsentDecisionDto } from '../care-consent.dto';
import { AnswerAssignmentCommand } from './answer-assignment.command';
import { CONSENT_ANSWERED } from '../care.schemas';

@ApiTags('care access')
@ApiBearerAuth()
@Controller()
export class AnswerAssignmentController {
  constructor(
    private readonly commands: CommandBus,
    private readonly directory: DirectoryAccess,
  ) {}

  @Post('assignments/:assignmentId/consent')
  @HttpCode(200)
  @ApiOperation({ operationId: 'CareAccess_answerAssignment', summary: 'Accept or decline a professional assigned to you who waits for your consent (the participant only)' })
  @ApiAnswer(200, CONSENT_ANSWERED)
  @ApiProblems(404)
  async answer(@Ctx() context: RequestContext, @Req() request: Request, @Param('assignmentId', UuidPipe) assignmentId: string, @Body() body: ConsentDecisionDto) {
    return this.commands.execute(new AnswerAssignmentCommand(await careWriterOf(this.directory, context, request), assignmentId, body));
  }
}
