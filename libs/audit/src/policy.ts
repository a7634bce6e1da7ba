import { ForbiddenError } from '@access-ledger/core';

/** The reader as the audit context needs them (as effective for their token). */
export interface AuditReader {
  /** The token's `sub`. */
  readonly id: string;
  readonly email: string;
  readonly auditor: boolean;
  /** The organisation they are an active lead administrator of, if any. */
  readonly leadAdministratorOf: string | null;
}

/**
 * Who reads the audit history: auditors everything, across organisations; a lead administrator
 * the timelines of their own organisation's entities; a participant their own participant
 * timeline. Every rule throws a ForbiddenError with a stable code, or returns.
 */
export const auditReadPolicy = {
  /** Everything auditors only read: raw streams, exports, states as of a moment, who could see what, FHIR. */
  auditorOnly(reader: AuditReader): void {
    if (!reader.auditor) throw new ForbiddenError('not-an-auditor', 'Only auditors read this.');
  },

  /**
   * Asked before an organisation's entity is looked up: only auditors and lead administrators
   * read such timelines at all, so nobody else learns whether the entity exists (403, not 404).
   */
  someOrganisationTimeline(reader: AuditReader): void {
    if (reader.auditor || reader.leadAdministratorOf !== null) return;
    throw new ForbiddenError('not-allowed', 'Only auditors, and lead administrators of the organisation, read this timeline.');
  },

  /** An entity's timeline: auditors; a lead administrator of the entity's organisation. */
  organisationTimeline(reader: AuditReader, organisationId: string | null): void {
    if (reader.auditor) return;
    if (organisationId !== null && reader.leadAdministratorOf === organisationId) return;
    throw new ForbiddenError('not-allowed', 'Only auditors, and lead administrators of the organisation, read this timeline.');
  },

  /** A participant's timeline: auditors, and the participant themself. */
  participantTimeline(reader: AuditReader, participantId: string): void {
    if (reader.auditor || reader.id === participantId) return;
    throw new ForbiddenError('not-allowed', 'Only auditors, and the participant themself, read this timeline.');
  },
};
