import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { createHash } from 'node:crypto';
import { ForbiddenError, RecordedEvent, fold, foldOnto } from '@access-ledger/core';
import {
  Caller,
  ExistingUser,
  OrganisationState,
  RightsPeriod,
  EmailReservationState,
  UserState,
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
import { LRUCache } from 'lru-cache';

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

/** How many callers (by e-mail) a process keeps folded: the least recently seen goes first. */
export const KEPT_CALLERS = 5000;

/**
 * A caller's directory streams as this process last folded them: the e-mail reservation and
 * the user it names, each with the revision of the last event folded (-1: none). Never read
 * without first reading the events after these revisions: it is where folding resumes, not an
 * answer.
 */
interface KeptCaller {
  readonly reservation: EmailReservationState;
  readonly reservationRevision: number;
  readonly user: UserState;
  readonly userRevision: number;
}

const NOTHING_FOLDED = -1;
const lastRevision = (recorded: readonly RecordedEvent[], before: number) => recorded.at(-1)?.revision ?? before;

/**
 * Reads the directory's own streams (strongly consistent) to know who a caller is, and
 * refuses deactivated users on every authenticated call.
 */
@Injectable()
export class DirectoryAccess implements PrincipalCheck {
  /** Folded directory streams by e-mail hash; the least recently seen goes beyond KEPT_CALLERS. */
  private readonly kept = new LRUCache<string, KeptCaller>({ max: KEPT_CALLERS });

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

  /**
   * The user this e-mail address is reserved for, as their streams stand now: the states kept
   * from the caller's last request carried on by the events appended since (by any process on
   * the store), so a deactivation is refused on the very next request and an unchanged caller
   * costs two reads that find nothing, not two folds from the start.
   */
  async userByEmail(email: string): Promise<ExistingUser | null> {
    const key = emailHash(email);
    const kept = this.kept.get(key);
    const reservationEvents = await this.events.readStream(emailReservationStream(key), { fromRevision: (kept?.reservationRevision ?? NOTHING_FOLDED) + 1 });
    const reservation = foldOnto(emailReservationDecider, kept?.reservation ?? emailReservationDecider.initialState(), reservationEvents);
    const reservationRevision = lastRevision(reservationEvents, kept?.reservationRevision ?? NOTHING_FOLDED);
    if (reservation.status !== 'reserved') {
      this.keep(key, { reservation, reservationRevision, user: userDecider.initialState(), userRevision: NOTHING_FOLDED });
      return null;
    }
    // The reservation may have passed to another user (an orphaned one is taken over): their stream is folded from its start.
    const sameUser = kept?.reservation.status === 'reserved' && kept.reservation.userId === reservation.userId;
    const from = sameUser ? kept : undefined;
    const userEvents = await this.events.readStream(userStream(reservation.userId), { fromRevision: (from?.userRevision ?? NOTHING_FOLDED) + 1 });
    const user = foldOnto(userDecider, from?.user ?? userDecider.initialState(), userEvents);
    this.keep(key, { reservation, reservationRevision, user, userRevision: lastRevision(userEvents, from?.userRevision ?? NOTHING_FOLDED) });
    return user.status === 'none' ? null : user;
  }

  /** Keeps `next` as the most recently seen caller, unless a concurrent request already kept a later fold. */
  private keep(key: string, next: KeptCaller) {
    const kept = this.kept.get(key);
    if (kept && kept.reservationRevision > next.reservationRevision) return;
    if (kept && kept.reservationRevision === next.reservationRevision && kept.userRevision > next.userRevision) return;
    this.kept.set(key, next);
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
