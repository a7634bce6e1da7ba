import { ExistingWorkflow, GrantBasis, linkAt } from '@access-ledger/care-access';
import { Condition } from '@access-ledger/read-store';
import { CareParticipantLink, CareParticipantRow } from '@access-ledger/projections';
import { ShownLinkStatus } from './participants.dto';

/** One professional of one participant as the overview shows it at the time of the request. */
export interface ShownLink {
  professionalId: string;
  name: string;
  status: ShownLinkStatus;
  until: string | null;
  basis: GrantBasis | null;
}

export interface ParticipantItem {
  participantId: string;
  email: string;
  name: string | null;
  enrolledAt: string;
  appendConsentAsked: boolean;
  appendConsent: boolean;
  professionals: ShownLink[];
}

const recordedAt = (link: CareParticipantLink, workflowId: string, now: string) =>
  linkAt({ workflowId, professional: { id: link.professionalId, name: link.professionalName }, status: link.status, grantId: link.grantId, assignmentId: link.assignmentId, until: link.until, refusedBefore: false }, now)
    .status;

/**
 * The row at `now`: each recorded link (an active one past its `until` as expired), then each
 * option-1 professional of the workflow the participant has neither answered nor has a link with,
 * as prompted. A link's name comes from its events, else from the workflow.
 */
export const participantAt = (row: CareParticipantRow, workflow: ExistingWorkflow, now: string): ParticipantItem => {
  const names = new Map(workflow.professionals.map((p) => [p.professional.id, p.professional.name]));
  const linked = new Set(row.links.map((link) => link.professionalId));
  const recorded: ShownLink[] = row.links.map((link) => ({
    professionalId: link.professionalId,
    name: link.professionalName || (names.get(link.professionalId) ?? ''),
    status: recordedAt(link, workflow.workflowId, now),
    until: link.until,
    basis: link.basis,
  }));
  const prompted: ShownLink[] = workflow.professionals
    .filter((p) => !row.answeredPrompts.includes(p.professional.id) && !linked.has(p.professional.id))
    .map((p) => ({ professionalId: p.professional.id, name: p.professional.name, status: 'prompted', until: null, basis: null }));
  return {
    participantId: row.participantId,
    email: row.participantEmail,
    name: row.participantName,
    enrolledAt: row.enrolledAt,
    appendConsentAsked: row.appendConsentAsked,
    appendConsent: row.appendConsent,
    professionals: [...recorded, ...prompted],
  };
};

/**
 * The stored condition that narrows a status filter to the rows that may match it (the page is
 * then checked at the request's time with `participantAt`), or null when none can. Exact for
 * declined and withdrawn; prompted depends on the workflow, active, pending_consent and expired
 * on the clock, so their condition admits rows the check may drop (docs/decisions.md).
 */
export const candidatesOf = (status: ShownLinkStatus, workflow: ExistingWorkflow): Readonly<Record<string, Condition>> | null => {
  switch (status) {
    case 'prompted': {
      // Fewer answers than the workflow has option-1 professionals: one value per professional.
      const n = workflow.professionals.length;
      return n === 0 ? null : { promptAnswers: { in: Array.from({ length: n }, (_, i) => i) } };
    }
    case 'active':
      return { linkActive: true };
    // An active link or an open assignment past its end is expired now, recorded or not.
    case 'expired':
      return { linkMayBeExpired: true };
    case 'declined':
      return { linkDeclined: true };
    case 'pending_consent':
      return { linkPendingConsent: true };
    case 'withdrawn':
      return { linkWithdrawn: true };
    default: {
      const unknown: never = status;
      throw new Error(`Unknown status ${String(unknown)}`);
    }
  }
};
