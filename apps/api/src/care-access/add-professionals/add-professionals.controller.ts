import { Body, Controller, Param, Post, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiAnswer, ApiProblems, Ctx, RequestContext, UuidPipe } from '@access-ledger/platform';
import { DirectoryAccess } from '../../directory/directory-access';
import { careWriterOf, withEtag } from '../care-commands';
import { AddProfessionalsCommand } from './add-professionals.command';
import { AddProfessionalsDto } from './add-professionals.dto';
import { PROFESSIONALS_ADDED } from '../care.schemas';

@ApiTags('care access')
@ApiBearerAuth()
@Controller()
export class AddProfessionalsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly directory: DirectoryAccess,
  ) {}

  @Post('organisations/:orgId/workflows/:workflowId/professionals')
  @ApiOperation({
    operationId: 'CareAccess_addProfessionals',
    summary: 'Add professionals up front (option 1): every participant is asked for consent for them, for the days given (administrators of the organisation)',
  })
  @ApiAnswer(201, PROFESSIONALS_ADDED, { etag: true })
  @ApiProblems(404)
  async add(
    @Ctx() context: RequestContext,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
    @Param('orgId', UuidPipe) orgId: string,
    @Param('workflowId', UuidPipe) workflowId: string,
    @Body() body: AddProfessionalsDto,
  ) {
    const result = await this.commands.execute(new AddProfessionalsCommand(await careWriterOf(this.directory, context, request), orgId, workflowId, body));
    return withEtag(response, result.revision, { professionalIds: result.professionalIds, position: result.position });
  }
}
