import { Body, Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiAnswer, ApiProblems, Ctx, etagOf, RequestContext, UuidPipe, WRITTEN } from '@access-ledger/platform';
import { DirectoryAccess } from '../../directory/directory-access';
import { ReportProvisioningCommand } from './report-provisioning.command';
import { ReportProvisioningDto } from './report-provisioning.dto';

@ApiTags('access requests')
@ApiBearerAuth()
@Controller()
export class ReportProvisioningController {
  constructor(
    private readonly commands: CommandBus,
    private readonly directory: DirectoryAccess,
  ) {}

  @Post('requests/:id/provisioning')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'AccessRequestsController_reportProvisioning',
    summary: 'Report what account provisioning did for an approved request (token role integration)',
    description: 'Appends AccountProvisioned or AccountProvisioningFailed; the same outcome again (same status and detail) appends nothing and answers the same position.',
  })
  @ApiAnswer(200, WRITTEN, { etag: true })
  @ApiProblems(404)
  async report(@Ctx() context: RequestContext, @Req() request: Request, @Res({ passthrough: true }) response: Response, @Param('id', UuidPipe) id: string, @Body() body: ReportProvisioningDto) {
    // Reports are facts from downstream, not edits of a version someone displayed: no If-Match.
    const target = { context, caller: await this.directory.callerOf(request), requestId: id };
    const result = await this.commands.execute(new ReportProvisioningCommand(target, body));
    response.setHeader('ETag', etagOf(result.revision));
    return { position: result.position };
  }
}
