import { Inject } from '@nestjs/common';
import type { Request, Response } from 'express';
import { UserCommand, userDecider, userStream } from '@access-ledger/directory';
import { EventStore, handleCommand } from '@access-ledger/event-store';
import { commandContext, etagOf, EVENT_STORE, ifMatchRevision, RequestContext } from '@access-ledger/platform';
import { DirectoryAccess, DirectoryCaller } from './directory-access';
import { LeadAdministrators } from './lead-administrators';

/** What changing an existing user (PATCH, deactivate, reactivate) shares: its target, its result, its handler. */

export interface UserChangeResult {
  readonly position: number;
  readonly revision: number;
}

export interface UserTarget {
  readonly context: RequestContext;
  readonly caller: DirectoryCaller;
  readonly organisationId: string;
  readonly userId: string;
  /** If-Match: the version the client displayed. */
  readonly expectedVersion?: number;
}

/** The caller's scope and If-Match in. */
export const userTargetOf = async (directory: DirectoryAccess, context: RequestContext, request: Request, organisationId: string, userId: string): Promise<UserTarget> => ({
  context,
  caller: await directory.callerOf(request),
  organisationId,
  userId,
  expectedVersion: ifMatchRevision(request),
});

/** The new version out as ETag, the position in the body. */
export const userChangeAnswer = (response: Response, { position, revision }: UserChangeResult) => {
  response.setHeader('ETag', etagOf(revision));
  return { position };
};

/** The handlers' common part: the caller's scope, the generic handler, the lead administrators' admission. */
export abstract class UserCommandHandler {
  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    private readonly leads: LeadAdministrators,
  ) {}

  protected async run(target: UserTarget, command: UserCommand): Promise<UserChangeResult> {
    const { context, caller, organisationId, userId, expectedVersion } = target;
    const ctx = commandContext(context, { organisationId, roles: caller.rights ? [caller.rights.permissionLevel] : [] });
    const result = await handleCommand(this.events, userDecider, userStream(userId), command, ctx, {
      expectedVersion,
      beforeAppend: this.leads.admission(organisationId, userId, ctx, false),
    });
    return { position: result.position, revision: result.revision };
  }
}
