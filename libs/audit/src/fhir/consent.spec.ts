import { RecordedEvent } from '@access-ledger/core';
import { ParticipantEvent, participantStream } from '@access-ledger/care-access';
import { fhirSchemaErrors } from '../testing/fhir-schema';
import { ORG, PARTICIPANT, recorded } from '../testing/samples';
import { grantConsentOf } from './consent';
import { FHIR_SYSTEMS } from './references';

const pia = { id: PARTICIPANT, email: 'pia@people.example', name: 'Pia Park' };
const pro = { id: 'a1b2c3d4-0000-4000-8000-000000000001', name: 'Dr Pro' };
const [PROMPT, MAIL, APPEND] = ['wf-prompt', 'wf-mail', 'wf-append'];
const [G_PROMPT, G_MAIL, G_APPEND] = ['9e0a4c1e-0000-4000-8000-000000000001', '9e0a4c1e-0000-4000-8000-000000000002', '9e0a4c1e-0000-4000-8000-000000000003'];
const [A_MAIL, A_APPEND] = ['5d1f0b7a-0000-4000-8000-000000000001', '5d1f0b7a-0000-4000-8000-000000000002'];

const day = (n: number) => new Date(Date.parse('2026-05-01T09:00:00.000Z') + n * 86_400_000).toISOString();
const ids = (workflowId: string) => ({ workflowId, organisationId: ORG, participantId: PARTICIPANT });
const enrolled = (workflowId: string, appendConsent: boolean): ParticipantEvent => ({
  type: 'ParticipantEnrolled',
  data: { workflowId, organisationId: ORG, participant: pia, appendConsentAsked: workflowId !== PROMPT, appendConsent, enrolledAt: day(0) },
});

/** The participant's stream, as the participant decider writes it: one grant of each basis, then the prompt's withdrawn and the mail's expired. */
const HISTORY: readonly [ParticipantEvent, string][] = [
  [enrolled(PROMPT, false), day(0)],
  [{ type: 'ConsentGiven', data: { ...ids(PROMPT), grantId: G_PROMPT, participant: pia, professional: pro, basis: 'prior_consent', assignmentId: null, reason: 'Coaching', from: day(1), until: day(31), givenAt: day(1) } }, day(1)],
  [enrolled(MAIL, false), day(2)],
  [{ type: 'ProfessionalAssigned', data: { ...ids(MAIL), assignmentId: A_MAIL, participant: pia, professional: pro, endDate: day(20), reason: 'Follow-up', status: 'pending_consent', grantId: null, assignedAt: day(2) } }, day(2)],
  [{ type: 'ConsentRequested', data: { ...ids(MAIL), assignmentId: A_MAIL, participant: pia, workflowName: 'Mail', professional: pro, endDate: day(20), reason: 'Follow-up', consentPath: `/assignments/${A_MAIL}/consent`, requestedAt: day(2) } }, day(2)],
  [{ type: 'ConsentGiven', data: { ...ids(MAIL), grantId: G_MAIL, participant: pia, professional: pro, basis: 'mail_consent', assignmentId: A_MAIL, reason: 'Follow-up', from: day(3), until: day(20), givenAt: day(3) } }, day(3)],
  [enrolled(APPEND, true), day(4)],
  [{ type: 'ProfessionalAssigned', data: { ...ids(APPEND), assignmentId: A_APPEND, participant: pia, professional: pro, endDate: day(40), reason: 'Care team', status: 'active', grantId: G_APPEND, assignedAt: day(4) } }, day(4)],
  [{ type: 'ResultsAccessRequested', data: { ...ids(PROMPT), professionalId: pro.id, decision: 'granted', basis: 'prior_consent', grantId: G_PROMPT, grantVersion: 1, until: day(31), refusal: null, decidedOnRevision: 7, requestedAt: day(5) } }, day(5)],
  [{ type: 'ConsentWithdrawn', data: { ...ids(PROMPT), grantId: G_PROMPT, professionalId: pro.id, withdrawnAt: day(6) } }, day(6)],
  [{ type: 'AccessExpired', data: { ...ids(MAIL), grantId: G_MAIL, professionalId: pro.id, until: day(20), recordedAt: day(21) } }, day(21)],
];
const stream: RecordedEvent[] = HISTORY.map(([event, occurredAt], revision) => recorded(event.type, event.data, { streamId: participantStream(PARTICIPANT), revision, occurredAt }));
const upTo = (revision: number) => stream.slice(0, revision + 1);

describe('a grant as a FHIR R4 Consent', () => {
  it('is a privacy consent of the participant permitting the professional to access their results in the workflow, for the grant’s period', () => {
    const consent = grantConsentOf(upTo(1), G_PROMPT, day(2))!;
    expect(fhirSchemaErrors(consent)).toEqual([]);
    expect(consent).toEqual({
      resourceType: 'Consent',
      id: G_PROMPT,
      meta: { versionId: '1', lastUpdated: day(1) },
      identifier: [{ system: FHIR_SYSTEMS.grant, value: G_PROMPT }],
      status: 'active',
      scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy', display: 'Privacy Consent' }] },
      category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0', display: 'Patient Consent' }] }],
      patient: { identifier: { system: FHIR_SYSTEMS.subject, value: PARTICIPANT }, type: 'Patient' },
      dateTime: day(1),
      performer: [{ identifier: { system: FHIR_SYSTEMS.subject, value: PARTICIPANT }, type: 'Patient' }],
      organization: [{ identifier: { system: FHIR_SYSTEMS.organisation, value: ORG }, type: 'Organization' }],
      sourceReference: { identifier: { system: 'urn:ietf:rfc:3986', value: `urn:uuid:${stream[1].eventId}` }, display: 'Consent prompt accepted (enrolment)' },
      policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTIN', display: 'opt-in' }] },
      provision: {
        type: 'permit',
        period: { start: day(1), end: day(31) },
        actor: [
          {
            role: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP', display: 'information recipient' }] },
            reference: { identifier: { system: FHIR_SYSTEMS.user, value: pro.id }, type: 'Practitioner' },
          },
        ],
        action: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentaction', code: 'access', display: 'Access' }] }],
        data: [{ meaning: 'related', reference: { identifier: { system: FHIR_SYSTEMS.workflow, value: PROMPT }, display: `Results in workflow ${PROMPT}` } }],
      },
    });
  });

  it.each([
    ['the enrolment’s prompt', G_PROMPT, 1, 'Consent prompt accepted (enrolment)', []],
    ['the answer to the consent asked by mail', G_MAIL, 5, 'Consent asked by mail accepted (assignment)', [A_MAIL]],
    ['the assignment (appending consented to on enrolment)', G_APPEND, 7, 'Assignment (consent to appending professionals given on enrolment)', [A_APPEND]],
  ])('names its source, %s, by the event that made it', (_source, grantId, revision, display, assignments) => {
    const consent = grantConsentOf(stream, grantId, day(5))!;
    expect(fhirSchemaErrors(consent)).toEqual([]);
    expect(consent.sourceReference).toEqual({ identifier: { system: 'urn:ietf:rfc:3986', value: `urn:uuid:${stream[revision].eventId}` }, display });
    expect(consent.identifier).toEqual([{ system: FHIR_SYSTEMS.grant, value: grantId }, ...assignments.map((value) => ({ system: FHIR_SYSTEMS.assignment, value }))]);
  });

  describe('its status, at the moment asked (the rule enforcement applies)', () => {
    it('is active while the grant is neither withdrawn nor expired and before its end', () => {
      for (const [grantId, now] of [[G_PROMPT, day(5)], [G_MAIL, day(19)], [G_APPEND, day(39)]]) {
        const consent = grantConsentOf(upTo(8), grantId, now)!;
        expect(fhirSchemaErrors(consent)).toEqual([]);
        expect(consent.status).toBe('active');
        expect(consent.provision?.provision).toBeUndefined();
      }
    });

    it('is inactive once withdrawn, with a deny from the withdrawal to the end, at the withdrawal’s version', () => {
      const consent = grantConsentOf(stream, G_PROMPT, day(7))!;
      expect(fhirSchemaErrors(consent)).toEqual([]);
      expect(consent.status).toBe('inactive');
      expect(consent.meta).toEqual({ versionId: '9', lastUpdated: day(6) });
      expect(consent.provision?.type).toBe('permit');
      expect(consent.provision?.period).toEqual({ start: day(1), end: day(31) });
      expect(consent.provision?.provision).toEqual([{ type: 'deny', period: { start: day(6), end: day(31) }, actor: consent.provision?.actor }]);
    });

    it('is inactive once its expiry is recorded', () => {
      const consent = grantConsentOf(stream, G_MAIL, day(22))!;
      expect(fhirSchemaErrors(consent)).toEqual([]);
      expect(consent.status).toBe('inactive');
      expect(consent.meta).toEqual({ versionId: '10', lastUpdated: day(21) });
      expect(consent.provision?.provision).toBeUndefined();
    });

    it('is inactive from its end on, before the expiry is recorded (access ends at `until` itself)', () => {
      expect(grantConsentOf(upTo(8), G_APPEND, day(40))!.status).toBe('inactive');
      expect(grantConsentOf(upTo(8), G_APPEND, new Date(Date.parse(day(40)) - 1).toISOString())!.status).toBe('active');
      expect(grantConsentOf(upTo(8), G_APPEND, day(40))!.meta?.versionId).toBe('7');
    });
  });

  it('is null for a grant the stream does not hold (yet)', () => {
    expect(grantConsentOf(stream, '00000000-0000-4000-8000-000000000000', day(5))).toBeNull();
    expect(grantConsentOf(upTo(4), G_MAIL, day(5))).toBeNull();
    expect(grantConsentOf([], G_MAIL, day(5))).toBeNull();
  });
});
