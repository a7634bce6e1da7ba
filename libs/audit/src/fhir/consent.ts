import type { Consent, ConsentProvisionActor, ConsentProvision } from 'fhir/r4';
import { RecordedEvent } from '@access-ledger/core';
import { Grant, GrantBasis, ParticipantState, isActive, participantDecider } from '@access-ledger/care-access';
import { CONSENT_CODES } from './codes';
import { FHIR_SYSTEMS, eventReference, referenceTo } from './references';

/**
 * A care-access grant as a FHIR R4 Consent: the participant (patient and performer: they
 * consented) permits the professional (provision actor, information recipient) to access their
 * results in the workflow for the grant's period. Its source is the recorded event that made
 * the grant: the accepted prompt of the enrolment, the assignment (consent to appending
 * professionals given on enrolling), or the answer to the consent asked by mail.
 *
 * Status at `now`, by the rule enforcement applies (`isActive`): `active` while neither
 * withdrawn nor expired and before `until`; `inactive` (terminated) once withdrawn, expired
 * (recorded or not yet: access ends at `until` itself). A withdrawal also shows as a nested
 * `deny` provision from its moment to `until`. `meta.versionId` is the participant stream's
 * revision of the event that last changed the grant, the version a results decision names.
 */
export type FhirConsent = Consent;

const SOURCE_OF: Record<GrantBasis, string> = {
  prior_consent: 'Consent prompt accepted (enrolment)',
  append_consent: 'Assignment (consent to appending professionals given on enrolment)',
  mail_consent: 'Consent asked by mail accepted (assignment)',
};

/** The grant, and the recorded events that made it and last changed it, from the participant's stream; null if the stream has no such grant. */
const grantHistory = (stream: readonly RecordedEvent[], grantId: string): { participantId: string; grant: Grant; made: RecordedEvent; last: RecordedEvent } | null => {
  let state: ParticipantState = participantDecider.initialState();
  let made: RecordedEvent | undefined;
  for (const recorded of stream) {
    state = participantDecider.evolve(state, participantDecider.catalogue.parse(recorded));
    if (!made && state.status === 'known' && state.grants.some((g) => g.grantId === grantId)) made = recorded;
  }
  if (state.status !== 'known' || !made) return null;
  const grant = state.grants.find((g) => g.grantId === grantId)!;
  const last = stream.find((recorded) => recorded.revision === grant.version) ?? made;
  return { participantId: state.participantId, grant, made, last };
};

/** The grant `grantId` as a Consent at `now`, from its participant's stream; null when the stream holds no such grant. */
export const grantConsentOf = (stream: readonly RecordedEvent[], grantId: string, now: string): Consent | null => {
  const history = grantHistory(stream, grantId);
  if (!history) return null;
  const { participantId, grant, made, last } = history;
  const participant = referenceTo('subject', participantId, 'Patient');
  const actor: ConsentProvisionActor = { role: CONSENT_CODES.informationRecipient, reference: referenceTo('user', grant.professional.id, 'Practitioner') };
  const withdrawal: ConsentProvision[] =
    grant.status === 'withdrawn' && grant.endedAt !== null ? [{ type: 'deny', period: { start: grant.endedAt, end: grant.until }, actor: [actor] }] : [];
  return {
    resourceType: 'Consent',
    id: grant.grantId,
    meta: { versionId: String(grant.version), lastUpdated: last.metadata.occurredAt },
    identifier: [
      { system: FHIR_SYSTEMS.grant, value: grant.grantId },
      ...(grant.assignmentId === null ? [] : [{ system: FHIR_SYSTEMS.assignment, value: grant.assignmentId }]),
    ],
    status: isActive(grant, now) ? 'active' : 'inactive',
    scope: CONSENT_CODES.privacy,
    category: [CONSENT_CODES.patientConsent],
    patient: participant,
    dateTime: grant.from,
    performer: [participant],
    organization: [referenceTo('organisation', grant.organisationId, 'Organization')],
    sourceReference: eventReference(made.eventId, SOURCE_OF[grant.basis]),
    policyRule: CONSENT_CODES.optIn,
    provision: {
      type: 'permit',
      period: { start: grant.from, end: grant.until },
      actor: [actor],
      action: [CONSENT_CODES.access],
      data: [{ meaning: 'related', reference: referenceTo('workflow', grant.workflowId, undefined, `Results in workflow ${grant.workflowId}`) }],
      ...(withdrawal.length > 0 ? { provision: withdrawal } : {}),
    },
  };
};
