import { MalformedEventError, RecordedEvent } from '@access-ledger/core';
import { CareAccessEvent, careAccessEvents, participantEvents, workflowEvents } from './index';

const stored = (event: CareAccessEvent, actor = 'ada@org.example', schemaVersion = careAccessEvents.schemaVersion(event.type)): RecordedEvent => ({
  ...event,
  eventId: 'e1',
  streamId: event.type.startsWith('Workflow') || event.type === 'ProfessionalAddedToWorkflow' ? 'workflow-wf1' : 'participant-p1',
  revision: 3,
  position: 42,
  metadata: { occurredAt: '2026-05-02T10:00:00.000Z', actor: { id: 'sub-1', email: actor, roles: [] }, correlationId: 'c', causationId: 'c', commandId: 'c', schemaVersion },
});

// Free text and names, each distinctive, so that a sentence repeating one shows.
const REASON = 'Reason: her HbA1c trend';
const participant = { id: 'sub-pia', email: 'pia@example.org', name: 'Pia Participant' };
const professional = { id: 'u-pro', name: 'Doctor Prosper' };
const PERSONAL = [REASON, participant.email, participant.name, professional.name, 'Diabetes follow-up', 'Study Seven'];

const inWf = { workflowId: 'wf1', organisationId: 'o1' };
const of = { ...inWf, participantId: 'sub-pia' };
const at = '2026-05-02T10:00:00.000Z';
const assignment = { ...of, assignmentId: 'as1', participant, professional, endDate: '2026-08-01T00:00:00.000Z', reason: REASON, assignedAt: at };

/** One event of every care-access type, who recorded it, and what the audit timeline says of it. */
const table: readonly [CareAccessEvent, string, string][] = [
  [
    { type: 'WorkflowCreated', data: { ...inWf, name: 'Diabetes follow-up', project: 'Study Seven', allowAppendProfessionals: true, createdAt: at } },
    'ada@org.example',
    'Workflow wf1 created in organisation o1 by ada@org.example; appending professionals later allowed',
  ],
  [
    { type: 'WorkflowSettingsChanged', data: { ...inWf, allowAppendProfessionals: false, changedAt: at } },
    'ada@org.example',
    'Workflow wf1: appending professionals later not allowed from now on, set by ada@org.example',
  ],
  [
    { type: 'ProfessionalAddedToWorkflow', data: { ...inWf, professional, days: 30, reason: REASON, addedAt: at } },
    'ada@org.example',
    'Professional u-pro added to workflow wf1 by ada@org.example: participants are asked for consent for 30 days',
  ],
  [
    { type: 'ParticipantEnrolled', data: { ...inWf, participant, appendConsentAsked: true, appendConsent: false, enrolledAt: at } },
    'pia@example.org',
    'Participant sub-pia enrolled in workflow wf1; consent to appending professionals later no',
  ],
  [
    {
      type: 'ConsentGiven',
      data: { ...of, grantId: 'g1', participant, professional, basis: 'prior_consent', assignmentId: null, reason: REASON, from: at, until: '2026-06-01T10:00:00.000Z', givenAt: at },
    },
    'pia@example.org',
    'Participant sub-pia consented that professional u-pro sees their results in workflow wf1 until 2026-06-01T10:00:00.000Z (consent given up front); grant g1',
  ],
  [
    { type: 'ConsentDeclined', data: { ...of, professionalId: 'u-pro', assignmentId: 'as1', declinedAt: at } },
    'pia@example.org',
    'Participant sub-pia declined that professional u-pro sees their results in workflow wf1 (assignment as1)',
  ],
  [
    { type: 'ProfessionalAssigned', data: { ...assignment, status: 'active', grantId: 'g2' } },
    'ada@org.example',
    'Professional u-pro assigned to participant sub-pia in workflow wf1 by ada@org.example until 2026-08-01, active at once (consent to appending professionals); grant g2',
  ],
  [
    {
      type: 'ConsentRequested',
      data: {
        ...of,
        assignmentId: 'as1',
        participant,
        workflowName: 'Diabetes follow-up',
        professional,
        endDate: '2026-08-01T00:00:00.000Z',
        reason: REASON,
        consentPath: '/assignments/as1/consent',
        requestedAt: at,
      },
    },
    'ada@org.example',
    'Participant sub-pia to be asked by mail to consent to assignment as1 in workflow wf1',
  ],
  [
    { type: 'ConsentWithdrawn', data: { ...of, grantId: 'g1', professionalId: 'u-pro', withdrawnAt: at } },
    'pia@example.org',
    'Participant sub-pia withdrew grant g1: professional u-pro no longer sees their results in workflow wf1',
  ],
  [
    { type: 'AccessExpired', data: { ...of, grantId: 'g1', professionalId: 'u-pro', until: '2026-06-01T10:00:00.000Z', recordedAt: '2026-06-01T10:01:00.000Z' } },
    'access-expiry@system',
    "Grant g1 of professional u-pro to participant sub-pia's results in workflow wf1 expired at 2026-06-01T10:00:00.000Z",
  ],
  [
    {
      type: 'ResultsAccessRequested',
      data: {
        ...of,
        professionalId: 'u-pro',
        decision: 'granted',
        basis: 'mail_consent',
        grantId: 'g3',
        grantVersion: 7,
        until: '2026-08-01T00:00:00.000Z',
        refusal: null,
        decidedOnRevision: 8,
        requestedAt: at,
      },
    },
    'pro@org.example',
    "pro@org.example asked for participant sub-pia's results in workflow wf1: granted by grant g3 (version 7, consent asked by mail) until 2026-08-01T00:00:00.000Z",
  ],
];

/** The other sentence of the events whose sentence depends on what happened. */
const variants: readonly [CareAccessEvent, string, string][] = [
  [
    { type: 'ProfessionalAssigned', data: { ...assignment, status: 'pending_consent', grantId: null } },
    'ada@org.example',
    "Professional u-pro assigned to participant sub-pia in workflow wf1 by ada@org.example until 2026-08-01, pending the participant's consent",
  ],
  [
    {
      type: 'ResultsAccessRequested',
      data: { ...of, professionalId: 'u-pro', decision: 'refused', basis: null, grantId: 'g1', grantVersion: null, until: null, refusal: 'consent_withdrawn', decidedOnRevision: 9, requestedAt: at },
    },
    'pro@org.example',
    "pro@org.example asked for participant sub-pia's results in workflow wf1: refused (consent_withdrawn)",
  ],
  [
    { type: 'ConsentDeclined', data: { ...of, professionalId: 'u-pro', assignmentId: null, declinedAt: at } },
    'pia@example.org',
    'Participant sub-pia declined that professional u-pro sees their results in workflow wf1',
  ],
  [
    { type: 'ParticipantEnrolled', data: { ...inWf, participant, appendConsentAsked: false, appendConsent: false, enrolledAt: at } },
    'pia@example.org',
    'Participant sub-pia enrolled in workflow wf1; consent to appending professionals later not asked',
  ],
];

describe('the care-access catalogue', () => {
  it('has a row in the table below for every event type, each at schema version 1', () => {
    expect(table.map(([event]) => event.type).sort()).toEqual([...careAccessEvents.types].sort());
    expect(careAccessEvents.types.map((type) => careAccessEvents.schemaVersion(type))).toEqual(careAccessEvents.types.map(() => 1));
  });

  it('splits into the workflow stream’s and the participant stream’s events, together all of them', () => {
    expect([...workflowEvents.types, ...participantEvents.types].sort()).toEqual([...careAccessEvents.types].sort());
    expect(workflowEvents.types.filter((type) => participantEvents.includes(type))).toEqual([]);
  });

  it.each([...table, ...variants].map(([event, actor, sentence]) => [event.type, event, actor, sentence] as const))(
    'describes %s in one sentence: who did what',
    (_type, event, actor, sentence) => expect(careAccessEvents.describe(stored(event, actor))).toBe(sentence),
  );

  it.each([...table, ...variants].map(([event, actor]) => [event.type, event, actor] as const))('keeps reasons and names out of the sentence of %s', (_type, event, actor) => {
    const sentence = careAccessEvents.describe(stored(event, actor));
    for (const text of PERSONAL) expect(sentence).not.toContain(text);
  });

  it.each(table.map(([event]) => [event.type, event] as const))('reads %s written at its current schema version as stored', (_type, event) => {
    const recorded = stored(event);
    expect(careAccessEvents.parse(recorded)).toBe(recorded);
    const own = workflowEvents.includes(event.type) ? workflowEvents : participantEvents;
    expect(own.parse(recorded)).toBe(recorded);
  });

  it('refuses an event of the other kind of stream', () => {
    const [created] = table[0];
    const [enrolled] = table[3];
    expect(() => participantEvents.parse(stored(created))).toThrow(MalformedEventError);
    expect(() => workflowEvents.parse(stored(enrolled))).toThrow(/"ParticipantEnrolled" is not one of its event types/);
  });

  it('refuses a basis a consent cannot have (append consent is given on enrolling, not as ConsentGiven)', () => {
    const [given] = table[4];
    expect(() => careAccessEvents.parse({ ...stored(given), data: { ...given.data, basis: 'append_consent' } })).toThrow(
      'Stored event participant-p1@3 (type ConsentGiven, position 42) cannot be read as care access events: data.basis should be one of "prior_consent", "mail_consent", is another string.',
    );
  });

  it('refuses a refusal it does not know, a missing field and a professional that is not an object, naming the field only', () => {
    const [requested] = table[10];
    const [added] = table[2];
    expect(() => careAccessEvents.parse({ ...stored(requested), data: { ...requested.data, decision: 'refused', refusal: 'felt like it' } })).toThrow(/data\.refusal should be one of .*, is another string\.$/);
    const [expired] = table[9];
    const { until: _until, ...withoutUntil } = expired.data as Record<string, unknown>;
    expect(() => careAccessEvents.parse({ ...stored(expired), data: withoutUntil })).toThrow(/data\.until should be string, is missing\.$/);
    expect(() => careAccessEvents.parse({ ...stored(added), data: { ...added.data, professional: 'Doctor Prosper' } })).toThrow(/data\.professional should be object, is a string\.$/);
    expect(() => careAccessEvents.parse({ ...stored(added), data: { ...added.data, days: '30' } })).toThrow(/data\.days should be number, is a string\.$/);
  });

  it('refuses an event written by newer code', () => {
    const [created] = table[0];
    expect(() => careAccessEvents.parse(stored(created, 'ada@org.example', 2))).toThrow(/schema version 2 is newer than this code reads \(1\)/);
  });
});
