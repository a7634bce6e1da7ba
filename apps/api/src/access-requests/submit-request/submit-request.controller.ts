import { Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiAnswer, ApiProblems, Ctx, ifMatchHeader, RequestContext, UuidPipe } from '@access-ledger/platform';
import { DirectoryAccess } from '../../directory/directory-access';
import { requestTargetOf, requestWriteAnswer } from '../request-commands';
import { SubmitRequestCommand } from './submit-request.command';
import { REQUEST_STATUS_CHANGED } from '../request.schemas';

@ApiTags('access requests')
@ApiBearerAuth()
@Controller()
export class SubmitRequestController {
  constructor(
    private readonly commands: CommandBus,
    private readonly directory: DirectoryAccess,
  ) {}

  @Post('requests/:id/submit')
  @HttpCode(200)
  @ApiOperation({ operationId: 'AccessRequestsController_submit', summary: 'Submit a created request for approval (the requester)' })
  @ApiAnswer(200, REQUEST_STATUS_CHANGED, { etag: true })
  @ApiProblems(404)
  @ApiHeader(ifMatchHeader('request'))
  async submit(@Ctx() context: RequestContext, @Req() request: Request, @Res({ passthrough: true }) response: Response, @Param('id', UuidPipe) id: string) {
    return requestWriteAnswer(response, await this.commands.execute(new SubmitRequestCommand(await requestTargetOf(this.directory, context, request, id))));
  }
}
