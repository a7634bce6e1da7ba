import { Body, Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiAnswer, ApiProblems, Ctx, ifMatchHeader, RequestContext, UuidPipe } from '@access-ledger/platform';
import { DirectoryAccess } from '../../directory/directory-access';
import { requestTargetOf, requestWriteAnswer } from '../request-commands';
import { ApproveRequestCommand } from './approve-request.command';
import { ApproveRequestDto } from './approve-request.dto';
import { REQUEST_STATUS_CHANGED } from '../request.schemas';

@ApiTags('access requests')
@ApiBearerAuth()
@Controller()
export class ApproveRequestController {
  constructor(
    private readonly commands: CommandBus,
    private readonly directory: DirectoryAccess,
  ) {}

  @Post('requests/:id/approve')
  @HttpCode(200)
  @ApiOperation({ operationId: 'AccessRequestsController_approve', summary: 'Approve a request (a SPOC of its organisation); needs confirm: true' })
  @ApiAnswer(200, REQUEST_STATUS_CHANGED, { etag: true })
  @ApiProblems(404)
  @ApiHeader(ifMatchHeader('request'))
  async approve(@Ctx() context: RequestContext, @Req() request: Request, @Res({ passthrough: true }) response: Response, @Param('id', UuidPipe) id: string, @Body() body: ApproveRequestDto) {
    return requestWriteAnswer(response, await this.commands.execute(new ApproveRequestCommand(await requestTargetOf(this.directory, context, request, id), body)));
  }
}
