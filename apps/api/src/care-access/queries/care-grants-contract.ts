import { GrantBasis } from '@access-ledger/care-access';

/**
 * TEMPORARY, until projections/care-grants lands on main: the care_grants read model's name and
 * the fields of its documents these queries read, as its contract states them.
 */
export const CARE_GRANTS = 'care_grants';
export type GrantRow = {
  id: string;
  participantId: string;
  participantEmail: string;
  participantName: string | null;
  workflowId: string;
  organisationId: string;
  professionalId: string;
  professionalName: string;
  basis: GrantBasis;
  assignmentId: string | null;
  reason: string;
  from: string;
  until: string;
  status: 'active' | 'withdrawn' | 'expired';
};
