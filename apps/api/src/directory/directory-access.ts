import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { createHash } from 'node:crypto';
import { ForbiddenError, fold } from '@access-ledger/core';
import {
  Caller,
  ExistingUser,
  OrganisationState,
  RightsPeriod,
  emailReservationDecider,
  fullNameOf,
  emailReservationStream,
  normaliseEmail,
  organisationDecider,
  organisationStream,
  rightsForToken,
  standingRevisionOf,
  userDecider,
  userStream,
} from '@access-ledger/directory';
import { EventStore } from '@access-ledger/event-store';
import { Principal } from '@access-ledger/auth';
import { EVENT_STORE, PrincipalCheck } from '@access-ledger/platform';

/** The caller as the directory knows them, with their record and the rights their token carries. */
export interface DirectoryCaller extends Caller {
  readonly user: ExistingUser | null;
  readonly rights: RightsPeriod | null;
}

declare module 'express-serve-static-core' {
  interface Request {
    directoryCaller?: DirectoryCaller;
  }
}

/** A caller's name as other people are shown it: the token's `name` claim, else their name in the directory, else none. */
export const callerNameOf = (principal: Principal, caller: DirectoryCaller): string | null => principal.name ?? (caller.user ? fullNameOf(caller.user) : null);

export const emailHash = (email: string) => createHash('sha256').update(normaliseEmail(email)).digest('hex');

/**
 * Reads the directory's own streams (strongly consistent) to know who a caller is, and
 * refuses deactivated users on every authenticated call.
 */
@Injectable()
export class DirectoryAccess implements PrincipalCheck {
  constructor(@Inject(EVENT_STORE) private readonly events: EventStore) {}

  async check(request: Request): Promise<void> {
    const caller = await this.callerOf(request);
    if (caller.user?.status === 'deactivated') {
      throw new ForbiddenError('user-deactivated', 'Your account has been deactivated; ask a lead administrator of your organisation.');
    }
  }

  async callerOf(request: Request): Promise<DirectoryCaller> {
    if (!request.directoryCaller) request.directoryCaller = await this.resolve(request.principal!);
    return request.directoryCaller;
  }

  async resolve(principal: Principal): Promise<DirectoryCaller> {
    const user = await this.userByEmail(principal.email);
    const rights = user ? rightsForToken(user, principal.issuedAt) : null;
    return {
      userId: user?.userId ?? null,
      platformRoles: principal.roles,
      membership:
        user && rights
          ? { organisationId: user.organisationId, permissionLevel: rights.permissionLevel, spoc: rights.spoc, professional: rights.professional, active: user.status === 'active' }
          : null,
      user,
      rights,
    };
  }

  async userByEmail(email: string): Promise<ExistingUser | null> {
    const reservation = fold(emailReservationDecider, await this.events.readStream(emailReservationStream(emailHash(email))));
    if (reservation.status !== 'reserved') return null;
    const user = await this.user(reservation.userId);
    return user.state;
  }

  /**
   * The user from their stream: the state, the stream's revision (the ETag), and the revision of
   * its last event that is not downstream's account report (what lead-administrator admissions
   * compare with: a report says nothing about whether the user's own change was written).
   */
  async user(userId: string): Promise<{ state: ExistingUser | null; revision: number; standingRevision: number; createdAt?: string; updatedAt?: string }> {
    const recorded = await this.events.readStream(userStream(userId));
    const state = fold(userDecider, recorded);
    return {
      state: state.status === 'none' ? null : state,
      revision: recorded.length - 1,
      standingRevision: standingRevisionOf(recorded),
      createdAt: recorded[0]?.metadata.occurredAt,
      updatedAt: recorded.at(-1)?.metadata.occurredAt,
    };
  }

  async organisation(organisationId: string): Promise<OrganisationState> {
    return fold(organisationDecider, await this.events.readStream(organisationStream(organisationId)));
  }
}
