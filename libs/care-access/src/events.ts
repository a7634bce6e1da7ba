import { deriveId } from '@access-ledger/core';

/**
 * The events of care access: who may see whose results. Two kinds of stream:
 * - `workflow-<workflowId>`: the workflow, its settings and the professionals added to it up
 *   front (option 1, with their days and reason);
 * - `participant-<participantKey>`: everything about one participant (the token's `sub`) in
 *   every workflow: enrolments, consent answers, assignments, grants, withdrawals, expiries and
 *   every request for their results. It is the consistency boundary of a participant's consent:
 *   a results request and a withdrawal are appended to it with its expected revision, so one of
 *   them is decided on the other's outcome.
 * The `sub` stays out of the stream name (a derived key instead); personal data is in `data` only.
 */
export const workflowStream = (workflowId: string) => `workflow-${workflowId}`;
export const participantKey = (participantId: string) => deriveId('participant', participantId);
export const participantStream = (participantId: string) => `participant-${participantKey(participantId)}`;

/** A directory user with the `professional` designation, by user id, with the name shown to participants. */
export type ProfessionalRef = { readonly id: string; readonly name: string };
/** A participant: the token's `sub`, and the e-mail address and name it carried when they enrolled. */
export type ParticipantRef = { readonly id: string; readonly email: string; readonly name: string | null };

/**
 * Why a professional may see a participant's results:
 * - `prior_consent`: option 1, the participant accepted the prompt for a professional added to the workflow;
 * - `append_consent`: option 2, assigned to a participant who allowed appending professionals when enrolling;
 * - `mail_consent`: option 2, assigned to a participant who had not, and who then accepted the request.
 */
export const GRANT_BASES = ['prior_consent', 'append_consent', 'mail_consent'] as const;
export type GrantBasis = (typeof GRANT_BASES)[number];

/** Why a results request was refused; the answer's problem type is `no-consent` for every one of them. */
export const REFUSALS = [
  'no_consent',
  'consent_declined',
  'consent_pending',
  'consent_withdrawn',
  'access_expired',
  'professional_deactivated',
  'not_a_professional',
] as const;
export type Refusal = (typeof REFUSALS)[number];

export const RESULTS_DECISIONS = ['granted', 'refused'] as const;
export const ASSIGNMENT_STATUSES_AT_ASSIGNMENT = ['active', 'pending_consent'] as const;

// ---- Workflow stream ------------------------------------------------------------------
type InWorkflow = { workflowId: string; organisationId: string };

export type WorkflowCreated = {
  type: 'WorkflowCreated';
  data: InWorkflow & { name: string; project: string | null; allowAppendProfessionals: boolean; createdAt: string };
};
export type WorkflowSettingsChanged = {
  type: 'WorkflowSettingsChanged';
  data: InWorkflow & { allowAppendProfessionals: boolean; changedAt: string };
};
/** Option 1: every participant is asked, once, whether this professional may see their results for `days` from their acceptance. */
export type ProfessionalAddedToWorkflow = {
  type: 'ProfessionalAddedToWorkflow';
  data: InWorkflow & { professional: ProfessionalRef; days: number; reason: string; addedAt: string };
};
export type WorkflowEvent = WorkflowCreated | WorkflowSettingsChanged | ProfessionalAddedToWorkflow;

// ---- Participant stream ---------------------------------------------------------------
type OfParticipant = InWorkflow & { participantId: string };

/** `appendConsentAsked`: the workflow allowed appending professionals, so the prompt asked; `appendConsent` is the answer (false when not asked). */
export type ParticipantEnrolled = {
  type: 'ParticipantEnrolled';
  data: InWorkflow & { participant: ParticipantRef; appendConsentAsked: boolean; appendConsent: boolean; enrolledAt: string };
};
/**
 * The participant accepted: `grantId` may see their results in the workflow from `from` until
 * `until`. Option 1 (`prior_consent`, `assignmentId` null): `until` is the acceptance plus the
 * professional's days. Option 2 by mail (`mail_consent`): the assignment's end date.
 */
export type ConsentGiven = {
  type: 'ConsentGiven';
  data: OfParticipant & {
    grantId: string;
    participant: ParticipantRef;
    professional: ProfessionalRef;
    basis: 'prior_consent' | 'mail_consent';
    assignmentId: string | null;
    reason: string;
    from: string;
    until: string;
    givenAt: string;
  };
};
/** The participant declined the prompt (option 1, `assignmentId` null) or the assignment's request (option 2); nothing is granted. */
export type ConsentDeclined = {
  type: 'ConsentDeclined';
  data: OfParticipant & { professionalId: string; assignmentId: string | null; declinedAt: string };
};
/**
 * Option 2: an administrator linked a professional to an enrolled participant until `endDate`.
 * `active` (with `grantId`) when the participant allowed appending professionals; otherwise
 * `pending_consent` (`grantId` null), and ConsentRequested follows.
 */
export type ProfessionalAssigned = {
  type: 'ProfessionalAssigned';
  data: OfParticipant & {
    assignmentId: string;
    participant: ParticipantRef;
    professional: ProfessionalRef;
    endDate: string;
    reason: string;
    status: 'active' | 'pending_consent';
    grantId: string | null;
    assignedAt: string;
  };
};
/** What the mail asking the participant needs: to whom, about whom and which workflow, why, until when, and where to answer (`consentPath`, relative to the service). */
export type ConsentRequested = {
  type: 'ConsentRequested';
  data: OfParticipant & {
    assignmentId: string;
    participant: ParticipantRef;
    workflowName: string;
    professional: ProfessionalRef;
    endDate: string;
    reason: string;
    consentPath: string;
    requestedAt: string;
  };
};
export type ConsentWithdrawn = {
  type: 'ConsentWithdrawn';
  data: OfParticipant & { grantId: string; professionalId: string; withdrawnAt: string };
};
/** Recorded by the expiry reactor once `until` has passed; access ended at `until` whether or not this is recorded yet. */
export type AccessExpired = {
  type: 'AccessExpired';
  data: OfParticipant & { grantId: string; professionalId: string; until: string; recordedAt: string };
};
/**
 * Someone asked for the participant's results in the workflow, and the answer. Granted: the
 * grant (`grantId`), the revision of the participant's stream that holds it as it stood
 * (`grantVersion`), its basis and `until`. Refused: why (`refusal`), and the grant it concerned
 * when there was one. `professionalId` is the asker's directory user id (null when they are
 * none); who they are is the event's actor.
 */
export type ResultsAccessRequested = {
  type: 'ResultsAccessRequested';
  data: OfParticipant & {
    professionalId: string | null;
    decision: 'granted' | 'refused';
    basis: GrantBasis | null;
    grantId: string | null;
    grantVersion: number | null;
    until: string | null;
    refusal: Refusal | null;
    /** The participant stream's revision the decision was taken on. */
    decidedOnRevision: number;
    requestedAt: string;
  };
};
export type ParticipantEvent =
  | ParticipantEnrolled
  | ConsentGiven
  | ConsentDeclined
  | ProfessionalAssigned
  | ConsentRequested
  | ConsentWithdrawn
  | AccessExpired
  | ResultsAccessRequested;

export type CareAccessEvent = WorkflowEvent | ParticipantEvent;
