import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, Req, Res } from '@nestjs/common';
import { Command, CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { DIRECTORY_USER_COUNTS, DIRECTORY_USERS } from '@access-ledger/projections';
import { Ctx, etagOf, ifMatchRevision, ReadModels, RequestContext, UuidPipe } from '@access-ledger/platform';
import { AddUserDto, ChangeUserDto, ListUsersQueryDto, RegisterOrganisationDto, UserStatusChangeDto } from './directory.dto';
import { DirectoryAccess } from './directory-access';
import { RegisterOrganisationCommand } from './register-organisation';
import { AddUserCommand } from './add-user';
import { ChangeUserCommand, DeactivateUserCommand, ReactivateUserCommand, UserChangeResult, UserTarget } from './manage-user';
import { GetUserQuery, ListUsersQuery, MeQuery } from './queries';

const IDEMPOTENCY = { name: 'Idempotency-Key', required: false, description: 'A retry with the same key returns the first outcome and writes nothing.' };
const IF_MATCH = { name: 'If-Match', required: false, description: 'The ETag you displayed; 412 when the user changed since.' };

@ApiTags('directory')
@ApiBearerAuth()
@Controller()
export class DirectoryController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly directory: DirectoryAccess,
    private readonly readModels: ReadModels,
  ) {}

  @Post('organisations')
  @ApiOperation({ summary: 'Register an organisation (platform administrators)' })
  @ApiHeader(IDEMPOTENCY)
  async registerOrganisation(@Ctx() context: RequestContext, @Req() request: Request, @Body() body: RegisterOrganisationDto) {
    return this.commands.execute(new RegisterOrganisationCommand(context, await this.directory.callerOf(request), body));
  }

  @Post('organisations/:orgId/users')
  @ApiOperation({ summary: 'Add a user (lead administrators; platform administrators for the first lead administrator)' })
  @ApiHeader(IDEMPOTENCY)
  async addUser(@Ctx() context: RequestContext, @Req() request: Request, @Param('orgId', UuidPipe) orgId: string, @Body() body: AddUserDto) {
    return this.commands.execute(new AddUserCommand(context, await this.directory.callerOf(request), orgId, body));
  }

  @Get('organisations/:orgId/users')
  @ApiOperation({ summary: 'The manage-users screen (lead administrators of the organisation)' })
  @ApiHeader({ name: 'X-Min-Position', required: false, description: 'Wait (up to 5 s) until this write position is reflected.' })
  async listUsers(@Req() request: Request, @Param('orgId', UuidPipe) orgId: string, @Query() filter: ListUsersQueryDto) {
    const caller = await this.directory.callerOf(request);
    await this.readModels.fresh(request, DIRECTORY_USERS, DIRECTORY_USER_COUNTS);
    return this.queries.execute(new ListUsersQuery(caller, orgId, filter));
  }

  @Get('organisations/:orgId/users/:userId')
  @ApiOperation({ summary: 'One user, with an ETag of its version' })
  async getUser(@Req() request: Request, @Res({ passthrough: true }) response: Response, @Param('orgId', UuidPipe) orgId: string, @Param('userId', UuidPipe) userId: string) {
    const { user, revision } = await this.queries.execute(new GetUserQuery(await this.directory.callerOf(request), orgId, userId));
    response.setHeader('ETag', etagOf(revision));
    return user;
  }

  @Patch('organisations/:orgId/users/:userId')
  @ApiOperation({ summary: 'Change permission level, designations (next sign-in) or clinician status (at once)' })
  @ApiHeader(IF_MATCH)
  async changeUser(
    @Ctx() context: RequestContext,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
    @Param('orgId', UuidPipe) orgId: string,
    @Param('userId', UuidPipe) userId: string,
    @Body() body: ChangeUserDto,
  ) {
    return this.changeUserWith((target) => new ChangeUserCommand(target, body), context, request, response, orgId, userId);
  }

  @Post('organisations/:orgId/users/:userId/deactivate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Deactivate a user: every call they make is refused at once' })
  @ApiHeader(IF_MATCH)
  @ApiHeader(IDEMPOTENCY)
  deactivate(
    @Ctx() context: RequestContext,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
    @Param('orgId', UuidPipe) orgId: string,
    @Param('userId', UuidPipe) userId: string,
    @Body() body: UserStatusChangeDto,
  ) {
    return this.changeUserWith((target) => new DeactivateUserCommand(target, body), context, request, response, orgId, userId);
  }

  @Post('organisations/:orgId/users/:userId/reactivate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reactivate a user' })
  @ApiHeader(IF_MATCH)
  @ApiHeader(IDEMPOTENCY)
  reactivate(
    @Ctx() context: RequestContext,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
    @Param('orgId', UuidPipe) orgId: string,
    @Param('userId', UuidPipe) userId: string,
    @Body() body: UserStatusChangeDto,
  ) {
    return this.changeUserWith((target) => new ReactivateUserCommand(target, body), context, request, response, orgId, userId);
  }

  /** PATCH, deactivate and reactivate: the caller's scope and If-Match in, the new version out as ETag. */
  private async changeUserWith(
    command: (target: UserTarget) => Command<UserChangeResult>,
    context: RequestContext,
    request: Request,
    response: Response,
    organisationId: string,
    userId: string,
  ) {
    const target = { context, caller: await this.directory.callerOf(request), organisationId, userId, expectedVersion: ifMatchRevision(request) };
    const { position, revision } = await this.commands.execute(command(target));
    response.setHeader('ETag', etagOf(revision));
    return { position };
  }

  @Get('me')
  @ApiOperation({ summary: 'The caller, with the rights effective for this token' })
  async me(@Req() request: Request) {
    return this.queries.execute(new MeQuery(await this.directory.callerOf(request), request.principal!.email));
  }
}
