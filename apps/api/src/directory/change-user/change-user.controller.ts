import { Body, Controller, Param, Patch, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiAnswer, ApiProblems, Ctx, ifMatchHeader, RequestContext, UuidPipe, WRITTEN } from '@access-ledger/platform';
import { DirectoryAccess } from '../directory-access';
import { userChangeAnswer, userTargetOf } from '../user-change';
import { ChangeUserCommand } from './change-user.command';
import { ChangeUserDto } from './change-user.dto';

@ApiTags('directory')
@ApiBearerAuth()
@Controller()
export class ChangeUserController {
  constructor(
    private readonly commands: CommandBus,
    private readonly directory: DirectoryAccess,
  ) {}

  @Patch('organisations/:orgId/users/:userId')
  @ApiOperation({ operationId: 'DirectoryController_changeUser', summary: 'Change permission level, designations (next sign-in) or clinician status (at once)' })
  @ApiAnswer(200, WRITTEN, { etag: true })
  @ApiProblems(404)
  @ApiHeader(ifMatchHeader('user'))
  async changeUser(
    @Ctx() context: RequestContext,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
    @Param('orgId', UuidPipe) orgId: string,
    @Param('userId', UuidPipe) userId: string,
    @Body() body: ChangeUserDto,
  ) {
    const target = await userTargetOf(this.directory, context, request, orgId, userId);
    return userChangeAnswer(response, await this.commands.execute(new ChangeUserCommand(target, body)));
  }
}
