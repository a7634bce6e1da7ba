import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { CareCaller, careReadPolicy } from '@access-ledger/care-access';
import { ReadStore } from '@access-ledger/read-store';
import { CARE_PARTICIPANTS, CareParticipantRow } from '@access-ledger/projections';
import { PageView, pageView, pagingOf, READ_STORE, readPage, SEARCH_TOTAL_LIMIT, TOTAL_COUNT_LIMIT } from '@access-ledger/platform';
import { CareStreams } from '../care-streams';
import { ParticipantsQueryDto } from './participants.dto';
import { ParticipantItem, candidatesOf, participantAt } from './participant-rows';

export class ParticipantsQuery extends Query<PageView<ParticipantItem>> {
  constructor(readonly caller: CareCaller, readonly organisationId: string, readonly workflowId: string, readonly filter: ParticipantsQueryDto, readonly now: string) {
    super();
  }
}

/**
 * A workflow's participants overview: each enrolled participant, append consent, and per
 * professional the link as it stands now. Rows come from the read model sorted by name (else
 * e-mail); the workflow (its option-1 professionals) from its stream.
 */
@QueryHandler(ParticipantsQuery)
export class ParticipantsHandler implements IQueryHandler<ParticipantsQuery> {
  constructor(
    @Inject(READ_STORE) private readonly reads: ReadStore,
    private readonly streams: CareStreams,
  ) {}

  async execute({ caller, organisationId, workflowId, filter, now }: ParticipantsQuery): Promise<PageView<ParticipantItem>> {
    careReadPolicy.organisationWorkflows(caller, organisationId);
    const workflow = await this.streams.existingWorkflow(workflowId, organisationId);
    const status = filter.status ?? null;
    const q = filter.q || null;
    const scope = { list: 'care-participants', workflowId, status, q };
    const paging = pagingOf(filter, scope);
    const candidates = status ? candidatesOf(status, workflow) : {};
    if (candidates === null) return { items: [], total: 0, totalIsLowerBound: false, page: paging.after ? null : (paging.page ?? 1), pageSize: paging.pageSize, nextCursor: null };
    const page = await readPage(() =>
      this.reads.find<CareParticipantRow>(CARE_PARTICIPANTS, {
        where: { workflowId, ...candidates },
        search: q ? { fields: ['participantName', 'participantEmail'], prefix: q } : undefined,
        sort: [{ field: 'participantLabel', direction: 'asc' }],
        page: paging.page,
        pageSize: paging.pageSize,
        after: paging.after,
        countLimit: q ? SEARCH_TOTAL_LIMIT : TOTAL_COUNT_LIMIT,
      }),
    );
    // A page may come out shorter than pageSize (a candidate that does not match now); nextCursor goes on.
    const items = page.items.map((row) => participantAt(row, workflow, now)).filter((item) => status === null || item.professionals.some((p) => p.status === status));
    return pageView(page, paging, scope, items);
  }
}
