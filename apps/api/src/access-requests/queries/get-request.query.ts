import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { NotFoundError, fold } from '@access-ledger/core';
import { ExistingRequest, RequestReader, accessRequestDecider, requestReadPolicy, requestStream } from '@access-ledger/access-requests';
import { EventStore } from '@access-ledger/event-store';
import { EVENT_STORE } from '@access-ledger/platform';
import { actionsFor } from './overview-rows';

export class GetRequestQuery extends Query<{ request: Record<string, unknown>; revision: number }> {
  constructor(readonly caller: RequestReader, readonly requestId: string) {
    super();
  }
}

/** One request from its stream, with its version; for the requester, SPOCs of its organisation, and auditors. */
@QueryHandler(GetRequestQuery)
export class GetRequestHandler implements IQueryHandler<GetRequestQuery> {
  constructor(@Inject(EVENT_STORE) private readonly events: EventStore) {}

  async execute({ caller, requestId }: GetRequestQuery) {
    const recorded = await this.events.readStream(requestStream(requestId));
    const state = fold(accessRequestDecider, recorded);
    if (state.status === 'none') throw new NotFoundError('request-not-found', 'No such request.');
    const request = state as ExistingRequest;
    requestReadPolicy.getRequest(caller, request);
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
        completedAt: request.completedAt,
        provisioning: request.provisioning,
        decision: request.decision && { by: request.decision.by, reason: request.decision.reason, comment: request.decision.comment },
        actions: caller.spocOf === request.organisationId ? actionsFor(request.status) : [],
      },
    };
  }
}
