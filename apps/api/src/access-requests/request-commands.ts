import { Inject } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AccessRequestCommand, AccessRequestState, RequestCaller, RequestStatus, accessRequestDecider, requestStream } from '@access-ledger/access-requests';
import { EventStore, handleCommand } from '@access-ledger/event-store';
import { commandContext, etagOf, EVENT_STORE, ifMatchRevision, RequestContext } from '@access-ledger/platform';
import { DirectoryAccess, DirectoryCaller } from '../directory/directory-access';
import { requestCallerOf } from './request-caller';
import { Spocs } from './spocs';

/** What the access-request commands share: their result, and for the four on an existing request, target and handler. */

export interface RequestWriteResult {
  readonly id: string;
  readonly status: RequestStatus;
  readonly position: number;
  readonly revision: number;
}

export const statusOf = (state: { status: string }) => state.status as RequestStatus;

/** An existing request, and the version the client displayed (If-Match). */
export interface RequestTarget {
  readonly context: RequestContext;
  readonly caller: DirectoryCaller;
  readonly requestId: string;
  readonly expectedVersion?: number;
}

export const requestTargetOf = async (directory: DirectoryAccess, context: RequestContext, request: Request, requestId: string): Promise<RequestTarget> => ({
  context,
  caller: await directory.callerOf(request),
  requestId,
  expectedVersion: ifMatchRevision(request),
});

/** The new version out as ETag; status and position in the body. */
export const requestWriteAnswer = (response: Response, result: RequestWriteResult) => {
  response.setHeader('ETag', etagOf(result.revision));
  return { status: result.status, position: result.position };
};

type CommandFor = (caller: RequestCaller, state: AccessRequestState) => AccessRequestCommand | Promise<AccessRequestCommand>;

/** The handlers' common part for submit, approve, reject and withdraw: the caller's scope and the generic handler. */
export abstract class RequestDecisionHandler {
  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    protected readonly spocs: Spocs,
  ) {}

  protected async run({ context, caller, requestId, expectedVersion }: RequestTarget, command: CommandFor): Promise<RequestWriteResult> {
    const requestCaller = requestCallerOf(context, caller);
    const roles = requestCaller.spocOf ? ['spoc'] : [];
    const result = await handleCommand(
      this.events,
      accessRequestDecider,
      requestStream(requestId),
      async (state: AccessRequestState) => command(requestCaller, state),
      commandContext(context, { organisationId: requestCaller.spocOf, roles }),
      { expectedVersion },
    );
    return { id: requestId, status: statusOf(result.state), position: result.position, revision: result.revision };
  }
}
