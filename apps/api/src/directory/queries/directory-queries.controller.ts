import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { DIRECTORY_USERS, DIRECTORY_USER_COUNTS } from '@access-ledger/projections';
import { ApiAnswer, ApiProblems, etagOf, minPositionHeader, ReadModels, UuidPipe } from '@access-ledger/platform';
import { DirectoryAccess } from '../directory-access';
import { GetUserQuery } from './get-user.query';
import { ListUsersQuery } from './list-users.query';
import { ListUsersQueryDto } from './list-users.dto';
import { MeQuery } from './me.query';
import { ME, USER, USERS_PAGE } from '../directory.schemas';

/** The directory's read endpoints; who may read what is the directory's read policy, asked by each query. */
@ApiTags('directory')
@ApiBearerAuth()
@Controller()
export class DirectoryQueriesController {
  constructor(
    private readonly queries: QueryBus,
    private readonly directory: DirectoryAccess,
    private readonly readModels: ReadModels,
  ) {}

  @Get('organisations/:orgId/users')
  @ApiOperation({ operationId: 'DirectoryController_listUsers', summary: 'The manage-users screen (lead administrators of the organisation)' })
  @ApiAnswer(200, USERS_PAGE)
  @ApiProblems(404)
  @ApiHeader(minPositionHeader('up to 5 s'))
  async listUsers(@Req() request: Request, @Param('orgId', UuidPipe) orgId: string, @Query() filter: ListUsersQueryDto) {
    const caller = await this.directory.callerOf(request);
    await this.readModels.fresh(request, DIRECTORY_USERS, DIRECTORY_USER_COUNTS);
    return this.queries.execute(new ListUsersQuery(caller, orgId, filter));
  }

  @Get('organisations/:orgId/users/:userId')
  @ApiOperation({ operationId: 'DirectoryController_getUser', summary: 'One user, with an ETag of its version' })
  @ApiAnswer(200, USER, { etag: true })
  @ApiProblems(404)
  async getUser(@Req() request: Request, @Res({ passthrough: true }) response: Response, @Param('orgId', UuidPipe) orgId: string, @Param('userId', UuidPipe) userId: string) {
    const { user, revision } = await this.queries.execute(new GetUserQuery(await this.directory.callerOf(request), orgId, userId));
    response.setHeader('ETag', etagOf(revision));
    return user;
  }

  @Get('me')
  @ApiOperation({ operationId: 'DirectoryController_me', summary: 'The caller, with the rights effective for this token' })
  @ApiAnswer(200, ME)
  async me(@Req() request: Request) {
    return this.queries.execute(new MeQuery(await this.directory.callerOf(request)));
  }
}
