import { Body, Controller, Param, Patch, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiAnswer, ApiProblems, Ctx, ifMatchHeader, ifMatchRevision, RequestContext, UuidPipe } from '@access-ledger/platform';
import { DirectoryAccess } from '../../directory/directory-access';
import { careWriterOf, withEtag } from '../care-commands';
import { ChangeWorkflowSettingsCommand } from './change-workflow-settings.command';
import { ChangeWorkflowSettingsDto } from './change-workflow-settings.dto';
import { WORKFLOW_SETTINGS } from '../care.schemas';

@ApiTags('care access')
@ApiBearerAuth()
@Controller()
export class ChangeWorkflowSettingsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly directory: DirectoryAccess,
  ) {}

  @Patch('organisations/:orgId/workflows/:workflowId')
  @ApiOperation({ operationId: 'CareAccess_changeWorkflowSettings', summary: 'Allow or stop appending professionals later (administrators of the organisation)' })
  @ApiAnswer(200, WORKFLOW_SETTINGS, { etag: true })
  @ApiProblems(404)
  @ApiHeader(ifMatchHeader('workflow'))
  async change(
    @Ctx() context: RequestContext,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
    @Param('orgId', UuidPipe) orgId: string,
    @Param('workflowId', UuidPipe) workflowId: string,
    @Body() body: ChangeWorkflowSettingsDto,
  ) {
    const writer = await careWriterOf(this.directory, context, request);
    const result = await this.commands.execute(new ChangeWorkflowSettingsCommand(writer, orgId, workflowId, body, ifMatchRevision(request)));
    return withEtag(response, result.revision, { id: result.id, allowAppendProfessionals: result.allowAppendProfessionals, position: result.position });
  }
}
