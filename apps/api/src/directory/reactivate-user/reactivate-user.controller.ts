import { Body, Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiAnswer, ApiProblems, Ctx, ifMatchHeader, RequestContext, UuidPipe, WRITTEN } from '@access-ledger/platform';
import { DirectoryAccess } from '../directory-access';
import { UserStatusChangeDto } from '../directory.dto';
import { userChangeAnswer, userTargetOf } from '../user-change';
import { ReactivateUserCommand } from './reactivate-user.command';

@ApiTags('directory')
@ApiBearerAuth()
@Controller()
export class ReactivateUserController {
  constructor(
    private readonly commands: CommandBus,
    private readonly directory: DirectoryAccess,
  ) {}

  @Post('organisations/:orgId/users/:userId/reactivate')
  @HttpCode(200)
  @ApiOperation({ operationId: 'DirectoryController_reactivate', summary: 'Reactivate a user' })
  @ApiAnswer(200, WRITTEN, { etag: true })
  @ApiProblems(404)
  @ApiHeader(ifMatchHeader('user'))
  async reactivate(
    @Ctx() context: RequestContext,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
    @Param('orgId', UuidPipe) orgId: string,
    @Param('userId', UuidPipe) userId: string,
    @Body() body: UserStatusChangeDto,
  ) {
    const target = await userTargetOf(this.directory, context, request, orgId, userId);
    return userChangeAnswer(response, await this.commands.execute(new ReactivateUserCommand(target, body)));
  }
}
