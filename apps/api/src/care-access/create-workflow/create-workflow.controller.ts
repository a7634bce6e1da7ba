import { Body, Controller, Param, Post, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiAnswer, ApiProblems, CREATED, Ctx, RequestContext, UuidPipe } from '@access-ledger/platform';
import { DirectoryAccess } from '../../directory/directory-access';
import { careWriterOf, withEtag } from '../care-commands';
import { CreateWorkflowCommand } from './create-workflow.command';
import { CreateWorkflowDto } from './create-workflow.dto';

@ApiTags('care access')
@ApiBearerAuth()
@Controller()
export class CreateWorkflowController {
  constructor(
    private readonly commands: CommandBus,
    private readonly directory: DirectoryAccess,
  ) {}

  @Post('organisations/:orgId/workflows')
  @ApiOperation({ operationId: 'CareAccess_createWorkflow', summary: 'Create a workflow (administrators and lead administrators of the organisation)' })
  @ApiAnswer(201, CREATED, { etag: true })
  @ApiProblems(404)
  async create(@Ctx() context: RequestContext, @Req() request: Request, @Res({ passthrough: true }) response: Response, @Param('orgId', UuidPipe) orgId: string, @Body() body: CreateWorkflowDto) {
    const result = await this.commands.execute(new CreateWorkflowCommand(await careWriterOf(this.directory, context, request), orgId, body));
    return withEtag(response, result.revision, { id: result.id, position: result.position });
  }
}
