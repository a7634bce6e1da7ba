import { defineCatalogue } from '@access-ledger/core';
import { CareAccessEvent, GRANT_BASES, REFUSALS, RESULTS_DECISIONS, ASSIGNMENT_STATUSES_AT_ASSIGNMENT, ParticipantEvent, WorkflowEvent } from './events';

const yesNo = (value: boolean) => (value ? 'yes' : 'no');
const dayOf = (iso: string) => iso.slice(0, 10);
const BASIS_TEXT: Record<string, string> = {
  prior_consent: 'consent given up front',
  append_consent: 'consent to appending professionals',
  mail_consent: 'consent asked by mail',
};

/**
 * The care-access catalogue: the current shape of each event's data (docs/events.md), and one
 * sentence per event for the audit timeline. Every event is at version 1. Free text (reasons)
 * and names stay out of the sentence; ids say who.
 */
export const careAccessEvents = defineCatalogue<CareAccessEvent>('care access events', {
  WorkflowCreated: {
    shape: { workflowId: 'string', organisationId: 'string', name: 'string', project: 'string?', allowAppendProfessionals: 'boolean', createdAt: 'string' },
    describe: ({ data }, { metadata }) =>
      `Workflow ${data.workflowId} created in organisation ${data.organisationId} by ${metadata.actor.email}; appending professionals later ${data.allowAppendProfessionals ? 'allowed' : 'not allowed'}`,
  },
  WorkflowSettingsChanged: {
    shape: { workflowId: 'string', organisationId: 'string', allowAppendProfessionals: 'boolean', changedAt: 'string' },
    describe: ({ data }, { metadata }) =>
      `Workflow ${data.workflowId}: appending professionals later ${data.allowAppendProfessionals ? 'allowed' : 'not allowed'} from now on, set by ${metadata.actor.email}`,
  },
  ProfessionalAddedToWorkflow: {
    shape: { workflowId: 'string', organisationId: 'string', professional: 'object', days: 'number', reason: 'string', addedAt: 'string' },
    describe: ({ data }, { metadata }) =>
      `Professional ${data.professional.id} added to workflow ${data.workflowId} by ${metadata.actor.email}: participants are asked for consent for ${data.days} days`,
  },
  ParticipantEnrolled: {
    shape: { workflowId: 'string', organisationId: 'string', participant: 'object', appendConsentAsked: 'boolean', appendConsent: 'boolean', enrolledAt: 'string' },
    describe: ({ data }) =>
      `Participant ${data.participant.id} enrolled in workflow ${data.workflowId}; consent to appending professionals later ${data.appendConsentAsked ? yesNo(data.appendConsent) : 'not asked'}`,
  },
  ConsentGiven: {
    shape: {
      workflowId: 'string',
      organisationId: 'string',
      participantId: 'string',
      grantId: 'string',
      participant: 'object',
      professional: 'object',
      basis: ['prior_consent', 'mail_consent'],
      assignmentId: 'string?',
      reason: 'string',
      from: 'string',
      until: 'string',
      givenAt: 'string',
    },
    describe: ({ data }) =>
      `Participant ${data.participantId} consented that professional ${data.professional.id} sees their results in workflow ${data.workflowId} until ${data.until} (${BASIS_TEXT[data.basis]}); grant ${data.grantId}`,
  },
  ConsentDeclined: {
    shape: { workflowId: 'string', organisationId: 'string', participantId: 'string', professionalId: 'string', assignmentId: 'string?', declinedAt: 'string' },
    describe: ({ data }) =>
      `Participant ${data.participantId} declined that professional ${data.professionalId} sees their results in workflow ${data.workflowId}${data.assignmentId ? ` (assignment ${data.assignmentId})` : ''}`,
  },
  ProfessionalAssigned: {
    shape: {
      workflowId: 'string',
      organisationId: 'string',
      participantId: 'string',
      assignmentId: 'string',
      participant: 'object',
      professional: 'object',
      endDate: 'string',
      reason: 'string',
      status: ASSIGNMENT_STATUSES_AT_ASSIGNMENT,
      grantId: 'string?',
      assignedAt: 'string',
    },
    describe: ({ data }, { metadata }) =>
      data.status === 'active'
        ? `Professional ${data.professional.id} assigned to participant ${data.participantId} in workflow ${data.workflowId} by ${metadata.actor.email} until ${dayOf(data.endDate)}, active at once (${BASIS_TEXT.append_consent}); grant ${data.grantId}`
        : `Professional ${data.professional.id} assigned to participant ${data.participantId} in workflow ${data.workflowId} by ${metadata.actor.email} until ${dayOf(data.endDate)}, pending the participant's consent`,
  },
  ConsentRequested: {
    shape: {
      workflowId: 'string',
      organisationId: 'string',
      participantId: 'string',
      assignmentId: 'string',
      participant: 'object',
      workflowName: 'string',
      professional: 'object',
      endDate: 'string',
      reason: 'string',
      consentPath: 'string',
      requestedAt: 'string',
    },
    describe: ({ data }) => `Participant ${data.participantId} to be asked by mail to consent to assignment ${data.assignmentId} in workflow ${data.workflowId}`,
  },
  ConsentWithdrawn: {
    shape: { workflowId: 'string', organisationId: 'string', participantId: 'string', grantId: 'string', professionalId: 'string', withdrawnAt: 'string' },
    describe: ({ data }) => `Participant ${data.participantId} withdrew grant ${data.grantId}: professional ${data.professionalId} no longer sees their results in workflow ${data.workflowId}`,
  },
  AccessExpired: {
    shape: { workflowId: 'string', organisationId: 'string', participantId: 'string', grantId: 'string', professionalId: 'string', until: 'string', recordedAt: 'string' },
    describe: ({ data }) => `Grant ${data.grantId} of professional ${data.professionalId} to participant ${data.participantId}'s results in workflow ${data.workflowId} expired at ${data.until}`,
  },
  ResultsAccessRequested: {
    shape: {
      workflowId: 'string',
      organisationId: 'string',
      participantId: 'string',
      professionalId: 'string?',
      decision: RESULTS_DECISIONS,
      basis: [...GRANT_BASES, null],
      grantId: 'string?',
      grantVersion: 'number?',
      until: 'string?',
      refusal: [...REFUSALS, null],
      decidedOnRevision: 'number',
      requestedAt: 'string',
    },
    describe: ({ data }, { metadata }) =>
      data.decision === 'granted'
        ? `${metadata.actor.email} asked for participant ${data.participantId}'s results in workflow ${data.workflowId}: granted by grant ${data.grantId} (version ${data.grantVersion}, ${BASIS_TEXT[data.basis ?? '']}) until ${data.until}`
        : `${metadata.actor.email} asked for participant ${data.participantId}'s results in workflow ${data.workflowId}: refused (${data.refusal})`,
  },
});

export const workflowEvents = careAccessEvents.only<WorkflowEvent['type']>('workflow events', ['WorkflowCreated', 'WorkflowSettingsChanged', 'ProfessionalAddedToWorkflow']);
export const participantEvents = careAccessEvents.only<ParticipantEvent['type']>('participant events', [
  'ParticipantEnrolled',
  'ConsentGiven',
  'ConsentDeclined',
  'ProfessionalAssigned',
  'ConsentRequested',
  'ConsentWithdrawn',
  'AccessExpired',
  'ResultsAccessRequested',
]);
