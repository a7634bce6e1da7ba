import { Body, Controller, Post, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiAnswer, ApiProblems, Ctx, etagOf, LimitRequestCreation, RequestContext } from '@access-ledger/platform';
import { DirectoryAccess } from '../../directory/directory-access';
import { CreateRequestCommand } from './create-request.command';
import { CreateRequestDto } from './create-request.dto';
import { CREATED_REQUEST } from '../request.schemas';

@ApiTags('access requests')
@ApiBearerAuth()
@Controller()
export class CreateRequestController {
  constructor(
    private readonly commands: CommandBus,
    private readonly directory: DirectoryAccess,
  ) {}

  @Post('requests')
  @LimitRequestCreation()
  @ApiOperation({ operationId: 'AccessRequestsController_create', summary: 'Request access to an application for an organisation (anyone authenticated)' })
  @ApiAnswer(201, CREATED_REQUEST, { etag: true })
  @ApiProblems(404)
  async create(@Ctx() context: RequestContext, @Req() request: Request, @Res({ passthrough: true }) response: Response, @Body() body: CreateRequestDto) {
    const result = await this.commands.execute(new CreateRequestCommand(context, await this.directory.callerOf(request), body));
    response.setHeader('ETag', etagOf(result.revision));
    return { id: result.id, status: result.status, position: result.position };
  }
}
