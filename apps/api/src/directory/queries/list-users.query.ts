import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { PERMISSION_LEVELS, directoryReadPolicy } from '@access-ledger/directory';
import { ReadStore } from '@access-ledger/read-store';
import { ManagedUser, UserCounts, countKey, manageUsersCountsProjection, manageUsersProjection } from '@access-ledger/projections';
import { PageView, pageView, pagingOf, READ_STORE, readPage, SEARCH_TOTAL_LIMIT } from '@access-ledger/platform';
import { DirectoryCaller } from '../directory-access';
import { ListUsersQueryDto } from './list-users.dto';

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
        countLimit: SEARCH_TOTAL_LIMIT,
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
