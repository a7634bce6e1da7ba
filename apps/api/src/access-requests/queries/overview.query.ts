import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { REQUEST_STATUSES, RequestReader, RequestStatus, requestReadPolicy } from '@access-ledger/access-requests';
import { FindQuery, ReadStore } from '@access-ledger/read-store';
import { OverviewCounts, OverviewRow, StatusCounts, spocOverviewCountsProjection, spocOverviewProjection, statusCountsOf } from '@access-ledger/projections';
import { PageView, pageView, pagingOf, READ_STORE, readPage, SEARCH_TOTAL_LIMIT } from '@access-ledger/platform';
import { OverviewQueryDto } from './overview.dto';
import { OverviewItem, sortOf, toItem } from './overview-rows';

export interface OverviewPage extends PageView<OverviewItem> {
  counts: StatusCounts;
}

export class OverviewQuery extends Query<OverviewPage> {
  constructor(readonly caller: RequestReader, readonly organisationId: string, readonly filter: OverviewQueryDto) {
    super();
  }
}

/**
 * The SPOC overview table. Counts (and the total, when there is no search) come from the
 * per-organisation counters, so a page costs one indexed range read however many requests
 * the organisation has.
 */
@QueryHandler(OverviewQuery)
export class OverviewHandler implements IQueryHandler<OverviewQuery> {
  constructor(@Inject(READ_STORE) private readonly reads: ReadStore) {}

  async execute({ caller, organisationId, filter }: OverviewQuery): Promise<OverviewPage> {
    requestReadPolicy.overview(caller, organisationId);
    const stored = await this.reads.get<OverviewCounts>(spocOverviewCountsProjection.collection.name, organisationId);
    const counts = statusCountsOf(stored);
    const statuses = filter.status && filter.status.length > 0 ? [...new Set(filter.status)].sort() : null;
    const where: FindQuery['where'] = { organisationId, ...(statuses ? { status: { in: statuses } } : {}) };
    const q = filter.q || null;
    const sort = filter.sort ?? '-updatedAt';
    const scope = { list: 'overview', organisationId, status: statuses, q, sort };
    const paging = pagingOf(filter, scope);
    const page = await readPage(() =>
      this.reads.find<OverviewRow>(spocOverviewProjection.collection.name, {
        where,
        // The label is the name, else the e-mail (also searched): searching it is searching the name, and
        // it is what `sort=requester` sorts by, so such a search reads its matches in order from one index range.
        search: q ? { fields: ['requesterEmail', 'requesterLabel', 'application'], prefix: q } : undefined,
        sort: sortOf(sort),
        page: paging.page,
        pageSize: paging.pageSize,
        after: paging.after,
        skipTotal: !q,
        countLimit: SEARCH_TOTAL_LIMIT,
      }),
    );
    const counted: readonly RequestStatus[] = statuses ?? REQUEST_STATUSES;
    const items = page.items.map(toItem);
    const view = q ? pageView(page, paging, scope, items) : pageView(page, paging, scope, items, counted.reduce((sum: number, status) => sum + counts[status], 0), false);
    return { ...view, counts };
  }
}

