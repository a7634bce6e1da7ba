import { Body, Controller, Param, Post, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { ApiAnswer, ApiProblems, Ctx, RequestContext, UuidPipe } from '@access-ledger/platform';
import { DirectoryAccess } from '../../directory/directory-access';
import { careWriterOf } from '../care-commands';
import { AssignProfessionalCommand } from './assign-professional.command';
import { AssignProfessionalDto } from './assign-professional.dto';
import { ASSIGNMENTS_MADE } from '../care.schemas';

@ApiTags('care access')
@ApiBearerAuth()
@Controller()
export class AssignProfessionalController {
  constructor(
    private readonly commands: CommandBus,
    private readonly directory: DirectoryAccess,
  ) {}

  @Post('organisations/:orgId/assignments')
  @ApiOperation({
    operationId: 'CareAccess_assign',
    summary: 'Assign a professional to enrolled participants until an end date (option 2): active at once with append consent, otherwise pending the participant’s consent',
  })
  @ApiAnswer(201, ASSIGNMENTS_MADE)
  @ApiProblems(404)
  async assign(@Ctx() context: RequestContext, @Req() request: Request, @Param('orgId', UuidPipe) orgId: string, @Body() body: AssignProfessionalDto) {
    return this.commands.execute(new AssignProfessionalCommand(await careWriterOf(this.directory, context, request), orgId, body));
  }
}
