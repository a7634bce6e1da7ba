import { newId } from '@access-ledger/core';
import { participantStream, workflowStream } from '@access-ledger/care-access';
import { TestApi, bearer, startApi } from './support/api';
import { OrgFixture, addUser, registerOrg } from './support/directory';
import { addProfessional, addToWorkflow, answerPrompt, assign, createWorkflow, enrol, inDays, participant, participantEvents, requestResults } from './support/care';

/**
 * Care access over real HTTP on real SQLite: every write endpoint, who may call it (each role,
 * own organisation and another), what is valid, and what it writes (or that it writes nothing).
 */
describe('Care access API: writes', () => {
  let api: TestApi;
  let admin: string;
  let auditor: string;
  let a: OrgFixture;
  let b: OrgFixture;
  let administratorA: string;
  let recorderA: string;
  let proA: { id: string; email: string; token: string };
  let proA2: { id: string; email: string; token: string };
  let proB: { id: string; email: string; token: string };
  let outsider: string;

  beforeAll(async () => {
    api = await startApi();
    admin = await api.token({ email: 'ops@platform.example', roles: ['platform_admin'] });
    auditor = await api.token({ email: 'audit@platform.example', roles: ['auditor'] });
    a = await registerOrg(api, admin, 'Northside Coaching');
    b = await registerOrg(api, admin, 'Southside Clinic');
    administratorA = await api.token({ email: (await addUser(api, a, { permissionLevel: 'administrator' })).email });
    recorderA = await api.token({ email: (await addUser(api, a, { permissionLevel: 'recorder' })).email });
    proA = await addProfessional(api, a, { firstName: 'Nora', lastName: 'Nurse' });
    proA2 = await addProfessional(api, a, { firstName: 'Cole', lastName: 'Coach' });
    proB = await addProfessional(api, b);
    outsider = await api.token({ sub: 'someone', email: 'someone@elsewhere.example' });
  });
  afterAll(() => api.close());

  const streamLength = async (stream: string) => (await api.events.readStream(stream)).length;

  describe('creating workflows and changing their settings', () => {
    it('lets administrators and lead administrators of the organisation create a workflow', async () => {
      for (const token of [a.leadToken, administratorA]) {
        const response = await api.http.post(`/organisations/${a.orgId}/workflows`).set(bearer(token)).send({ name: 'Diabetes coaching', project: 'Healthy North', allowAppendProfessionals: false });
        expect(response.status).toBe(201);
        expect(response.body).toEqual({ id: expect.any(String), position: expect.any(Number) });
        expect(response.headers.etag).toBe('"0"');
        const [event] = await api.events.readStream(workflowStream(response.body.id));
        expect(event).toMatchObject({ type: 'WorkflowCreated', data: { organisationId: a.orgId, name: 'Diabetes coaching', project: 'Healthy North', allowAppendProfessionals: false } });
      }
    });

    it.each([
      ['a recorder of the organisation', () => recorderA, 403, 'not-an-administrator'],
      ['a professional of the organisation', () => proA.token, 403, 'not-an-administrator'],
      ['the lead administrator of another organisation', () => b.leadToken, 403, 'not-an-administrator'],
      ['a platform administrator', () => admin, 403, 'not-an-administrator'],
      ['an auditor (who never writes)', () => auditor, 403, 'auditor-read-only'],
      ['someone outside the directory', () => outsider, 403, 'not-an-administrator'],
    ])('refuses %s, writing nothing', async (_who, token, status, code) => {
      const before = await countAll();
      const response = await api.http.post(`/organisations/${a.orgId}/workflows`).set(bearer(token())).send({ name: 'Not mine', allowAppendProfessionals: true });
      expect(response.status).toBe(status);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(response.body.type).toMatch(new RegExp(`${code}$`));
      expect(await countAll()).toBe(before);
    });

    it('answers 404 for an organisation that does not exist, and 400 for bad input', async () => {
      expect((await api.http.post(`/organisations/${newId()}/workflows`).set(bearer(a.leadToken)).send({ name: 'X', allowAppendProfessionals: true })).status).toBe(404);
      const missing = await api.http.post(`/organisations/${a.orgId}/workflows`).set(bearer(a.leadToken)).send({ name: 'X' });
      expect(missing.status).toBe(400);
      expect(JSON.stringify(missing.body)).toMatch(/allowAppendProfessionals/);
      expect((await api.http.post(`/organisations/${a.orgId}/workflows`).set(bearer(a.leadToken)).send({ name: '   ', allowAppendProfessionals: true })).status).toBe(400);
      expect((await api.http.post(`/organisations/${a.orgId}/workflows`).set(bearer(a.leadToken)).send({ name: 'x'.repeat(201), allowAppendProfessionals: true })).status).toBe(400);
    });

    it('changes allowAppendProfessionals with the version shown, and refuses a stale one (412) or another organisation (404)', async () => {
      const workflowId = await createWorkflow(api, a, { allowAppendProfessionals: false });
      const path = `/organisations/${a.orgId}/workflows/${workflowId}`;
      const changed = await api.http.patch(path).set(bearer(administratorA)).set('If-Match', '"0"').send({ allowAppendProfessionals: true });
      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({ id: workflowId, allowAppendProfessionals: true });
      expect(changed.headers.etag).toBe('"1"');
      expect((await api.http.patch(path).set(bearer(administratorA)).set('If-Match', '"0"').send({ allowAppendProfessionals: false })).status).toBe(412);
      const unchanged = await api.http.patch(path).set(bearer(administratorA)).send({ allowAppendProfessionals: true });
      expect(unchanged.status).toBe(200);
      expect(await streamLength(workflowStream(workflowId))).toBe(2);
      expect((await api.http.patch(path).set(bearer(recorderA)).send({ allowAppendProfessionals: false })).status).toBe(403);
      expect((await api.http.patch(`/organisations/${b.orgId}/workflows/${workflowId}`).set(bearer(b.leadToken)).send({ allowAppendProfessionals: false })).status).toBe(404);
      expect(await streamLength(workflowStream(workflowId))).toBe(2);
    });
  });

  describe('option 1: professionals added up front', () => {
    it('adds professionals of the organisation with days and a reason; the same professional again is 409 and nothing is written', async () => {
      const workflowId = await createWorkflow(api, a);
      const added = await api.http.post(`/organisations/${a.orgId}/workflows/${workflowId}/professionals`).set(bearer(administratorA)).send({ professionalIds: [proA.id, proA2.id], days: 90, reason: 'Weekly coaching calls' });
      expect(added.status).toBe(201);
      expect(added.body).toEqual({ professionalIds: [proA.id, proA2.id], position: expect.any(Number) });
      const events = await api.events.readStream(workflowStream(workflowId));
      expect(events.slice(1).map((e) => [e.type, e.data.professional.id, e.data.days, e.data.reason])).toEqual([
        ['ProfessionalAddedToWorkflow', proA.id, 90, 'Weekly coaching calls'],
        ['ProfessionalAddedToWorkflow', proA2.id, 90, 'Weekly coaching calls'],
      ]);
      expect(events[1].data.professional.name).toBe('Nora Nurse');

      const again = await api.http.post(`/organisations/${a.orgId}/workflows/${workflowId}/professionals`).set(bearer(a.leadToken)).send({ professionalIds: [proA.id], days: 365, reason: 'Longer' });
      expect(again.status).toBe(409);
      expect(again.body.type).toMatch(/professional-already-added$/);
      expect(await streamLength(workflowStream(workflowId))).toBe(3);
    });

    it.each([
      ['days 0', { days: 0 }, 400],
      ['days 3651', { days: 3651 }, 400],
      ['days 1.5', { days: 1.5 }, 400],
      ['an empty reason', { reason: '' }, 400],
      ['a reason of 501 characters', { reason: 'r'.repeat(501) }, 400],
      ['no professionals', { professionalIds: [] }, 400],
    ])('refuses %s (400), writing nothing', async (_what, change, status) => {
      const workflowId = await createWorkflow(api, a);
      const response = await api.http.post(`/organisations/${a.orgId}/workflows/${workflowId}/professionals`).set(bearer(a.leadToken)).send({ professionalIds: [proA.id], days: 30, reason: 'Coaching', ...change });
      expect(response.status).toBe(status);
      expect(await streamLength(workflowStream(workflowId))).toBe(1);
    });

    it('accepts 1 and 3650 days', async () => {
      for (const days of [1, 3650]) {
        const workflowId = await createWorkflow(api, a);
        expect((await api.http.post(`/organisations/${a.orgId}/workflows/${workflowId}/professionals`).set(bearer(a.leadToken)).send({ professionalIds: [proA.id], days, reason: 'Coaching' })).status).toBe(201);
      }
    });

    it('adds only professionals of the workflow’s organisation: another organisation’s is 404, a user without the designation 400, and none of the list is added', async () => {
      const workflowId = await createWorkflow(api, a);
      const path = `/organisations/${a.orgId}/workflows/${workflowId}/professionals`;
      const other = await api.http.post(path).set(bearer(a.leadToken)).send({ professionalIds: [proA.id, proB.id], days: 30, reason: 'Coaching' });
      expect(other.status).toBe(404);
      expect(other.body.type).toMatch(/professional-not-found$/);
      const plain = await addUser(api, a, { permissionLevel: 'recorder' });
      const notAPro = await api.http.post(path).set(bearer(a.leadToken)).send({ professionalIds: [plain.id], days: 30, reason: 'Coaching' });
      expect(notAPro.status).toBe(400);
      expect(notAPro.body.type).toMatch(/not-a-professional$/);
      expect(await streamLength(workflowStream(workflowId))).toBe(1);
    });

    it('refuses recorders, professionals and another organisation’s administrators (403), and a workflow of another organisation (404)', async () => {
      const workflowId = await createWorkflow(api, a);
      const body = { professionalIds: [proA.id], days: 30, reason: 'Coaching' };
      for (const token of [recorderA, proA.token, b.leadToken, admin, outsider]) {
        expect((await api.http.post(`/organisations/${a.orgId}/workflows/${workflowId}/professionals`).set(bearer(token)).send(body)).status).toBe(403);
      }
      expect((await api.http.post(`/organisations/${b.orgId}/workflows/${workflowId}/professionals`).set(bearer(b.leadToken)).send({ ...body, professionalIds: [proB.id] })).status).toBe(404);
      expect(await streamLength(workflowStream(workflowId))).toBe(1);
    });

    it('prompts a participant on enrolling for each professional, also for one added later; accepting grants until acceptance + days, declining grants nothing', async () => {
      const workflowId = await createWorkflow(api, a, { allowAppendProfessionals: false });
      await addToWorkflow(api, a, workflowId, [proA.id], 14, 'Two weeks of coaching');
      const pat = await participant(api);
      const enrolled = await enrol(api, pat.token, workflowId);
      expect(enrolled).toEqual({
        consentPrompts: [{ professionalId: proA.id, name: 'Nora Nurse', days: 14, reason: 'Two weeks of coaching' }],
        appendConsentAsked: false,
        position: expect.any(Number),
      });
      await addToWorkflow(api, a, workflowId, [proA2.id], 7, 'A week');

      const accepted = await answerPrompt(api, pat.token, workflowId, proA.id, 'accept');
      expect(accepted.status).toBe('active');
      const [enrolledEvent, given] = await participantEvents(api, pat.id);
      expect(enrolledEvent.type).toBe('ParticipantEnrolled');
      expect(given).toMatchObject({ type: 'ConsentGiven', data: { professional: { id: proA.id }, basis: 'prior_consent', grantId: accepted.grantId, until: accepted.until } });
      expect(Date.parse(accepted.until!) - Date.parse(given.data.from)).toBe(14 * 86_400_000);

      const declined = await answerPrompt(api, pat.token, workflowId, proA2.id, 'decline');
      expect(declined).toEqual({ status: 'declined', position: expect.any(Number) });
      const again = await api.http.post(`/workflows/${workflowId}/consents`).set(bearer(pat.token)).send({ professionalId: proA2.id, decision: 'accept' });
      expect(again.status).toBe(409);
      expect((await participantEvents(api, pat.id)).map((e) => e.type)).toEqual(['ParticipantEnrolled', 'ConsentGiven', 'ConsentDeclined']);

      expect((await requestResults(api, proA.token, workflowId, pat.id)).status).toBe(200);
      const refused = await requestResults(api, proA2.token, workflowId, pat.id);
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ type: expect.stringMatching(/no-consent$/), reason: 'consent_declined' });
    });

    it('refuses enrolling twice (409), appendConsent in a workflow that does not append (400), an unknown workflow (404), and a prompt that does not exist (404)', async () => {
      const workflowId = await createWorkflow(api, a, { allowAppendProfessionals: false });
      const pat = await participant(api);
      const wrong = await api.http.post(`/workflows/${workflowId}/enrolments`).set(bearer(pat.token)).send({ appendConsent: true });
      expect(wrong.status).toBe(400);
      expect(wrong.body.type).toMatch(/append-consent-not-asked$/);
      expect(await participantEvents(api, pat.id)).toHaveLength(0);
      await enrol(api, pat.token, workflowId);
      expect((await api.http.post(`/workflows/${workflowId}/enrolments`).set(bearer(pat.token)).send({})).status).toBe(409);
      expect((await api.http.post(`/workflows/${newId()}/enrolments`).set(bearer(pat.token)).send({})).status).toBe(404);
      const noPrompt = await api.http.post(`/workflows/${workflowId}/consents`).set(bearer(pat.token)).send({ professionalId: proA.id, decision: 'accept' });
      expect(noPrompt.status).toBe(404);
      expect((await api.http.post(`/workflows/${workflowId}/consents`).set(bearer(pat.token)).send({ professionalId: proA.id, decision: 'maybe' })).status).toBe(400);
      const stranger = await participant(api);
      expect((await api.http.post(`/workflows/${workflowId}/consents`).set(bearer(stranger.token)).send({ professionalId: proA.id, decision: 'accept' })).status).toBe(404);
      expect(await participantEvents(api, pat.id)).toHaveLength(1);
    });
  });

  describe('option 2: assigning professionals later', () => {
    it('is active at once for a participant who allowed appending, and pending with a mail request for one who did not', async () => {
      const workflowId = await createWorkflow(api, a, { allowAppendProfessionals: true });
      const yes = await participant(api, 'Yara Yes');
      const no = await participant(api, 'Noel No');
      expect((await enrol(api, yes.token, workflowId, { appendConsent: true })).appendConsentAsked).toBe(true);
      await enrol(api, no.token, workflowId, { appendConsent: false });
      const endDate = inDays(60);
      const response = await assign(api, a, { workflowId, professionalId: proA.id, participantIds: [yes.id, no.id], endDate, reason: 'Follow-up after discharge' }, administratorA);
      expect(response.status).toBe(201);
      expect(response.body.assignments).toEqual([
        { id: expect.any(String), participantId: yes.id, status: 'active' },
        { id: expect.any(String), participantId: no.id, status: 'pending_consent' },
      ]);
      const [, assignedYes] = await participantEvents(api, yes.id);
      expect(assignedYes).toMatchObject({ type: 'ProfessionalAssigned', data: { status: 'active', grantId: expect.any(String), endDate } });
      const [, assignedNo, requested] = await participantEvents(api, no.id);
      expect(assignedNo).toMatchObject({ type: 'ProfessionalAssigned', data: { status: 'pending_consent', grantId: null } });
      expect(requested).toMatchObject({
        type: 'ConsentRequested',
        data: {
          assignmentId: response.body.assignments[1].id,
          participant: { id: no.id, email: `${no.id}@people.example`, name: 'Noel No' },
          workflowName: 'Coaching',
          professional: { id: proA.id, name: 'Nora Nurse' },
          endDate,
          reason: 'Follow-up after discharge',
          consentPath: `/assignments/${response.body.assignments[1].id}/consent`,
        },
      });

      expect(await requestResults(api, proA.token, workflowId, yes.id)).toMatchObject({ status: 200, body: { allowed: true, basis: 'append_consent', until: endDate } });
      const pending = await requestResults(api, proA.token, workflowId, no.id);
      expect(pending.status).toBe(403);
      expect(pending.body.reason).toBe('consent_pending');

      const assignmentId = response.body.assignments[1].id;
      expect((await api.http.post(`/assignments/${assignmentId}/consent`).set(bearer(yes.token)).send({ decision: 'accept' })).status).toBe(404);
      const accepted = await api.http.post(`/assignments/${assignmentId}/consent`).set(bearer(no.token)).send({ decision: 'accept' });
      expect(accepted.status).toBe(200);
      expect(accepted.body).toMatchObject({ status: 'active', until: endDate, grantId: expect.any(String) });
      expect((await api.http.post(`/assignments/${assignmentId}/consent`).set(bearer(no.token)).send({ decision: 'decline' })).status).toBe(409);
      expect(await requestResults(api, proA.token, workflowId, no.id)).toMatchObject({ status: 200, body: { basis: 'mail_consent' } });
    });

    it('refuses the whole assignment, writing nothing, when any participant is not enrolled, the end date is past, or the workflow does not append', async () => {
      const workflowId = await createWorkflow(api, a, { allowAppendProfessionals: true });
      const enrolled = await participant(api);
      await enrol(api, enrolled.token, workflowId, { appendConsent: true });
      const stranger = await participant(api);
      const notEnrolled = await assign(api, a, { workflowId, professionalId: proA.id, participantIds: [enrolled.id, stranger.id] });
      expect(notEnrolled.status).toBe(404);
      expect(notEnrolled.body).toMatchObject({ type: expect.stringMatching(/participant-not-enrolled$/), participantId: stranger.id });
      const past = await assign(api, a, { workflowId, professionalId: proA.id, participantIds: [enrolled.id], endDate: inDays(-1) });
      expect(past.status).toBe(400);
      expect(past.body.type).toMatch(/end-date-not-in-future$/);
      expect((await assign(api, a, { workflowId, professionalId: proA.id, participantIds: [enrolled.id], endDate: 'tomorrow' })).status).toBe(400);
      expect((await assign(api, a, { workflowId, professionalId: proA.id, participantIds: [enrolled.id, enrolled.id] })).status).toBe(400);
      expect(await participantEvents(api, enrolled.id)).toHaveLength(1);

      const closed = await createWorkflow(api, a, { allowAppendProfessionals: false });
      const p = await participant(api);
      await enrol(api, p.token, closed);
      const notAllowed = await assign(api, a, { workflowId: closed, professionalId: proA.id, participantIds: [p.id] });
      expect(notAllowed.status).toBe(409);
      expect(notAllowed.body.type).toMatch(/appending-not-allowed$/);
    });

    it('assigns only professionals of the organisation, only for its administrators, only in its workflows', async () => {
      const workflowId = await createWorkflow(api, a, { allowAppendProfessionals: true });
      const p = await participant(api);
      await enrol(api, p.token, workflowId, { appendConsent: true });
      expect((await assign(api, a, { workflowId, professionalId: proB.id, participantIds: [p.id] })).status).toBe(404);
      for (const token of [recorderA, proA.token, b.leadToken, admin, auditor, outsider]) {
        expect((await assign(api, a, { workflowId, professionalId: proA.id, participantIds: [p.id] }, token)).status).toBe(403);
      }
      expect((await assign(api, b, { workflowId, professionalId: proB.id, participantIds: [p.id] })).status).toBe(404);
      expect(await participantEvents(api, p.id)).toHaveLength(1);
      const twice = await assign(api, a, { workflowId, professionalId: proA.id, participantIds: [p.id] });
      expect(twice.status).toBe(201);
      expect((await assign(api, a, { workflowId, professionalId: proA.id, participantIds: [p.id] })).status).toBe(409);
    });
  });

  describe('withdrawal and results requests', () => {
    it('withdraws at once: the next results request is refused, both are recorded; only the participant can withdraw', async () => {
      const workflowId = await createWorkflow(api, a);
      await addToWorkflow(api, a, workflowId, [proA.id]);
      const pat = await participant(api);
      await enrol(api, pat.token, workflowId);
      const { grantId } = await answerPrompt(api, pat.token, workflowId, proA.id);
      const granted = await requestResults(api, proA.token, workflowId, pat.id);
      expect(granted.status).toBe(200);
      expect(granted.body).toEqual({ allowed: true, until: expect.any(String), basis: 'prior_consent', grantId, position: expect.any(Number) });

      const other = await participant(api);
      expect((await api.http.post(`/access/${grantId}/withdraw`).set(bearer(other.token)).send()).status).toBe(404);
      expect((await api.http.post(`/access/${grantId}/withdraw`).set(bearer(proA.token)).send()).status).toBe(404);
      const withdrawn = await api.http.post(`/access/${grantId}/withdraw`).set(bearer(pat.token)).send();
      expect(withdrawn.status).toBe(200);
      expect(withdrawn.body).toMatchObject({ grantId, status: 'withdrawn' });
      expect((await api.http.post(`/access/${grantId}/withdraw`).set(bearer(pat.token)).send()).status).toBe(409);

      const refused = await requestResults(api, proA.token, workflowId, pat.id);
      expect(refused.status).toBe(403);
      expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(refused.body).toMatchObject({ type: expect.stringMatching(/no-consent$/), reason: 'consent_withdrawn' });
      const events = await participantEvents(api, pat.id);
      expect(events.map((e) => e.type)).toEqual(['ParticipantEnrolled', 'ConsentGiven', 'ResultsAccessRequested', 'ConsentWithdrawn', 'ResultsAccessRequested']);
      expect(events[2].data).toMatchObject({ decision: 'granted', grantId, basis: 'prior_consent', professionalId: proA.id, grantVersion: 1 });
      expect(events[2].metadata.actor.email).toBe(proA.email);
      expect(events[4].data).toMatchObject({ decision: 'refused', refusal: 'consent_withdrawn', grantId, professionalId: proA.id });
    });

    it('records refusals for people who are not professionals of the workflow’s organisation, and answers 404 (recording nothing) for someone not enrolled', async () => {
      const workflowId = await createWorkflow(api, a);
      await addToWorkflow(api, a, workflowId, [proA.id]);
      const pat = await participant(api);
      await enrol(api, pat.token, workflowId);
      await answerPrompt(api, pat.token, workflowId, proA.id);
      for (const token of [proB.token, a.leadToken, recorderA, outsider]) {
        const response = await requestResults(api, token, workflowId, pat.id);
        expect(response.status).toBe(403);
        expect(response.body).toMatchObject({ type: expect.stringMatching(/no-consent$/), reason: 'not_a_professional' });
      }
      // An auditor never writes, so their request is refused at the door and not recorded.
      expect((await requestResults(api, auditor, workflowId, pat.id)).body.type).toMatch(/auditor-read-only$/);
      expect((await participantEvents(api, pat.id)).filter((e) => e.type === 'ResultsAccessRequested').map((e) => e.data.decision)).toEqual(['refused', 'refused', 'refused', 'refused']);
      const nobody = await participant(api);
      const missing = await requestResults(api, proA.token, workflowId, nobody.id);
      expect(missing.status).toBe(404);
      expect(await participantEvents(api, nobody.id)).toHaveLength(0);
      expect((await requestResults(api, proA.token, newId(), pat.id)).status).toBe(404);
      expect(await streamLength(participantStream(pat.id))).toBe(6);
    });

    it('answers 400 naming participantId for a path id no token could carry as its sub', async () => {
      const workflowId = await createWorkflow(api, a);
      for (const id of ['x'.repeat(256), 'bad%01id', 'rtl%E2%80%AEid']) {
        const response = await api.http.post(`/workflows/${workflowId}/participants/${id}/results-access`).set(bearer(proA.token)).send();
        expect(response.status).toBe(400);
        expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(JSON.stringify(response.body)).toMatch(/participantId/);
      }
    });

    it('refuses a deactivated professional at the door, recording nothing', async () => {
      const workflowId = await createWorkflow(api, a);
      const pro = await addProfessional(api, a);
      await addToWorkflow(api, a, workflowId, [pro.id]);
      const pat = await participant(api);
      await enrol(api, pat.token, workflowId);
      await answerPrompt(api, pat.token, workflowId, pro.id);
      expect((await api.http.post(`/organisations/${a.orgId}/users/${pro.id}/deactivate`).set(bearer(a.leadToken)).send({})).status).toBe(200);
      expect((await requestResults(api, pro.token, workflowId, pat.id)).status).toBe(403);
      expect((await participantEvents(api, pat.id)).map((e) => e.type)).toEqual(['ParticipantEnrolled', 'ConsentGiven']);
    });
  });

  async function countAll() {
    let n = 0;
    for await (const _ of api.events.readAll()) n += 1;
    return n;
  }
});
