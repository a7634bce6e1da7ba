import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { ForbiddenError, NotFoundError, fold, ofType } from '@access-ledger/core';
import { ExistingRequest, REQUEST_STATUSES, RequestCaller, RequestStatus, accessRequestDecider, accessRequestEvents, isOpen, requestStream } from '@access-ledger/access-requests';
import { EventStore } from '@access-ledger/event-store';
import { FindQuery, ReadStore, SortKey } from '@access-ledger/read-store';
import { OverviewCounts, OverviewRow, StatusCounts, spocOverviewCountsProjection, spocOverviewProjection } from '@access-ledger/projections';
import { EVENT_STORE, PageView, pageView, pagingOf, READ_STORE, readPage, TOTAL_COUNT_LIMIT } from '@access-ledger/platform';
import { OverviewQueryDto } from './access-requests.dto';

export type Action = 'approve' | 'reject';
export type OverviewItem = Pick<OverviewRow, 'id' | 'requester' | 'application' | 'status' | 'createdAt' | 'updatedAt' | 'completedAt' | 'provisioning'> & {
  actions: Action[];
};
export interface OverviewPage extends PageView<OverviewItem> {
  counts: StatusCounts;
}

const actionsFor = (status: OverviewRow['status']): Action[] => (isOpen(status) ? ['approve', 'reject'] : []);
const toItem = (row: OverviewRow): OverviewItem => ({
  id: row.id,
  requester: row.requester,
  application: row.application,
  status: row.status,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
  completedAt: row.completedAt,
  provisioning: row.provisioning,
  actions: actionsFor(row.status),
});

const SORT_KEYS: Record<string, SortKey[]> = {
  updatedAt: [{ field: 'updatedAt', direction: 'asc' }],
  createdAt: [{ field: 'createdAt', direction: 'asc' }],
  requester: [{ field: 'requesterLabel', direction: 'asc' }],
  application: [{ field: 'application', direction: 'asc' }],
};
const sortOf = (sort = '-updatedAt'): SortKey[] => {
  const descending = sort.startsWith('-');
  return SORT_KEYS[sort.replace(/^-/, '')].map((key, i) => (i === 0 && descending ? { ...key, direction: key.direction === 'asc' ? 'desc' : 'asc' } : key));
};

const zeroCounts = (): StatusCounts => ({ created: 0, approval_requested: 0, approved_rae: 0, rejected: 0, withdrawn: 0 });

export class OverviewQuery extends Query<OverviewPage> {
  constructor(readonly caller: RequestCaller & { auditor: boolean }, readonly organisationId: string, readonly filter: OverviewQueryDto) {
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
    if (caller.spocOf !== organisationId && !caller.auditor) {
      throw new ForbiddenError('not-a-spoc', 'Only single points of contact (SPOCs) of this organisation see its requests.');
    }
    const stored = await this.reads.get<OverviewCounts>(spocOverviewCountsProjection.collection.name, organisationId);
    const counts = { ...zeroCounts(), ...(stored ? pickCounts(stored) : {}) };
    const statuses = filter.status && filter.status.length > 0 ? [...new Set(filter.status)].sort() : null;
    const where: FindQuery['where'] = { organisationId, ...(statuses ? { status: { in: statuses } } : {}) };
    const q = filter.q || null;
    const sort = filter.sort ?? '-updatedAt';
    const scope = { list: 'overview', organisationId, status: statuses, q, sort };
    const paging = pagingOf(filter, scope);
    const page = await readPage(() =>
      this.reads.find<OverviewRow>(spocOverviewProjection.collection.name, {
        where,
        search: q ? { fields: ['requesterEmail', 'requesterName', 'application'], prefix: q } : undefined,
        sort: sortOf(sort),
        page: paging.page,
        pageSize: paging.pageSize,
        after: paging.after,
        skipTotal: !q,
        countLimit: TOTAL_COUNT_LIMIT,
      }),
    );
    const counted: readonly RequestStatus[] = statuses ?? REQUEST_STATUSES;
    const items = page.items.map(toItem);
    const view = q ? pageView(page, paging, scope, items) : pageView(page, paging, scope, items, counted.reduce((sum: number, status) => sum + counts[status], 0), false);
    return { ...view, counts };
  }
}

const pickCounts = (doc: OverviewCounts): StatusCounts =>
  Object.fromEntries(REQUEST_STATUSES.map((s) => [s, typeof doc[s] === 'number' ? doc[s] : 0])) as StatusCounts;

export class MyRequestsQuery extends Query<PageView<OverviewItem>> {
  constructor(readonly requesterId: string, readonly filter: OverviewQueryDto) {
    super();
  }
}

@QueryHandler(MyRequestsQuery)
export class MyRequestsHandler implements IQueryHandler<MyRequestsQuery> {
  constructor(@Inject(READ_STORE) private readonly reads: ReadStore) {}

  async execute({ requesterId, filter }: MyRequestsQuery): Promise<PageView<OverviewItem>> {
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
        countLimit: TOTAL_COUNT_LIMIT,
      }),
    );
    // The requester acts by withdrawing, not deciding: no SPOC actions in their own list.
    return pageView(page, paging, scope, page.items.map((row) => ({ ...toItem(row), actions: [] })));
  }
}

export class GetRequestQuery extends Query<{ request: Record<string, unknown>; revision: number }> {
  constructor(readonly caller: RequestCaller & { auditor: boolean }, readonly requestId: string) {
    super();
  }
}

/** One request from its stream, with its version; for the requester, SPOCs of its organisation, and auditors. */
@QueryHandler(GetRequestQuery)
export class GetRequestHandler implements IQueryHandler<GetRequestQuery> {
  constructor(@Inject(EVENT_STORE) private readonly events: EventStore) {}

  async execute({ caller, requestId }: GetRequestQuery) {
    const recorded = (await this.events.readStream(requestStream(requestId))).map(accessRequestEvents.parse);
    const state = fold(accessRequestDecider, recorded);
    if (state.status === 'none') throw new NotFoundError('request-not-found', 'No such request.');
    const request = state as ExistingRequest;
    if (caller.id !== request.requester.id && caller.spocOf !== request.organisationId && !caller.auditor) {
      throw new ForbiddenError('not-allowed', 'Only the requester, SPOCs of the organisation and auditors see a request.');
    }
    const completed = recorded.find((e) => ['RequestApproved', 'RequestRejected', 'RequestWithdrawn'].includes(e.type));
    const rejection = recorded.find(ofType('RequestRejected'));
    const approval = recorded.find(ofType('RequestApproved'));
    return {
      revision: recorded.length - 1,
      request: {
        id: request.requestId,
        organisationId: request.organisationId,
        requester: request.requester,
        application: request.application,
        justification: request.justification,
        status: request.status,
        createdAt: recorded[0].metadata.occurredAt,
        updatedAt: recorded[recorded.length - 1].metadata.occurredAt,
        completedAt: completed?.metadata.occurredAt ?? null,
        provisioning: request.status === 'approved_rae' ? 'pending' : null,
        decision: completed
          ? {
              by: { id: completed.metadata.actor.id, email: completed.metadata.actor.email },
              reason: rejection ? rejection.data.reason : null,
              comment: approval ? approval.data.comment : null,
            }
          : null,
        actions: caller.spocOf === request.organisationId ? actionsFor(request.status) : [],
      },
    };
  }
}
