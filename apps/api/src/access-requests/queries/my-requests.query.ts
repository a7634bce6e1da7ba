import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { RequestReader, requestReadPolicy } from '@access-ledger/access-requests';
import { ReadStore } from '@access-ledger/read-store';
import { OverviewRow, spocOverviewProjection } from '@access-ledger/projections';
import { PageView, pageView, pagingOf, READ_STORE, readPage, SEARCH_TOTAL_LIMIT, TOTAL_COUNT_LIMIT } from '@access-ledger/platform';
import { OverviewQueryDto } from './overview.dto';
import { OverviewItem, sortOf, toItem } from './overview-rows';

export class MyRequestsQuery extends Query<PageView<OverviewItem>> {
  constructor(readonly caller: RequestReader, readonly filter: OverviewQueryDto) {
    super();
  }
}

@QueryHandler(MyRequestsQuery)
export class MyRequestsHandler implements IQueryHandler<MyRequestsQuery> {
  constructor(@Inject(READ_STORE) private readonly reads: ReadStore) {}

  async execute({ caller, filter }: MyRequestsQuery): Promise<PageView<OverviewItem>> {
    const { requesterId } = requestReadPolicy.myRequests(caller);
    const statuses = filter.status && filter.status.length > 0 ? [...new Set(filter.status)].sort() : null;
    const q = filter.q || null;
    const sort = filter.sort ?? '-updatedAt';
    const scope = { list: 'mine', requesterId, status: statuses, q, sort };
    const paging = pagingOf(filter, scope);
    const page = await readPage(() =>
      this.reads.find<OverviewRow>(spocOverviewProjection.collection.name, {
        where: { requesterId, ...(statuses ? { status: { in: statuses } } : {}) },
        search: q ? { fields: ['application'], prefix: q } : undefined,
        sort: sortOf(sort),
        page: paging.page,
        pageSize: paging.pageSize,
        after: paging.after,
        countLimit: q ? SEARCH_TOTAL_LIMIT : TOTAL_COUNT_LIMIT,
      }),
    );
    // The requester acts by withdrawing, not deciding: no SPOC actions in their own list.
    return pageView(page, paging, scope, page.items.map((row) => ({ ...toItem(row), actions: [] })));
  }
}
