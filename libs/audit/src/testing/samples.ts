import { Actor, RecordedEvent, deriveId } from '@access-ledger/core';
import { AccessRequestEvent, accessRequestEvents, requestStream } from '@access-ledger/access-requests';
import { CareAccessEvent, careAccessEvents, participantStream, workflowStream } from '@access-ledger/care-access';
import { DirectoryEvent, directoryEvents, emailReservationStream, organisationStream, userStream } from '@access-ledger/directory';

/**
 * One stored event (or more) of every event type of every context, as the store gives them
 * back: for specs of what the audit context makes of recorded events. The map is complete by
 * type: an event type added to a context without a sample here does not compile.
 */
export type ContextEvent = DirectoryEvent | AccessRequestEvent | CareAccessEvent;
type Samples = { readonly [T in ContextEvent['type']]: readonly Extract<ContextEvent, { type: T }>['data'][] };

export const ORG = '0b7c1a52-4c1e-4a8e-9b51-2f1e7c3d9a01';
export const LEAD = '1d2e3f40-5a6b-4c7d-8e9f-a0b1c2d3e4f5';
export const PRO = '2a3b4c5d-6e7f-4a8b-9c0d-e1f2a3b4c5d6';
export const REQUEST = '3c4d5e6f-7a8b-4c9d-8e0f-a1b2c3d4e5f6';
export const WORKFLOW = '4e5f6a7b-8c9d-4e0f-9a1b-c2d3e4f5a6b7';
export const GRANT = '5a6b7c8d-9e0f-4a1b-8c2d-e3f4a5b6c7d8';
export const ASSIGNMENT = '6b7c8d9e-0f1a-4b2c-9d3e-f4a5b6c7d8e9';
export const PARTICIPANT = 'participant-sub|with odd chars@example';

const pia = { id: PARTICIPANT, email: 'pia@people.example', name: 'Pia Park' };
const pro = { id: PRO, name: 'Dr Pro' };
const at = '2026-05-01T09:00:00.000Z';
const until = '2026-06-01T09:00:00.000Z';
const base = { organisationId: ORG };
const inWorkflow = { ...base, workflowId: WORKFLOW };
const ofParticipant = { ...inWorkflow, participantId: PARTICIPANT };
const requester = { id: 'sub-requester', email: 'req@people.example', name: null };

export const SAMPLES: Samples = {
  OrganisationRegistered: [{ ...base, name: 'Northside', emailDomains: ['north.example'], registeredAt: at }],
  LeadAdministratorChangeAdmitted: [{ ...base, userId: LEAD, activeLead: true, cause: 'added', basedOnUserRevision: -1, admittedAt: at }],
  UserAdded: [
    { ...base, userId: LEAD, firstName: 'Lena', lastName: 'Lead', email: 'lena@north.example', clinician: false, permissionLevel: 'lead_administrator', spoc: true, professional: false, addedAt: at },
  ],
  UserPermissionLevelChanged: [{ ...base, userId: LEAD, from: 'recorder', to: 'administrator', userStatus: 'active', changedAt: at }],
  UserDesignationsChanged: [{ ...base, userId: LEAD, spoc: false, professional: true, changedAt: at }],
  UserClinicianStatusChanged: [{ ...base, userId: LEAD, clinician: true, changedAt: at }],
  UserDeactivated: [{ ...base, userId: LEAD, permissionLevel: 'recorder', reason: 'Left', deactivatedAt: at }],
  UserReactivated: [{ ...base, userId: LEAD, permissionLevel: 'recorder', reason: null, reactivatedAt: at }],
  UserAccountProvisioned: [{ ...base, userId: LEAD, detail: 'uid=lena', provisionedAt: at }],
  UserAccountDisabled: [{ ...base, userId: LEAD, detail: null, disabledAt: at }],
  UserAccountProvisioningFailed: [{ ...base, userId: LEAD, detail: 'HTTP 503', failedAt: at }],
  EmailReserved: [{ ...base, email: 'lena@north.example', userId: LEAD, reservedAt: at }],
  RequestCreated: [{ ...base, requestId: REQUEST, application: 'vaccination-recorder', justification: null, requester, createdAt: at }],
  ApprovalRequested: [{ ...base, requestId: REQUEST, application: 'vaccination-recorder', requester, previousStatus: 'created', requestedAt: at }],
  RequestApproved: [
    { ...base, requestId: REQUEST, application: 'vaccination-recorder', requester, comment: null, previousStatus: 'approval_requested', decidedAs: 'spoc', approvedAt: at },
  ],
  RequestRejected: [{ ...base, requestId: REQUEST, reason: 'No', previousStatus: 'approval_requested', decidedAs: 'platform_admin', rejectedAt: at }],
  RequestWithdrawn: [{ ...base, requestId: REQUEST, reason: null, previousStatus: 'created', withdrawnAt: at }],
  AccountProvisioned: [{ ...base, requestId: REQUEST, detail: 'account vr-1042', provisionedAt: at }],
  AccountProvisioningFailed: [{ ...base, requestId: REQUEST, detail: null, failedAt: at }],
  WorkflowCreated: [{ ...inWorkflow, name: 'Coaching', project: null, allowAppendProfessionals: true, createdAt: at }],
  WorkflowSettingsChanged: [{ ...inWorkflow, allowAppendProfessionals: false, changedAt: at }],
  ProfessionalAddedToWorkflow: [{ ...inWorkflow, professional: pro, days: 30, reason: 'Coaching sessions', addedAt: at }],
  ParticipantEnrolled: [{ ...inWorkflow, participant: pia, appendConsentAsked: true, appendConsent: true, enrolledAt: at }],
  ConsentGiven: [
    { ...ofParticipant, grantId: GRANT, participant: pia, professional: pro, basis: 'prior_consent', assignmentId: null, reason: 'Coaching', from: at, until, givenAt: at },
    { ...ofParticipant, grantId: GRANT, participant: pia, professional: pro, basis: 'mail_consent', assignmentId: ASSIGNMENT, reason: 'Follow-up', from: at, until, givenAt: at },
  ],
  ConsentDeclined: [
    { ...ofParticipant, professionalId: PRO, assignmentId: null, declinedAt: at },
    { ...ofParticipant, professionalId: PRO, assignmentId: ASSIGNMENT, declinedAt: at },
  ],
  ProfessionalAssigned: [
    { ...ofParticipant, assignmentId: ASSIGNMENT, participant: pia, professional: pro, endDate: until, reason: 'Follow-up', status: 'active', grantId: GRANT, assignedAt: at },
    { ...ofParticipant, assignmentId: ASSIGNMENT, participant: pia, professional: pro, endDate: until, reason: 'Follow-up', status: 'pending_consent', grantId: null, assignedAt: at },
  ],
  ConsentRequested: [
    { ...ofParticipant, assignmentId: ASSIGNMENT, participant: pia, workflowName: 'Coaching', professional: pro, endDate: until, reason: 'Follow-up', consentPath: `/assignments/${ASSIGNMENT}/consent`, requestedAt: at },
  ],
  ConsentWithdrawn: [{ ...ofParticipant, grantId: GRANT, professionalId: PRO, withdrawnAt: at }],
  AccessExpired: [{ ...ofParticipant, grantId: GRANT, professionalId: PRO, until, recordedAt: until }],
  ResultsAccessRequested: [
    { ...ofParticipant, professionalId: PRO, decision: 'granted', basis: 'prior_consent', grantId: GRANT, grantVersion: 3, until, refusal: null, decidedOnRevision: 5, requestedAt: at },
    { ...ofParticipant, professionalId: PRO, decision: 'refused', basis: null, grantId: GRANT, grantVersion: null, until: null, refusal: 'consent_withdrawn', decidedOnRevision: 6, requestedAt: at },
    { ...ofParticipant, professionalId: null, decision: 'refused', basis: null, grantId: null, grantVersion: null, until: null, refusal: 'not_a_professional', decidedOnRevision: 6, requestedAt: at },
  ],
};

const STREAM_OF: Readonly<Record<ContextEvent['type'], string>> = {
  OrganisationRegistered: organisationStream(ORG),
  LeadAdministratorChangeAdmitted: organisationStream(ORG),
  UserAdded: userStream(LEAD),
  UserPermissionLevelChanged: userStream(LEAD),
  UserDesignationsChanged: userStream(LEAD),
  UserClinicianStatusChanged: userStream(LEAD),
  UserDeactivated: userStream(LEAD),
  UserReactivated: userStream(LEAD),
  UserAccountProvisioned: userStream(LEAD),
  UserAccountDisabled: userStream(LEAD),
  UserAccountProvisioningFailed: userStream(LEAD),
  EmailReserved: emailReservationStream('9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'),
  RequestCreated: requestStream(REQUEST),
  ApprovalRequested: requestStream(REQUEST),
  RequestApproved: requestStream(REQUEST),
  RequestRejected: requestStream(REQUEST),
  RequestWithdrawn: requestStream(REQUEST),
  AccountProvisioned: requestStream(REQUEST),
  AccountProvisioningFailed: requestStream(REQUEST),
  WorkflowCreated: workflowStream(WORKFLOW),
  WorkflowSettingsChanged: workflowStream(WORKFLOW),
  ProfessionalAddedToWorkflow: workflowStream(WORKFLOW),
  ParticipantEnrolled: participantStream(PARTICIPANT),
  ConsentGiven: participantStream(PARTICIPANT),
  ConsentDeclined: participantStream(PARTICIPANT),
  ProfessionalAssigned: participantStream(PARTICIPANT),
  ConsentRequested: participantStream(PARTICIPANT),
  ConsentWithdrawn: participantStream(PARTICIPANT),
  AccessExpired: participantStream(PARTICIPANT),
  ResultsAccessRequested: participantStream(PARTICIPANT),
};

export const anActor: Actor = { id: 'sub-lead', email: 'lena@north.example', organisationId: ORG, roles: ['lead_administrator'] };

let position = 0;
/** A stored event as the store returns it, with the envelope every command writes. */
export const recorded = (
  type: string,
  data: unknown,
  { streamId = 'stream-1', revision = 0, actor = anActor, occurredAt = at, schemaVersion = 1 }: { streamId?: string; revision?: number; actor?: Actor; occurredAt?: string; schemaVersion?: number } = {},
): RecordedEvent => {
  position += 1;
  return {
    eventId: deriveId('sample', type, position),
    type,
    streamId,
    revision,
    position,
    data,
    metadata: { occurredAt, actor, correlationId: `corr-${position}`, causationId: `cmd-${position}`, commandId: `cmd-${position}`, schemaVersion },
  };
};

/** The catalogues of every context: what a sample must be readable by. */
export const CONTEXT_CATALOGUES = [directoryEvents, accessRequestEvents, careAccessEvents] as const;
const schemaVersionOf = (type: ContextEvent['type']) => {
  const catalogue = CONTEXT_CATALOGUES.find((c) => c.includes(type))!;
  return (catalogue.schemaVersion as (type: string) => number)(type);
};

/** Every sample, recorded in its stream at the schema version its catalogue writes. */
export const recordedSamples = (): RecordedEvent[] =>
  (Object.keys(SAMPLES) as ContextEvent['type'][]).flatMap((type) =>
    SAMPLES[type].map((data, index) => recorded(type, data, { streamId: STREAM_OF[type], revision: index, schemaVersion: schemaVersionOf(type) })),
  );
