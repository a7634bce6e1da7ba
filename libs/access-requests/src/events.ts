/** The events of an access request's stream (`request-<id>`), and the statuses they move it through. */
export const REQUEST_STATUSES = ['created', 'approval_requested', 'approved_rae', 'rejected', 'withdrawn'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];
export type ProvisioningStatus = 'pending' | 'provisioned' | 'failed';
/** What downstream account provisioning may report for an approved request (`POST /requests/:id/provisioning`). */
export const PROVISIONING_OUTCOMES = ['provisioned', 'failed'] as const;
export type ProvisioningOutcome = (typeof PROVISIONING_OUTCOMES)[number];

export const requestStream = (requestId: string) => `request-${requestId}`;

/** The person asking: identified by the token's `sub` and `email`; the name when known. */
export type Requester = {
  readonly id: string;
  readonly email: string;
  readonly name: string | null;
};

// ---- Events -------------------------------------------------------------------------
type Base = {
  requestId: string;
  organisationId: string;
};
export type RequestCreated = {
  type: 'RequestCreated';
  data: Base & { application: string; justification: string | null; requester: Requester; createdAt: string };
};
/** The moment the organisation's SPOCs are to be notified: it carries what the notice needs. */
export type ApprovalRequested = {
  type: 'ApprovalRequested';
  data: Base & { application: string; requester: Requester; previousStatus: RequestStatus; requestedAt: string };
};
/** In what capacity the decision was taken: a SPOC of the organisation, or a platform administrator standing in (see `decider`). */
export const DECIDED_AS = ['spoc', 'platform_admin'] as const;
export type DecidedAs = (typeof DECIDED_AS)[number];
/**
 * The signal for account provisioning: who gets access to which application, for which organisation.
 * Schema version 2 (with RequestRejected): `decidedAs` is always there; see the catalogue for version 1.
 */
export type RequestApproved = {
  type: 'RequestApproved';
  data: Base & { application: string; requester: Requester; comment: string | null; previousStatus: RequestStatus; decidedAs: DecidedAs; approvedAt: string };
};
export type RequestRejected = {
  type: 'RequestRejected';
  data: Base & { reason: string; previousStatus: RequestStatus; decidedAs: DecidedAs; rejectedAt: string };
};
export type RequestWithdrawn = {
  type: 'RequestWithdrawn';
  data: Base & { reason: string | null; previousStatus: RequestStatus; withdrawnAt: string };
};
/**
 * Downstream account provisioning reports what it did for an approved request: the account
 * exists, or it could not be made. `detail` is the integration's own text (or null); who
 * reported is `metadata.actor` (a token with the `integration` role).
 */
export type AccountProvisioned = {
  type: 'AccountProvisioned';
  data: Base & { detail: string | null; provisionedAt: string };
};
export type AccountProvisioningFailed = {
  type: 'AccountProvisioningFailed';
  data: Base & { detail: string | null; failedAt: string };
};
export type AccessRequestEvent =
  | RequestCreated
  | ApprovalRequested
  | RequestApproved
  | RequestRejected
  | RequestWithdrawn
  | AccountProvisioned
  | AccountProvisioningFailed;
