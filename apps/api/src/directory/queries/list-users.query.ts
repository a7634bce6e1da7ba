import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { NotFoundError } from '@access-ledger/core';
import { Capability, PERMISSION_LEVELS, capabilitiesOf, currentRights, directoryReadPolicy } from '@access-ledger/directory';
import { ReadStore } from '@access-ledger/read-store';
import { ManagedUser, UserCounts, countKey, manageUsersCountsProjection, manageUsersProjection } from '@access-ledger/projections';
import { PageView, pageView, pagingOf, READ_STORE, readPage, TOTAL_COUNT_LIMIT } from '@access-ledger/platform';
import { ListUsersQueryDto } from '../directory.dto';
import { DirectoryAccess, DirectoryCaller } from '../directory-access';

export type UserView = Omit<ManagedUser, 'organisationId'> & { organisationId: string };

export class ListUsersQuery extends Query<PageView<ManagedUser>> {
  constructor(readonly caller: DirectoryCaller, readonly organisationId: string, readonly filter: ListUsersQueryDto) {
    super();
  }
}

/** The manage-users screen, straight from the read model. */
@QueryHandler(ListUsersQuery)
export class ListUsersHandler implements IQueryHandler<ListUsersQuery> {
  constructor(@Inject(READ_STORE) private readonly reads: ReadStore) {}

  async execute({ caller, organisationId, filter }: ListUsersQuery): Promise<PageView<ManagedUser>> {
    directoryReadPolicy.listUsers(caller, organisationId);
    const sort = filter.sort ?? 'lastName';
    const field = sort.replace(/^-/, '');
    const q = filter.q || null;
    const scope = { list: 'users', organisationId, status: filter.status ?? null, permissionLevel: filter.permissionLevel ?? null, q, sort };
    const paging = pagingOf(filter, scope);
    const page = await readPage(() =>
      this.reads.find<ManagedUser>(manageUsersProjection.collection.name, {
        where: {
          organisationId,
          ...(filter.status ? { status: filter.status } : {}),
          ...(filter.permissionLevel ? { permissionLevel: filter.permissionLevel } : {}),
        },
        search: q ? { fields: ['firstName', 'lastName', 'email'], prefix: q } : undefined,
        sort: [{ field, direction: sort.startsWith('-') ? 'desc' : 'asc' }],
        page: paging.page,
        pageSize: paging.pageSize,
        after: paging.after,
        // Without a search the counters know the total; with one, counting stops at the limit.
        skipTotal: !q,
        countLimit: TOTAL_COUNT_LIMIT,
      }),
    );
    const items = page.items.map(({ organisationId: _org, ...user }) => user as ManagedUser);
    return q ? pageView(page, paging, scope, items) : pageView(page, paging, scope, items, await this.countFromCounters(organisationId, filter), false);
  }

  private async countFromCounters(organisationId: string, filter: ListUsersQueryDto): Promise<number> {
    const counts: Partial<UserCounts> = (await this.reads.get<UserCounts>(manageUsersCountsProjection.collection.name, organisationId)) ?? {};
    const statuses = filter.status ? [filter.status] : (['active', 'deactivated'] as const);
    const levels = filter.permissionLevel ? [filter.permissionLevel] : PERMISSION_LEVELS;
    return statuses.flatMap((status) => levels.map((level) => Number(counts[countKey(status, level)] ?? 0))).reduce((a, b) => a + b, 0);
  }
}

export class GetUserQuery extends Query<{ user: UserView; revision: number }> {
  constructor(readonly caller: DirectoryCaller, readonly organisationId: string, readonly userId: string) {
    super();
  }
}

/** One user, from their stream (so the ETag is the stream revision an If-Match is checked against). */
@QueryHandler(GetUserQuery)
export class GetUserHandler implements IQueryHandler<GetUserQuery> {
  constructor(private readonly directory: DirectoryAccess) {}

  async execute({ caller, organisationId, userId }: GetUserQuery) {
    directoryReadPolicy.getUser(caller, { organisationId, userId });
    const { state, revision, createdAt, updatedAt } = await this.directory.user(userId);
    if (!state || state.organisationId !== organisationId) throw new NotFoundError('user-not-found', 'No such user in this organisation.');
    const rights = currentRights(state);
    return {
      revision,
      user: {
        id: state.userId,
        organisationId: state.organisationId,
        firstName: state.firstName,
        lastName: state.lastName,
        email: state.email,
        clinician: state.clinician,
        permissionLevel: rights.permissionLevel,
        spoc: rights.spoc,
        professional: rights.professional,
        status: state.status,
        createdAt: createdAt!,
        updatedAt: updatedAt!,
      },
    };
  }
}

export interface MeView {
  user: { id: string; firstName: string; lastName: string; email: string } | null;
  organisation: { id: string; name: string } | null;
  permissionLevel: string | null;
  capabilities: readonly Capability[];
  clinician: boolean;
  spoc: boolean;
  professional: boolean;
  status: 'active' | 'deactivated' | null;
  roles: readonly string[];
}

export class MeQuery extends Query<MeView> {
  constructor(readonly caller: DirectoryCaller, readonly email: string) {
    super();
  }
}

/** The caller as effective for this token: rights as of its `iat`, clinician status as of now. */
@QueryHandler(MeQuery)
export class MeHandler implements IQueryHandler<MeQuery> {
  constructor(private readonly directory: DirectoryAccess) {}

  async execute({ caller, email }: MeQuery): Promise<MeView> {
    directoryReadPolicy.me(caller);
    const { user, rights } = caller;
    if (!user || !rights) {
      return { user: null, organisation: null, permissionLevel: null, capabilities: [], clinician: false, spoc: false, professional: false, status: null, roles: caller.platformRoles };
    }
    const organisation = await this.directory.organisation(user.organisationId);
    return {
      user: { id: user.userId, firstName: user.firstName, lastName: user.lastName, email: user.email ?? email },
      organisation: { id: user.organisationId, name: organisation.status === 'registered' ? organisation.name : '' },
      permissionLevel: rights.permissionLevel,
      capabilities: capabilitiesOf(rights.permissionLevel),
      clinician: user.clinician,
      spoc: rights.spoc,
      professional: rights.professional,
      status: user.status,
      roles: caller.platformRoles,
    };
  }
}
