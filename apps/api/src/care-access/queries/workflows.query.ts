import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { CareCaller, careReadPolicy } from '@access-ledger/care-access';
import { ReadStore } from '@access-ledger/read-store';
import { CARE_WORKFLOWS, CareWorkflowRow } from '@access-ledger/projections';
import { PageView, pageView, pagingOf, READ_STORE, readPage, TOTAL_COUNT_LIMIT } from '@access-ledger/platform';
import { WorkflowsQueryDto } from './workflows.dto';

export type WorkflowItem = Omit<CareWorkflowRow, 'organisationId' | 'appliedPosition'>;

export class WorkflowsQuery extends Query<PageView<WorkflowItem>> {
  constructor(readonly caller: CareCaller, readonly organisationId: string, readonly filter: WorkflowsQueryDto) {
    super();
  }
}

/** An organisation's workflows with their counts of professionals and participants, from the read model. */
@QueryHandler(WorkflowsQuery)
export class WorkflowsHandler implements IQueryHandler<WorkflowsQuery> {
  constructor(@Inject(READ_STORE) private readonly reads: ReadStore) {}

  async execute({ caller, organisationId, filter }: WorkflowsQuery): Promise<PageView<WorkflowItem>> {
    careReadPolicy.organisationWorkflows(caller, organisationId);
    const sort = filter.sort ?? 'name';
    const scope = { list: 'workflows', organisationId, sort };
    const paging = pagingOf(filter, scope);
    const page = await readPage(() =>
      this.reads.find<CareWorkflowRow>(CARE_WORKFLOWS, {
        where: { organisationId },
        sort: [{ field: sort.replace(/^-/, ''), direction: sort.startsWith('-') ? 'desc' : 'asc' }],
        page: paging.page,
        pageSize: paging.pageSize,
        after: paging.after,
        countLimit: TOTAL_COUNT_LIMIT,
      }),
    );
    const items = page.items.map(({ organisationId: _org, appliedPosition: _position, ...workflow }) => workflow);
    return pageView(page, paging, scope, items);
  }
}
