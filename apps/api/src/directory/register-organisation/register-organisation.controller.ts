import { Body, Controller, Post, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { ApiAnswer, CREATED, Ctx, RequestContext } from '@access-ledger/platform';
import { DirectoryAccess } from '../directory-access';
import { RegisterOrganisationCommand } from './register-organisation.command';
import { RegisterOrganisationDto } from './register-organisation.dto';

@ApiTags('directory')
@ApiBearerAuth()
@Controller()
export class RegisterOrganisationController {
  constructor(
    private readonly commands: CommandBus,
    private readonly directory: DirectoryAccess,
  ) {}

  @Post('organisations')
  @ApiOperation({ operationId: 'DirectoryController_registerOrganisation', summary: 'Register an organisation (platform administrators)' })
  @ApiAnswer(201, CREATED)
  async registerOrganisation(@Ctx() context: RequestContext, @Req() request: Request, @Body() body: RegisterOrganisationDto) {
    return this.commands.execute(new RegisterOrganisationCommand(context, await this.directory.callerOf(request), body));
  }
}
