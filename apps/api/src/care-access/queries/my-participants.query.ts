import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { CareCaller, GrantBasis, careReadPolicy, untilReached } from '@access-ledger/care-access';
import { ReadStore } from '@access-ledger/read-store';
import { CARE_GRANTS, CareGrant } from '@access-ledger/projections';
import { PageView, pageView, pagingOf, READ_STORE, readPage, TOTAL_COUNT_LIMIT } from '@access-ledger/platform';
import { MyParticipantsQueryDto } from './my-participants.dto';

export interface MyParticipantItem {
  grantId: string;
  participantId: string;
  email: string;
  name: string | null;
  workflowId: string;
  basis: GrantBasis;
  from: string;
  until: string;
}

export class MyParticipantsQuery extends Query<PageView<MyParticipantItem>> {
  constructor(readonly caller: CareCaller, readonly filter: MyParticipantsQueryDto, readonly now: string) {
    super();
  }
}

/**
 * The participants whose results the calling professional may see now: one item per grant of
 * theirs recorded active whose `until` is after the request's time, longest-lasting first.
 */
@QueryHandler(MyParticipantsQuery)
export class MyParticipantsHandler implements IQueryHandler<MyParticipantsQuery> {
  constructor(@Inject(READ_STORE) private readonly reads: ReadStore) {}

  async execute({ caller, filter, now }: MyParticipantsQuery): Promise<PageView<MyParticipantItem>> {
    const { professionalId } = careReadPolicy.myParticipants(caller);
    const workflowId = filter.workflowId ?? null;
    const scope = { list: 'my-participants', professionalId, workflowId };
    const paging = pagingOf(filter, scope);
    const page = await readPage(() =>
      this.reads.find<CareGrant>(CARE_GRANTS, {
        where: { professionalId, ...(workflowId ? { workflowId } : {}), status: 'active' },
        sort: [{ field: 'until', direction: 'desc' }],
        page: paging.page,
        pageSize: paging.pageSize,
        after: paging.after,
        countLimit: TOTAL_COUNT_LIMIT,
      }),
    );
    // Access ends at `until` whether or not the expiry is recorded yet. In this order the grants
    // past it are the last ones: once one is on the page, nothing after it is still active.
    const current = page.items.filter((grant) => !untilReached(grant.until, now));
    const items = current.map((g) => ({ grantId: g.id, participantId: g.participantId, email: g.participantEmail, name: g.participantName, workflowId: g.workflowId, basis: g.basis, from: g.from, until: g.until }));
    return pageView({ ...page, next: current.length < page.items.length ? null : page.next }, paging, scope, items);
  }
}
