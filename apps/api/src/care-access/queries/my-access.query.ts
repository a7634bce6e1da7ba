import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { CareCaller, GrantBasis, Refusal, careReadPolicy, untilReached } from '@access-ledger/care-access';
import { ReadStore } from '@access-ledger/read-store';
import { CARE_GRANTS, CARE_RESULTS_REQUESTS, CARE_WORKFLOWS, CareGrant, CareResultsRequestRow, CareWorkflowRow, DIRECTORY_USERS, ManagedUser } from '@access-ledger/projections';
import { READ_STORE } from '@access-ledger/platform';

/** At most this many grants are shown (the longest-lasting first); `grantsTruncated` says when there are more. */
export const MY_ACCESS_MAX_GRANTS = 100;
/** The latest requests for the caller's results shown. */
export const MY_ACCESS_REQUESTS = 50;

type WorkflowRef = { id: string; name: string | null };

export interface MyAccessView {
  grants: {
    grantId: string;
    professional: { id: string; name: string; deactivated: boolean };
    workflow: WorkflowRef;
    organisationId: string;
    basis: GrantBasis;
    reason: string;
    from: string;
    until: string;
  }[];
  grantsTruncated: boolean;
  requests: {
    id: string;
    askedBy: string;
    professionalId: string | null;
    workflow: WorkflowRef;
    organisationId: string;
    decision: 'granted' | 'refused';
    basis: GrantBasis | null;
    refusal: Refusal | null;
    until: string | null;
    requestedAt: string;
  }[];
}

export class MyAccessQuery extends Query<MyAccessView> {
  constructor(readonly caller: CareCaller, readonly now: string) {
    super();
  }
}

/**
 * Who may see my results now, and who asked for them recently. Indexed reads only, each of a
 * bounded size: the grants (participantId, status, until), the latest requests (participantId,
 * requestedAt), then one getMany each for the professionals' directory records and the
 * workflows' names.
 */
@QueryHandler(MyAccessQuery)
export class MyAccessHandler implements IQueryHandler<MyAccessQuery> {
  constructor(@Inject(READ_STORE) private readonly reads: ReadStore) {}

  async execute({ caller, now }: MyAccessQuery): Promise<MyAccessView> {
    const { participantId } = careReadPolicy.myAccess(caller);
    const [grantPage, requestPage] = await Promise.all([
      this.reads.find<CareGrant>(CARE_GRANTS, {
        where: { participantId, status: 'active' },
        sort: [{ field: 'until', direction: 'desc' }],
        pageSize: MY_ACCESS_MAX_GRANTS,
        skipTotal: true,
      }),
      this.reads.find<CareResultsRequestRow>(CARE_RESULTS_REQUESTS, {
        where: { participantId },
        sort: [{ field: 'requestedAt', direction: 'desc' }],
        pageSize: MY_ACCESS_REQUESTS,
        skipTotal: true,
      }),
    ]);
    // Access ends at `until` whether or not the access-expiry sweeper has recorded it yet.
    const grants = grantPage.items.filter((grant) => !untilReached(grant.until, now));
    const requests = requestPage.items;
    const [professionals, workflows] = await Promise.all([
      this.reads.getMany<ManagedUser>(DIRECTORY_USERS, [...new Set(grants.map((g) => g.professionalId))]),
      this.reads.getMany<CareWorkflowRow>(CARE_WORKFLOWS, [...new Set([...grants, ...requests].map((r) => r.workflowId))]),
    ]);
    const workflow = (id: string): WorkflowRef => ({ id, name: workflows.get(id)?.name ?? null });
    return {
      grants: grants.map((g) => ({
        grantId: g.id,
        professional: { id: g.professionalId, name: g.professionalName, deactivated: professionals.get(g.professionalId)?.status === 'deactivated' },
        workflow: workflow(g.workflowId),
        organisationId: g.organisationId,
        basis: g.basis,
        reason: g.reason,
        from: g.from,
        until: g.until,
      })),
      grantsTruncated: grantPage.next !== null,
      requests: requests.map((r) => ({
        id: r.id,
        askedBy: r.askedBy,
        professionalId: r.professionalId,
        workflow: workflow(r.workflowId),
        organisationId: r.organisationId,
        decision: r.decision,
        basis: r.basis,
        refusal: r.refusal,
        until: r.until,
        requestedAt: r.requestedAt,
      })),
    };
  }
}
