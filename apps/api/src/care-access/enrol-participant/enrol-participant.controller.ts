import { Body, Controller, Param, Post, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { ApiAnswer, ApiProblems, Ctx, RequestContext, UuidPipe } from '@access-ledger/platform';
import { DirectoryAccess } from '../../directory/directory-access';
import { careWriterOf } from '../care-commands';
import { EnrolParticipantCommand } from './enrol-participant.command';
import { EnrolParticipantDto } from './enrol-participant.dto';
import { ENROLLED } from '../care.schemas';

@ApiTags('care access')
@ApiBearerAuth()
@Controller()
export class EnrolParticipantController {
  constructor(
    private readonly commands: CommandBus,
    private readonly directory: DirectoryAccess,
  ) {}

  @Post('workflows/:workflowId/enrolments')
  @ApiOperation({ operationId: 'CareAccess_enrol', summary: 'Enrol yourself as a participant; answers with a consent prompt per professional of the workflow' })
  @ApiAnswer(201, ENROLLED)
  @ApiProblems(404)
  async enrol(@Ctx() context: RequestContext, @Req() request: Request, @Param('workflowId', UuidPipe) workflowId: string, @Body() body: EnrolParticipantDto) {
    return this.commands.execute(new EnrolParticipantCommand(await careWriterOf(this.directory, context, request), workflowId, body));
  }
}
