import { ConflictError, ForbiddenError } from '@access-ledger/core';

/**
 * The organisation's lead administrators as a consistency boundary.
 *
 * Two rules span several users: a platform administrator adds only the *first* lead
 * administrator, and an organisation that has an active lead administrator never loses its
 * last one. Every change of a user's standing as an active lead administrator (added or
 * promoted as one, reactivated as one, demoted, deactivated) is first admitted here, in the
 * organisation's own stream, appended with its expected revision; only then is the user's
 * stream written. Of two changes racing, one is admitted first and the other is decided again
 * on a state that knows the first.
 *
 * The user streams remain the truth about each user. An admission is "pending" while its
 * user's stream has not moved past the revision it was based on (the user write is in flight,
 * or never happened because the process stopped); pending admissions are counted against the
 * rules (a pending removal is a lead already gone, a pending addition is a lead already there)
 * and stop counting after `PENDING_ADMISSION_MS`, so a crash between the two writes can
 * neither break a rule nor block an organisation for ever.
 */
export const PENDING_ADMISSION_MS = 60_000;

export const LEAD_STANDING_CAUSES = ['added', 'promoted', 'reactivated', 'demoted', 'deactivated'] as const;
export type LeadStandingCause = (typeof LEAD_STANDING_CAUSES)[number];

export type LeadAdministratorChangeAdmitted = {
  type: 'LeadAdministratorChangeAdmitted';
  data: {
    organisationId: string;
    userId: string;
    /** true: the user becomes an active lead administrator; false: stops being one. */
    activeLead: boolean;
    cause: LeadStandingCause;
    /** Revision of the user's stream this change was decided on (-1: the user is being added). */
    basedOnUserRevision: number;
    admittedAt: string;
  };
};

export interface Admission {
  readonly userId: string;
  readonly activeLead: boolean;
  readonly basedOnUserRevision: number;
  readonly admittedAt: string;
}

/** What a user's own stream says, read just before deciding. */
export interface LeadStanding {
  /** Revision of the user's stream (-1: no such stream). */
  readonly revision: number;
  readonly activeLead: boolean;
}

export type AdmitLeadAdministratorChange = {
  type: 'AdmitLeadAdministratorChange';
  userId: string;
  activeLead: boolean;
  cause: LeadStandingCause;
  basedOnUserRevision: number;
  /** A platform administrator adding a lead administrator: allowed only when the organisation has none. */
  asFirstLead: boolean;
  /** The standing of every user the organisation's admissions name, from their streams. */
  standings: Readonly<Record<string, LeadStanding>>;
  now: string;
};

const isPending = (admission: Admission, standings: Readonly<Record<string, LeadStanding>>, now: string): boolean =>
  (standings[admission.userId]?.revision ?? -1) <= admission.basedOnUserRevision &&
  Date.parse(now) - Date.parse(admission.admittedAt) < PENDING_ADMISSION_MS;

/** Users an admission ever named: whose standings the command must carry. */
export const admittedUsers = (admissions: readonly Admission[]): string[] => [...new Set(admissions.map((a) => a.userId))];

/**
 * Active lead administrators for certain: their stream says so and no pending removal is on
 * the way. Pending additions do not count (they may never be written).
 */
const certainLeads = (admissions: readonly Admission[], command: AdmitLeadAdministratorChange): string[] => {
  const pending = admissions.filter((a) => isPending(a, command.standings, command.now));
  return admittedUsers(admissions).filter(
    (userId) => command.standings[userId]?.activeLead === true && !pending.some((a) => a.userId === userId && !a.activeLead),
  );
};

/** Whether the organisation may already have a lead administrator: one on record, or one on the way. */
const mayHaveLead = (admissions: readonly Admission[], command: AdmitLeadAdministratorChange): boolean =>
  admittedUsers(admissions).some((userId) => command.standings[userId]?.activeLead === true) ||
  admissions.some((a) => a.activeLead && isPending(a, command.standings, command.now));

export const admitLeadChange = (
  organisationId: string,
  admissions: readonly Admission[],
  command: AdmitLeadAdministratorChange,
): LeadAdministratorChangeAdmitted[] => {
  if (command.activeLead && command.asFirstLead && mayHaveLead(admissions, command)) {
    throw new ForbiddenError(
      'first-lead-administrator-only',
      'Platform administrators add only the first lead administrator of an organisation; its lead administrators add everyone else.',
    );
  }
  // An organisation with no admission on record predates this boundary: there is nothing to guard with.
  if (!command.activeLead && admissions.length > 0 && certainLeads(admissions, command).every((userId) => userId === command.userId)) {
    throw new ConflictError(
      'last-lead-administrator',
      'This would leave the organisation without an active lead administrator; appoint another one first.',
    );
  }
  return [
    {
      type: 'LeadAdministratorChangeAdmitted',
      data: {
        organisationId,
        userId: command.userId,
        activeLead: command.activeLead,
        cause: command.cause,
        basedOnUserRevision: command.basedOnUserRevision,
        admittedAt: command.now,
      },
    },
  ];
};
