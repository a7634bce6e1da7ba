import { Recorded } from '@access-ledger/core';
import {
  AccessExpired,
  CareAccessEvent,
  ConsentDeclined,
  ConsentGiven,
  ConsentRequested,
  ConsentWithdrawn,
  ParticipantEnrolled,
  ParticipantEvent,
  ParticipantRef,
  ProfessionalAddedToWorkflow,
  ProfessionalAssigned,
  ProfessionalRef,
  ResultsAccessRequested,
  WorkflowCreated,
  WorkflowEvent,
  WorkflowSettingsChanged,
  participantStream,
  workflowStream,
} from '@access-ledger/care-access';

/**
 * Care-access events as stored, for the projections' specs: each call is the next position of
 * one log, occurring at `at(position)` unless told otherwise.
 */
export const careLog = (start = 0) => {
  let position = start;
  const at = (n: number) => new Date(Date.UTC(2026, 2, 1) + n * 60_000).toISOString();
  const recorded = <E extends CareAccessEvent>(event: E, actorEmail = 'admin@care.example'): Recorded<E> => {
    position += 1;
    const streamId = event.type in WORKFLOW ? workflowStream(event.data.workflowId) : participantStream(participantOf(event as ParticipantEvent));
    return {
      ...event,
      eventId: `event-${position}`,
      streamId,
      revision: position,
      position,
      metadata: { occurredAt: at(position), actor: { id: 'actor', email: actorEmail, roles: [] }, correlationId: 'c', causationId: 'c', commandId: 'c', schemaVersion: 1 },
    };
  };
  /** The time the next event occurs at. */
  const now = () => at(position + 1);
  return { recorded, now, at };
};

export { appendHistory } from './append-history';

const WORKFLOW: Record<WorkflowEvent['type'], true> = { WorkflowCreated: true, WorkflowSettingsChanged: true, ProfessionalAddedToWorkflow: true };
const participantOf = (event: ParticipantEvent) => (event.type === 'ParticipantEnrolled' ? event.data.participant.id : event.data.participantId);

export const ORG = 'org-1';
export const pro = (id: string): ProfessionalRef => ({ id, name: `Dr ${id}` });
export const person = (id: string, name: string | null = `Name ${id}`): ParticipantRef => ({ id, email: `${id}@mail.example`, name });

export const workflowCreated = (workflowId: string, allowAppendProfessionals = true, createdAt = '2026-03-01T00:00:00.000Z'): WorkflowCreated => ({
  type: 'WorkflowCreated',
  data: { workflowId, organisationId: ORG, name: `Workflow ${workflowId}`, project: null, allowAppendProfessionals, createdAt },
});
export const settingsChanged = (workflowId: string, allowAppendProfessionals: boolean, changedAt = '2026-03-02T00:00:00.000Z'): WorkflowSettingsChanged => ({
  type: 'WorkflowSettingsChanged',
  data: { workflowId, organisationId: ORG, allowAppendProfessionals, changedAt },
});
export const professionalAdded = (workflowId: string, professionalId: string, days = 30, addedAt = '2026-03-03T00:00:00.000Z'): ProfessionalAddedToWorkflow => ({
  type: 'ProfessionalAddedToWorkflow',
  data: { workflowId, organisationId: ORG, professional: pro(professionalId), days, reason: 'Follow-up care', addedAt },
});

const of = (workflowId: string, participantId: string) => ({ workflowId, organisationId: ORG, participantId });

export const enrolled = (workflowId: string, participant: ParticipantRef, appendConsent = false, enrolledAt = '2026-03-04T00:00:00.000Z'): ParticipantEnrolled => ({
  type: 'ParticipantEnrolled',
  data: { workflowId, organisationId: ORG, participant, appendConsentAsked: true, appendConsent, enrolledAt },
});
export const consentGiven = (
  workflowId: string,
  participant: ParticipantRef,
  professionalId: string,
  grantId: string,
  until: string,
  assignmentId: string | null = null,
): ConsentGiven => ({
  type: 'ConsentGiven',
  data: {
    ...of(workflowId, participant.id),
    grantId,
    participant,
    professional: pro(professionalId),
    basis: assignmentId === null ? 'prior_consent' : 'mail_consent',
    assignmentId,
    reason: 'Follow-up care',
    from: '2026-03-05T00:00:00.000Z',
    until,
    givenAt: '2026-03-05T00:00:00.000Z',
  },
});
export const consentDeclined = (workflowId: string, participantId: string, professionalId: string, assignmentId: string | null = null): ConsentDeclined => ({
  type: 'ConsentDeclined',
  data: { ...of(workflowId, participantId), professionalId, assignmentId, declinedAt: '2026-03-05T00:00:00.000Z' },
});
export const assigned = (
  workflowId: string,
  participant: ParticipantRef,
  professionalId: string,
  assignmentId: string,
  endDate: string,
  grantId: string | null,
): ProfessionalAssigned => ({
  type: 'ProfessionalAssigned',
  data: {
    ...of(workflowId, participant.id),
    assignmentId,
    participant,
    professional: pro(professionalId),
    endDate,
    reason: 'Second opinion',
    status: grantId === null ? 'pending_consent' : 'active',
    grantId,
    assignedAt: '2026-03-06T00:00:00.000Z',
  },
});
export const consentRequested = (workflowId: string, participant: ParticipantRef, professionalId: string, assignmentId: string, endDate: string): ConsentRequested => ({
  type: 'ConsentRequested',
  data: {
    ...of(workflowId, participant.id),
    assignmentId,
    participant,
    workflowName: `Workflow ${workflowId}`,
    professional: pro(professionalId),
    endDate,
    reason: 'Second opinion',
    consentPath: `/assignments/${assignmentId}/consent`,
    requestedAt: '2026-03-06T00:00:00.000Z',
  },
});
export const consentWithdrawn = (workflowId: string, participantId: string, professionalId: string, grantId: string): ConsentWithdrawn => ({
  type: 'ConsentWithdrawn',
  data: { ...of(workflowId, participantId), grantId, professionalId, withdrawnAt: '2026-03-07T00:00:00.000Z' },
});
export const accessExpired = (workflowId: string, participantId: string, professionalId: string, grantId: string, until: string): AccessExpired => ({
  type: 'AccessExpired',
  data: { ...of(workflowId, participantId), grantId, professionalId, until, recordedAt: until },
});
export const resultsRequested = (
  workflowId: string,
  participantId: string,
  professionalId: string | null,
  outcome: { grantId: string; until: string } | { refusal: 'no_consent' | 'consent_withdrawn' | 'not_a_professional' },
  requestedAt = '2026-03-08T00:00:00.000Z',
): ResultsAccessRequested => ({
  type: 'ResultsAccessRequested',
  data: {
    ...of(workflowId, participantId),
    professionalId,
    ...('grantId' in outcome
      ? { decision: 'granted', basis: 'prior_consent', grantId: outcome.grantId, grantVersion: 1, until: outcome.until, refusal: null }
      : { decision: 'refused', basis: null, grantId: null, grantVersion: null, until: null, refusal: outcome.refusal }),
    decidedOnRevision: 1,
    requestedAt,
  },
});
