import { Recorded } from '@access-ledger/core';
import type { Projection } from '@access-ledger/read-store';
import { AccessExpired, ConsentGiven, ConsentWithdrawn, GrantBasis, ProfessionalAssigned, participantEvents } from '@access-ledger/care-access';

/**
 * One grant: a professional may see a participant's results in one workflow from `from` until
 * `until`. `status` is as recorded (`active` until ConsentWithdrawn or AccessExpired is
 * recorded); a grant past its `until` has ended whether or not AccessExpired is recorded yet, so
 * whoever asks "may they see it now" compares `until` with the time too.
 */
export interface CareGrant extends Record<string, unknown> {
  /** The grant's id. */
  id: string;
  /** The participant's `sub`. */
  participantId: string;
  participantEmail: string;
  participantName: string | null;
  workflowId: string;
  organisationId: string;
  professionalId: string;
  professionalName: string;
  basis: GrantBasis;
  /** The option-2 assignment it came from; null for a prompt accepted (option 1). */
  assignmentId: string | null;
  reason: string;
  from: string;
  until: string;
  status: 'active' | 'withdrawn' | 'expired';
  /** When it ended: the withdrawal, or `until` for an expiry; null while active. */
  endedAt: string | null;
  updatedAt: string;
}

/** The read model's name (checkpoint, rebuild) is its collection's name. */
export const CARE_GRANTS = 'care_grants';

type GrantEvent = ConsentGiven | ProfessionalAssigned | ConsentWithdrawn | AccessExpired;
/** The participant stream's events that make or end a grant. */
const grantEvents = participantEvents.only<GrantEvent['type']>('care grant events', ['ConsentGiven', 'ProfessionalAssigned', 'ConsentWithdrawn', 'AccessExpired']);

/** An assignment makes a grant only when it is active at once (it carries the grant's id); a pending one waits for ConsentGiven. */
const grantIdOf = (event: Recorded<GrantEvent>): string | null => (event.type === 'ProfessionalAssigned' ? (event.data.status === 'active' ? event.data.grantId : null) : event.data.grantId);

const evolve = (doc: CareGrant | null, event: Recorded<GrantEvent>): CareGrant | null => {
  const updatedAt = event.metadata.occurredAt;
  switch (event.type) {
    case 'ConsentGiven':
    case 'ProfessionalAssigned': {
      // A grant is made by one event: delivered again, it never resets what followed.
      const id = grantIdOf(event);
      if (doc !== null || id === null) return doc;
      const d = event.data;
      const terms: Pick<CareGrant, 'basis' | 'from' | 'until'> =
        event.type === 'ConsentGiven'
          ? { basis: event.data.basis, from: event.data.from, until: event.data.until }
          : { basis: 'append_consent', from: event.data.assignedAt, until: event.data.endDate };
      return {
        id,
        participantId: d.participantId,
        participantEmail: d.participant.email,
        participantName: d.participant.name,
        workflowId: d.workflowId,
        organisationId: d.organisationId,
        professionalId: d.professional.id,
        professionalName: d.professional.name,
        basis: terms.basis,
        assignmentId: d.assignmentId,
        reason: d.reason,
        from: terms.from,
        until: terms.until,
        status: 'active',
        endedAt: null,
        updatedAt,
      };
    }
    case 'ConsentWithdrawn':
      return doc === null ? null : { ...doc, status: 'withdrawn', endedAt: event.data.withdrawnAt, updatedAt };
    case 'AccessExpired':
      return doc === null ? null : { ...doc, status: 'expired', endedAt: event.data.until, updatedAt };
    default:
      return doc;
  }
};

/**
 * Every grant of every participant: who may see whose results, on what basis, until when. The
 * expiry sweeper reads the active ones by `until`; professionals' and participants' views read
 * theirs by status and `until` or `from`.
 */
export const careGrantsProjection: Projection<CareGrant, GrantEvent> = {
  name: CARE_GRANTS,
  collection: {
    name: CARE_GRANTS,
    fields: ['participantId', 'professionalId', 'workflowId', 'organisationId', 'status', 'until', 'from', 'updatedAt'],
    indexes: [
      ['status', 'until'],
      ['professionalId', 'status', 'until'],
      ['professionalId', 'workflowId', 'status', 'until'],
      ['participantId', 'status', 'until'],
      ['participantId', 'from'],
    ],
  },
  handles: grantEvents.types,
  parse: grantEvents.parse,
  documentId: grantIdOf,
  evolve,
};
