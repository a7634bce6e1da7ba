import { newId } from '@access-ledger/core';
import { participantDecider, participantStream } from '@access-ledger/care-access';
import { handleCommand } from '@access-ledger/event-store';
import { ACCESS_EXPIRY_ACTOR } from '@access-ledger/platform';
import { fhirSchemaErrors } from '../libs/audit/src/testing/fhir-schema';
import { TestApi, bearer, startApi } from './support/api';
import { OrgFixture, registerOrg } from './support/directory';
import { addProfessional, addToWorkflow, answerPrompt, assign, createWorkflow, enrol, participant, participantEvents } from './support/care';

/**
 * GET /audit/grants/:grantId/fhir over real HTTP on real SQLite: a grant of each basis and in
 * each status as a FHIR R4 Consent, valid against the official R4 schema; and who may read it.
 */
describe('Audit: a grant as a FHIR R4 Consent (GET /audit/grants/:grantId/fhir)', () => {
  let api: TestApi;
  let admin: string;
  let auditor: string;
  let org: OrgFixture;
  let pro: { id: string; email: string; token: string };
  let promptWorkflow: string;
  let appendWorkflow: string;
  let outsider: string;
  /** The prompt's grant of a participant, still active, and the position that wrote it. */
  let active: { grantId: string; position: number; participant: { id: string; token: string } };

  const consentOf = (grantId: string, token = auditor, minPosition?: number) =>
    api.http
      .get(`/audit/grants/${grantId}/fhir`)
      .set(bearer(token))
      .set(minPosition === undefined ? {} : { 'X-Min-Position': String(minPosition) });

  const grantOfAssignment = async (participantId: string) => {
    const assigned = (await participantEvents(api, participantId)).find((e) => e.type === 'ProfessionalAssigned');
    return assigned!.data as { assignmentId: string; grantId: string | null };
  };

  beforeAll(async () => {
    fhirSchemaErrors({ resourceType: 'Basic', code: { text: 'compiles the schema once' } });
    api = await startApi();
    admin = await api.token({ email: 'ops@platform.example', roles: ['platform_admin'] });
    auditor = await api.token({ email: 'audit@platform.example', roles: ['auditor'] });
    outsider = await api.token({ sub: 'someone', email: 'someone@elsewhere.example' });
    org = await registerOrg(api, admin, 'Northside Coaching');
    pro = await addProfessional(api, org);
    promptWorkflow = await createWorkflow(api, org, { name: 'Prompted', allowAppendProfessionals: false });
    await addToWorkflow(api, org, promptWorkflow, [pro.id], 30);
    appendWorkflow = await createWorkflow(api, org, { name: 'Appended', allowAppendProfessionals: true });
    const someone = await participant(api);
    await enrol(api, someone.token, promptWorkflow);
    const answer = await answerPrompt(api, someone.token, promptWorkflow, pro.id);
    active = { grantId: answer.grantId!, position: answer.position, participant: someone };
  });
  afterAll(() => api.close());

  it('answers an active grant of the enrolment’s prompt as an active Consent, application/fhir+json, valid FHIR R4', async () => {
    const response = await consentOf(active.grantId, auditor, active.position);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/fhir\+json/);
    expect(fhirSchemaErrors(response.body)).toEqual([]);
    const [given] = (await participantEvents(api, active.participant.id)).filter((e) => e.type === 'ConsentGiven');
    expect(response.body).toMatchObject({
      resourceType: 'Consent',
      id: active.grantId,
      meta: { versionId: String(given.revision), lastUpdated: given.metadata.occurredAt },
      status: 'active',
      patient: { identifier: { system: 'urn:access-ledger:subject', value: active.participant.id }, type: 'Patient' },
      performer: [{ identifier: { value: active.participant.id } }],
      organization: [{ identifier: { system: 'urn:access-ledger:organisation', value: org.orgId } }],
      sourceReference: { identifier: { value: `urn:uuid:${given.eventId}` }, display: 'Consent prompt accepted (enrolment)' },
      provision: {
        type: 'permit',
        period: { start: given.data.from, end: given.data.until },
        actor: [{ reference: { identifier: { system: 'urn:access-ledger:user', value: pro.id }, type: 'Practitioner' } }],
      },
    });
  });

  it('answers a withdrawn grant as inactive, with a deny from the withdrawal on', async () => {
    const someone = await participant(api);
    await enrol(api, someone.token, promptWorkflow);
    const { grantId, position } = await answerPrompt(api, someone.token, promptWorkflow, pro.id);
    const withdrawn = await api.http.post(`/access/${grantId}/withdraw`).set(bearer(someone.token)).send();
    expect(withdrawn.status).toBe(200);
    const response = await consentOf(grantId!, auditor, position);
    expect(response.status).toBe(200);
    expect(fhirSchemaErrors(response.body)).toEqual([]);
    const last = (await participantEvents(api, someone.id)).at(-1)!;
    expect(last.type).toBe('ConsentWithdrawn');
    expect(response.body.status).toBe('inactive');
    expect(response.body.meta.versionId).toBe(String(last.revision));
    expect(response.body.provision.provision).toEqual([{ type: 'deny', period: { start: last.data.withdrawnAt, end: response.body.provision.period.end }, actor: response.body.provision.actor }]);
  });

  it('answers a grant by consent asked by mail, and one by consent to appending, naming their assignment', async () => {
    const byMail = await participant(api);
    await enrol(api, byMail.token, appendWorkflow, { appendConsent: false });
    expect((await assign(api, org, { workflowId: appendWorkflow, professionalId: pro.id, participantIds: [byMail.id] })).status).toBe(201);
    const { assignmentId } = await grantOfAssignment(byMail.id);
    const answered = await api.http.post(`/assignments/${assignmentId}/consent`).set(bearer(byMail.token)).send({ decision: 'accept' });
    expect(answered.status).toBe(200);

    const appending = await participant(api);
    await enrol(api, appending.token, appendWorkflow, { appendConsent: true });
    const assigned = await assign(api, org, { workflowId: appendWorkflow, professionalId: pro.id, participantIds: [appending.id] });
    expect(assigned.body.assignments[0].status).toBe('active');
    const appended = await grantOfAssignment(appending.id);

    for (const [grantId, assignment, position, source] of [
      [answered.body.grantId, assignmentId, answered.body.position, 'Consent asked by mail accepted (assignment)'],
      [appended.grantId!, appended.assignmentId, assigned.body.position, 'Assignment (consent to appending professionals given on enrolment)'],
    ]) {
      const response = await consentOf(grantId, auditor, position);
      expect(response.status).toBe(200);
      expect(fhirSchemaErrors(response.body)).toEqual([]);
      expect(response.body.status).toBe('active');
      expect(response.body.sourceReference.display).toBe(source);
      expect(response.body.identifier).toEqual([
        { system: 'urn:access-ledger:grant', value: grantId },
        { system: 'urn:access-ledger:assignment', value: assignment },
      ]);
    }
  });

  it('answers an expired grant as inactive: from its end on, and once the expiry is recorded', async () => {
    const someone = await participant(api);
    await enrol(api, someone.token, appendWorkflow, { appendConsent: true });
    const endDate = new Date(Date.now() + 1500).toISOString();
    const assigned = await assign(api, org, { workflowId: appendWorkflow, professionalId: pro.id, participantIds: [someone.id], endDate });
    expect(assigned.status).toBe(201);
    const { grantId } = await grantOfAssignment(someone.id);
    expect((await consentOf(grantId!, auditor, assigned.body.position)).body.status).toBe('active');

    await new Promise((resolve) => setTimeout(resolve, Date.parse(endDate) - Date.now() + 50));
    const lapsed = await consentOf(grantId!);
    expect(lapsed.status).toBe(200);
    expect(fhirSchemaErrors(lapsed.body)).toEqual([]);
    expect(lapsed.body).toMatchObject({ status: 'inactive', provision: { type: 'permit', period: { end: endDate } } });
    // The sweeper's next pass is a minute away (ACCESS_EXPIRY_INTERVAL_MS): nothing recorded yet, inactive all the same.
    expect((await participantEvents(api, someone.id)).map((e) => e.type)).not.toContain('AccessExpired');

    // Recorded as the sweeper records it: ExpireAccess on the participant's stream, by the system.
    const now = new Date().toISOString();
    await handleCommand(api.events, participantDecider, participantStream(someone.id), { type: 'ExpireAccess', grantId: grantId!, now }, { commandId: newId(), actor: ACCESS_EXPIRY_ACTOR, now, correlationId: newId(), causationId: newId() });
    const expired = await consentOf(grantId!);
    expect(fhirSchemaErrors(expired.body)).toEqual([]);
    const last = (await participantEvents(api, someone.id)).at(-1)!;
    expect(last.type).toBe('AccessExpired');
    expect(expired.body).toMatchObject({ status: 'inactive', meta: { versionId: String(last.revision) } });
  });

  describe('who may read it', () => {
    it.each([
      ['the lead administrator of the grant’s organisation', () => org.leadToken],
      ['the professional the grant is for', () => pro.token],
      ['the participant who gave it', () => active.participant.token],
      ['a platform administrator', () => admin],
      ['someone outside the directory', () => outsider],
    ])('refuses %s (403, problem+json)', async (_who, token) => {
      const response = await consentOf(active.grantId, token(), active.position);
      expect(response.status).toBe(403);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body.type).toMatch(/not-an-auditor$/);
    });

    it('answers an auditor 404 for a grant that does not exist, and 400 for an id that is not one', async () => {
      const unknown = await consentOf(newId());
      expect(unknown.status).toBe(404);
      expect(unknown.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(unknown.body.type).toMatch(/grant-not-found$/);
      const malformed = await consentOf('not-a-grant');
      expect(malformed.status).toBe(400);
      expect(malformed.headers['content-type']).toMatch(/^application\/problem\+json/);
    });

    it('refuses a non-auditor before saying whether the grant exists', async () => {
      expect((await consentOf(newId(), org.leadToken)).status).toBe(403);
    });
  });
});
