import { Body, Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiAnswer, ApiProblems, Ctx, RequestContext, UuidPipe, WRITTEN } from '@access-ledger/platform';
import { DirectoryAccess } from '../directory-access';
import { userChangeAnswer } from '../user-change';
import { ReportAccountOutcomeCommand } from './report-account-outcome.command';
import { ReportAccountOutcomeDto } from './report-account-outcome.dto';

@ApiTags('directory')
@ApiBearerAuth()
@Controller()
export class ReportAccountOutcomeController {
  constructor(
    private readonly commands: CommandBus,
    private readonly directory: DirectoryAccess,
  ) {}

  @Post('organisations/:orgId/users/:userId/provisioning')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'DirectoryController_reportAccountOutcome',
    summary: 'Report what account provisioning did with a user’s account (token role integration)',
    description: 'Appends UserAccountProvisioned, UserAccountDisabled or UserAccountProvisioningFailed; the same outcome again (same status and detail) appends nothing and answers the same position.',
  })
  @ApiAnswer(200, WRITTEN, { etag: true })
  @ApiProblems(404)
  async report(
    @Ctx() context: RequestContext,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
    @Param('orgId', UuidPipe) orgId: string,
    @Param('userId', UuidPipe) userId: string,
    @Body() body: ReportAccountOutcomeDto,
  ) {
    // Reports are facts from downstream, not edits of a version someone displayed: no If-Match.
    const target = { context, caller: await this.directory.callerOf(request), organisationId: orgId, userId };
    return userChangeAnswer(response, await this.commands.execute(new ReportAccountOutcomeCommand(target, body)));
  }
}
