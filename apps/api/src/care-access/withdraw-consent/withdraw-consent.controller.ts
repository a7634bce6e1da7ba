import { Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { ApiAnswer, ApiProblems, Ctx, RequestContext, UuidPipe } from '@access-ledger/platform';
import { DirectoryAccess } from '../../directory/directory-access';
import { careWriterOf } from '../care-commands';
import { WithdrawConsentCommand } from './withdraw-consent.command';
import { CONSENT_WITHDRAWN } from '../care.schemas';

@ApiTags('care access')
@ApiBearerAuth()
@Controller()
export class WithdrawConsentController {
  constructor(
    private readonly commands: CommandBus,
    private readonly directory: DirectoryAccess,
  ) {}

  @Post('access/:grantId/withdraw')
  @HttpCode(200)
  @ApiOperation({ operationId: 'CareAccess_withdraw', summary: 'Withdraw a grant to your results, at once (the participant only)' })
  @ApiAnswer(200, CONSENT_WITHDRAWN)
  @ApiProblems(404)
  async withdraw(@Ctx() context: RequestContext, @Req() request: Request, @Param('grantId', UuidPipe) grantId: string) {
    return this.commands.execute(new WithdrawConsentCommand(await careWriterOf(this.directory, context, request), grantId));
  }
}
