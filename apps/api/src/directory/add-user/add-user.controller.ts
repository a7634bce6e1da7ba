import { Body, Controller, Param, Post, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { ApiAnswer, ApiProblems, CREATED, Ctx, RequestContext, UuidPipe } from '@access-ledger/platform';
import { DirectoryAccess } from '../directory-access';
import { AddUserCommand } from './add-user.command';
import { AddUserDto } from './add-user.dto';

@ApiTags('directory')
@ApiBearerAuth()
@Controller()
export class AddUserController {
  constructor(
    private readonly commands: CommandBus,
    private readonly directory: DirectoryAccess,
  ) {}

  @Post('organisations/:orgId/users')
  @ApiOperation({ operationId: 'DirectoryController_addUser', summary: 'Add a user (lead administrators; platform administrators for the first lead administrator)' })
  @ApiAnswer(201, CREATED)
  @ApiProblems(404)
  async addUser(@Ctx() context: RequestContext, @Req() request: Request, @Param('orgId', UuidPipe) orgId: string, @Body() body: AddUserDto) {
    return this.commands.execute(new AddUserCommand(context, await this.directory.callerOf(request), orgId, body));
  }
}
