import { RecordedEvent, newId } from '@access-ledger/core';
import { auditEvents, stateAt } from '@access-ledger/audit';
import { participantDecider, participantStream, workflowStream } from '@access-ledger/care-access';
import { requestStream } from '@access-ledger/access-requests';
import { userStream } from '@access-ledger/directory';
import { toArray } from '@access-ledger/event-store';
import { AuditStreams } from '../apps/api/src/audit/audit-streams';
import { TestApi, bearer, startApi } from './support/api';
import { OrgFixture, addUser, registerOrg } from './support/directory';
import { addProfessional, addToWorkflow, answerPrompt, createWorkflow, enrol, participant, requestResults } from './support/care';

/**
 * The audit endpoints over real HTTP on real SQLite: timelines and states as of an instant for
 * every context, who could see what, raw streams, and the record every audit read leaves.
 */
describe('Audit API', () => {
  let api: TestApi;
  let admin: string;
  let auditor: string;
  let a: OrgFixture;
  let b: OrgFixture;
  let requester: { id: string; token: string };
  let spoc: { id: string; email: string; token: string };
  let pro: { id: string; email: string; token: string };
  let pat: { id: string; token: string };
  let requestId: string;
  let workflowId: string;
  let workflowB: string;
  let grantId: string;
  let userId: string;

  /** Successive steps get distinct instants, so that an instant between two of them exists. */
  const tick = () => new Promise((resolve) => setTimeout(resolve, 5));
  const ok = <R extends { status: number; body: any }>(response: R, status = 200): R => {
    if (response.status !== status) throw new Error(`${response.status} ${JSON.stringify(response.body)}`);
    return response;
  };
  const get = (path: string, token = auditor) => api.http.get(path).set(bearer(token));
  const midway = (from: string, to: string) => new Date((Date.parse(from) + Date.parse(to)) / 2).toISOString();
  const before = (iso: string) => new Date(Date.parse(iso) - 1).toISOString();
  /** Every audit read recorded so far, parsed through the audit catalogue. */
  const reads = async () => (await toArray(api.events.readAll({ filter: { streamPrefixes: ['auditlog-'] } }))).map(auditEvents.parse);

  beforeAll(async () => {
    api = await startApi();
    admin = await api.token({ email: 'ops@platform.example', roles: ['platform_admin'] });
    auditor = await api.token({ sub: 'sub-audrey', email: 'audrey@audit.example', roles: ['auditor'] });
    a = await registerOrg(api, admin, 'Northside');
    b = await registerOrg(api, admin, 'Southside');
    const spocUser = await addUser(api, a, { permissionLevel: 'recorder', spoc: true });
    spoc = { ...spocUser, token: await api.token({ email: spocUser.email }) };
    pro = await addProfessional(api, a);

    requester = { id: 'sub-rita', token: await api.token({ sub: 'sub-rita', email: 'rita@example.org' }) };
    requestId = ok(await api.http.post('/requests').set(bearer(requester.token)).send({ organisationId: a.orgId, application: 'vaccination-recorder' }), 201).body.id;
    await tick();
    ok(await api.http.post(`/requests/${requestId}/submit`).set(bearer(requester.token)).send());
    await tick();
    ok(await api.http.post(`/requests/${requestId}/reject`).set(bearer(spoc.token)).send({ reason: 'Use the shared account' }));

    userId = (await addUser(api, a, { permissionLevel: 'recorder' })).id;
    await tick();
    ok(await api.http.patch(`/organisations/${a.orgId}/users/${userId}`).set(bearer(a.leadToken)).send({ permissionLevel: 'administrator' }));
    await tick();
    ok(await api.http.post(`/organisations/${a.orgId}/users/${userId}/deactivate`).set(bearer(a.leadToken)).send({ reason: 'Left' }));

    workflowId = await createWorkflow(api, a, { allowAppendProfessionals: false });
    await tick();
    await addToWorkflow(api, a, workflowId, [pro.id], 30, 'Coaching sessions');
    workflowB = await createWorkflow(api, b);

    pat = await participant(api, 'Pat Park');
    await enrol(api, pat.token, workflowId);
    await tick();
    grantId = (await answerPrompt(api, pat.token, workflowId, pro.id)).grantId!;
    await tick();
    ok(await requestResults(api, pro.token, workflowId, pat.id));
    await tick();
    ok(await api.http.post(`/access/${grantId}/withdraw`).set(bearer(pat.token)).send());
    await tick();
    expect((await requestResults(api, pro.token, workflowId, pat.id)).status).toBe(403);
    await enrol(api, pat.token, workflowB);
  });
  afterAll(() => api.close());

  describe('timelines', () => {
    it('shows an access request’s events oldest first: sentence, actor, changes, reason, correlation', async () => {
      const { body } = ok(await get(`/audit/requests/${requestId}/timeline`));
      expect(body.streamId).toBe(requestStream(requestId));
      expect(body.revision).toBe(2);
      expect(body.entries.map((e: { type: string }) => e.type)).toEqual(['RequestCreated', 'ApprovalRequested', 'RequestRejected']);
      const stored = await api.events.readStream(requestStream(requestId));
      expect(body.entries.map((e: { position: number; at: string; correlationId: string }) => [e.position, e.at, e.correlationId])).toEqual(
        stored.map((e) => [e.position, e.metadata.occurredAt, e.metadata.correlationId]),
      );
      expect(body.entries[2]).toEqual({
        position: stored[2].position,
        revision: 2,
        at: stored[2].metadata.occurredAt,
        type: 'RequestRejected',
        actor: { id: expect.any(String), email: spoc.email, organisationId: a.orgId },
        summary: `Request ${requestId} rejected by ${spoc.email} as SPOC; status rejected`,
        changes: [
          { field: 'status', from: 'approval_requested', to: 'rejected' },
          { field: 'completedAt', from: null, to: stored[2].metadata.occurredAt },
          { field: 'decision', from: null, to: { by: { id: expect.any(String), email: spoc.email }, decidedAs: 'spoc', reason: 'Use the shared account', comment: null } },
        ],
        reason: 'Use the shared account',
        correlationId: stored[2].metadata.correlationId,
      });
      expect(body.entries[0]).not.toHaveProperty('reason');
    });

    it('shows a user’s, a workflow’s and a participant’s timeline', async () => {
      const user = ok(await get(`/audit/users/${userId}/timeline`)).body;
      expect(user.entries.map((e: { type: string }) => e.type)).toEqual(['UserAdded', 'UserPermissionLevelChanged', 'UserDeactivated']);
      expect(user.entries[1].changes).toEqual([{ field: 'rights[1]', from: null, to: expect.objectContaining({ permissionLevel: 'administrator' }) }]);
      // The account downstream is pending again from the deactivation (still pending from the add: only its time moves).
      expect(user.entries[2]).toMatchObject({
        reason: 'Left',
        changes: [
          { field: 'status', from: 'active', to: 'deactivated' },
          { field: 'account.at', from: user.entries[0].at, to: user.entries[2].at },
        ],
        actor: { email: a.leadEmail },
      });

      const workflow = ok(await get(`/audit/workflows/${workflowId}/timeline`)).body;
      expect(workflow.streamId).toBe(workflowStream(workflowId));
      expect(workflow.entries.map((e: { summary: string }) => e.summary)).toEqual([
        `Workflow ${workflowId} created in organisation ${a.orgId} by ${a.leadEmail}; appending professionals later not allowed`,
        `Professional ${pro.id} added to workflow ${workflowId} by ${a.leadEmail}: participants are asked for consent for 30 days`,
      ]);

      const timeline = ok(await get(`/audit/participants/${encodeURIComponent(pat.id)}/timeline`)).body;
      expect(timeline.streamId).toBe(participantStream(pat.id));
      expect(timeline.entries.map((e: { type: string }) => e.type)).toEqual([
        'ParticipantEnrolled',
        'ConsentGiven',
        'ResultsAccessRequested',
        'ConsentWithdrawn',
        'ResultsAccessRequested',
        'ParticipantEnrolled',
      ]);
      expect(timeline.entries[4]).toMatchObject({ actor: { email: pro.email }, summary: `${pro.email} asked for participant ${pat.id}'s results in workflow ${workflowId}: refused (consent_withdrawn)` });
      expect(timeline.entries[3].changes).toEqual(expect.arrayContaining([{ field: 'grants[0].status', from: 'active', to: 'withdrawn' }]));
    });

    it('answers 404 for an entity with no events, 400 for an id that is not one', async () => {
      for (const kind of ['requests', 'users', 'workflows']) {
        const missing = await get(`/audit/${kind}/${newId()}/timeline`);
        expect(missing.status).toBe(404);
        expect(missing.headers['content-type']).toMatch(/application\/problem\+json/);
        const bad = await get(`/audit/${kind}/not-a-uuid/timeline`);
        expect(bad.status).toBe(400);
        expect(bad.body.errors).toEqual([{ field: 'id', messages: ['id must be a UUID'] }]);
      }
      expect((await get('/audit/participants/nobody-at-all/timeline')).body.type).toMatch(/participant-not-found$/);
    });
  });

  describe('state as of an instant', () => {
    it('replays a request up to an instant between two events, to the end, and not before the first', async () => {
      const stored = await api.events.readStream(requestStream(requestId));
      const [created, submitted, rejected] = stored.map((e) => e.metadata.occurredAt);
      const between = ok(await get(`/audit/requests/${requestId}/state?asOf=${midway(submitted, rejected)}`)).body;
      expect(between).toEqual({
        asOf: midway(submitted, rejected),
        revision: 1,
        state: expect.objectContaining({ status: 'approval_requested', requestId, organisationId: a.orgId, completedAt: null, decision: null }),
      });
      expect(ok(await get(`/audit/requests/${requestId}/state?asOf=${rejected}`)).body).toMatchObject({ revision: 2, state: { status: 'rejected' } });
      const early = await get(`/audit/requests/${requestId}/state?asOf=${before(created)}`);
      expect(early.status).toBe(404);
      expect(early.body).toMatchObject({ type: expect.stringMatching(/not-yet-recorded$/), firstRecordedAt: created });
    });

    it('reads the instant in any offset and answers it in UTC', async () => {
      const [, submitted] = (await api.events.readStream(requestStream(requestId))).map((e) => e.metadata.occurredAt);
      const utc = new Date(Date.parse(submitted));
      const plusTwo = new Date(utc.getTime() + 2 * 3_600_000).toISOString().replace('Z', '+02:00');
      const { body } = ok(await get(`/audit/requests/${requestId}/state?asOf=${encodeURIComponent(plusTwo)}`));
      expect(body).toMatchObject({ asOf: submitted, revision: 1 });
    });

    it('replays a user and a workflow between two events', async () => {
      const [added, promoted] = (await api.events.readStream(userStream(userId))).map((e) => e.metadata.occurredAt);
      expect(ok(await get(`/audit/users/${userId}/state?asOf=${midway(added, promoted)}`)).body).toMatchObject({ revision: 0, state: { status: 'active', rights: [{ permissionLevel: 'recorder' }] } });
      expect(ok(await get(`/audit/users/${userId}/state?asOf=${new Date().toISOString()}`)).body).toMatchObject({ revision: 2, state: { status: 'deactivated' } });
      const [created, addedPro] = (await api.events.readStream(workflowStream(workflowId))).map((e) => e.metadata.occurredAt);
      expect(ok(await get(`/audit/workflows/${workflowId}/state?asOf=${midway(created, addedPro)}`)).body).toMatchObject({ revision: 0, state: { professionals: [] } });
      expect((await get(`/audit/workflows/${workflowId}/state?asOf=${before(created)}`)).status).toBe(404);
    });

    it('replays a grant: its part of the participant’s state, active between consent and withdrawal, withdrawn after, none before', async () => {
      const stored = await api.events.readStream(participantStream(pat.id));
      const [, consented, askedGranted, withdrawn] = stored.map((e) => e.metadata.occurredAt);
      const fresh = { 'X-Min-Position': String(stored.at(-1)!.position) };
      const during = ok(await get(`/audit/grants/${grantId}/state?asOf=${midway(consented, askedGranted)}`).set(fresh)).body;
      expect(during).toMatchObject({
        revision: 1,
        state: { participantId: pat.id, activeAt: true, assignment: null, grant: { grantId, status: 'active', basis: 'prior_consent', professional: { id: pro.id }, organisationId: a.orgId } },
      });
      expect(ok(await get(`/audit/grants/${grantId}/state?asOf=${withdrawn}`)).body).toMatchObject({ revision: 3, state: { activeAt: false, grant: { status: 'withdrawn', endedAt: withdrawn } } });
      const early = await get(`/audit/grants/${grantId}/state?asOf=${before(consented)}`);
      expect(early.status).toBe(404);
      expect(early.body).toMatchObject({ type: expect.stringMatching(/not-yet-recorded$/), firstRecordedAt: consented });
      expect((await get(`/audit/grants/${newId()}/state?asOf=${consented}`)).body.type).toMatch(/grant-not-found$/);
    });

    it('reads a stream only up to the instant, a page at a time, and folds the same state as from the whole stream', async () => {
      const streams = new AuditStreams(api.events, api.reads);
      const stream = participantStream(pat.id);
      const all = await api.events.readStream(stream);
      const at = midway(all[1].metadata.occurredAt, all[2].metadata.occurredAt);
      const read = await streams.readUpTo(stream, at, 2);
      // Pages [0, 1] and [2, 3]: the second page's last event occurred after the instant, so the reading stops there.
      expect(read.map((e) => e.revision)).toEqual([0, 1, 2, 3]);
      expect(stateAt(participantDecider, read, at)).toEqual(stateAt(participantDecider, all, at));
      expect((await streams.readUpTo(stream, new Date().toISOString(), 4)).map((e) => e.revision)).toEqual(all.map((e) => e.revision));
      expect(await streams.readUpTo(`request-${newId()}`, at)).toEqual([]);
    });

    it.each([
      ['no asOf', ''],
      ['a date without a time', '?asOf=2026-05-01'],
      ['a time without an offset', '?asOf=2026-05-01T09:00:00'],
      ['a day not in the calendar', '?asOf=2026-02-30T09:00:00Z'],
      ['words', '?asOf=yesterday'],
      ['asOf twice', '?asOf=2026-05-01T09:00:00Z&asOf=2026-05-02T09:00:00Z'],
      ['an unknown parameter', '?asOf=2026-05-01T09:00:00Z&at=2026-05-01T09:00:00Z'],
    ])('answers 400 naming asOf for %s', async (_case, query) => {
      const response = await get(`/audit/requests/${requestId}/state${query}`);
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(response.body.type).toMatch(/validation-failed$/);
      expect(response.body.errors.map((e: { field: string }) => e.field)).toEqual([query.includes('&at=') ? 'at' : 'asOf']);
    });

    it('answers 404 for an entity that never existed', async () => {
      for (const [kind, code] of [['requests', 'request-not-found'], ['users', 'user-not-found'], ['workflows', 'workflow-not-found']]) {
        expect((await get(`/audit/${kind}/${newId()}/state?asOf=2026-05-01T09:00:00Z`)).body.type).toMatch(new RegExp(`${code}$`));
      }
    });
  });

  describe('who could see what', () => {
    const access = (at: string, overrides: Record<string, string> = {}) =>
      get(`/audit/access?${new URLSearchParams({ participantId: pat.id, professionalId: pro.id, workflowId, at, ...overrides })}`);

    it('had access between consent and withdrawal: basis, granted by the participant, ended by them, the requests granted and refused', async () => {
      const stored = await api.events.readStream(participantStream(pat.id));
      const [enrolledAt, consented, askedGranted, withdrawn, askedRefused] = stored.map((e) => e.metadata.occurredAt);
      const { body } = ok(await access(midway(consented, askedGranted)));
      expect(body).toMatchObject({
        participantId: pat.id,
        professionalId: pro.id,
        workflowId,
        access: true,
        basis: 'prior_consent',
        revision: 1,
        enrolledAt,
        link: { status: 'active', grantId },
        grant: {
          grantId,
          from: consented,
          granted: { type: 'ConsentGiven', at: consented, by: { id: pat.id }, revision: 1 },
          ended: { how: 'withdrawn', at: withdrawn, recorded: { type: 'ConsentWithdrawn', by: { id: pat.id }, revision: 3 } },
        },
      });
      expect(body.resultsRequests.window).toMatchObject({ around: 'grant', marginDays: 7 });
      expect(body.resultsRequests.items).toEqual([
        expect.objectContaining({ at: askedGranted, decision: 'granted', grantId, grantVersion: 1, by: expect.objectContaining({ email: pro.email }) }),
        expect.objectContaining({ at: askedRefused, decision: 'refused', refusal: 'consent_withdrawn' }),
      ]);
    });

    it('had no access before consent or after withdrawal', async () => {
      const stored = await api.events.readStream(participantStream(pat.id));
      const [enrolledAt, consented, , withdrawn] = stored.map((e) => e.metadata.occurredAt);
      expect(ok(await access(midway(enrolledAt, consented))).body).toMatchObject({ access: false, grant: null, link: null, resultsRequests: { window: { around: 'at' } } });
      expect(ok(await access(withdrawn)).body).toMatchObject({ access: false, basis: null, link: { status: 'withdrawn' }, grant: { grantId, ended: { how: 'withdrawn' } } });
      expect(ok(await access(before(enrolledAt))).body).toMatchObject({ access: false, revision: null, enrolledAt: null });
    });

    it('answers 404 for a workflow or participant the log does not know, 400 for a missing or bad parameter', async () => {
      expect((await access(new Date().toISOString(), { workflowId: newId() })).body.type).toMatch(/workflow-not-found$/);
      expect((await access(new Date().toISOString(), { participantId: 'never-seen' })).body.type).toMatch(/participant-not-found$/);
      const bad = await get(`/audit/access?participantId=${pat.id}&professionalId=x&workflowId=${workflowId}&at=soon`);
      expect(bad.status).toBe(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['at', 'professionalId']);
      expect((await get(`/audit/access?professionalId=${pro.id}&workflowId=${workflowId}&at=2026-01-01T00:00:00Z`)).body.errors.map((e: { field: string }) => e.field)).toEqual(['participantId']);
    });
  });

  describe('raw history', () => {
    it('answers the stored events with their full metadata, a page at a time', async () => {
      const stored = await api.events.readStream(participantStream(pat.id));
      const { body } = ok(await get(`/audit/streams/${participantStream(pat.id)}`));
      expect(body).toEqual({ streamId: participantStream(pat.id), events: JSON.parse(JSON.stringify(stored)), nextRevision: null });
      expect(body.events[0].metadata).toEqual(expect.objectContaining({ occurredAt: expect.any(String), actor: expect.any(Object), correlationId: expect.any(String), causationId: expect.any(String), commandId: expect.any(String), schemaVersion: 1 }));
      const first = ok(await get(`/audit/streams/${participantStream(pat.id)}?limit=4`)).body;
      expect(first.events.map((e: RecordedEvent) => e.revision)).toEqual([0, 1, 2, 3]);
      expect(first.nextRevision).toBe(4);
      const rest = ok(await get(`/audit/streams/${participantStream(pat.id)}?limit=4&fromRevision=4`)).body;
      expect(rest.events.map((e: RecordedEvent) => e.revision)).toEqual([4, 5]);
      expect(rest.nextRevision).toBeNull();
      expect(ok(await get(`/audit/streams/${participantStream(pat.id)}?fromRevision=99`)).body).toMatchObject({ events: [], nextRevision: null });
    });

    it('answers 404 for a stream without events and 400 for what is no stream id', async () => {
      const missing = await get(`/audit/streams/request-${newId()}`);
      expect(missing.status).toBe(404);
      expect(missing.body.type).toMatch(/stream-not-found$/);
      for (const id of ['request', '-abc', 'Request-abc', 'request_x-abc', '$all', '%24ce-request', 'request-a%2Fb', `request-${'x'.repeat(129)}`]) {
        const response = await get(`/audit/streams/${id}`);
        expect([id, response.status, response.body.errors?.[0]?.field]).toEqual([id, 400, 'streamId']);
      }
      expect((await get(`/audit/streams/request-${requestId}?limit=1001`)).status).toBe(400);
    });
  });

  describe('the record of every audit read', () => {
    it('records who read what, when, with the organisation whose data it showed: one event per organisation', async () => {
      const already = (await reads()).length;
      ok(await get(`/audit/requests/${requestId}/timeline`));
      ok(await get(`/audit/participants/${encodeURIComponent(pat.id)}/timeline`));
      ok(await get(`/audit/requests/${requestId}/state?asOf=2099-01-01T00:00:00Z`));
      ok(await get(`/audit/grants/${grantId}/fhir`));
      const recorded = (await reads()).slice(already);
      expect(recorded.map((e) => [e.data.path, e.data.organisationId])).toEqual([
        [`/audit/requests/${requestId}/timeline`, a.orgId],
        ...[a.orgId, b.orgId].sort().map((org) => [`/audit/participants/${pat.id}/timeline`, org]),
        [`/audit/requests/${requestId}/state`, a.orgId],
        [`/audit/grants/${grantId}/fhir`, a.orgId],
      ]);
      expect(recorded[0].data).toEqual({ readId: expect.any(String), reader: { id: 'sub-audrey', email: 'audrey@audit.example' }, path: `/audit/requests/${requestId}/timeline`, query: {}, organisationId: a.orgId, readAt: recorded[0].metadata.occurredAt });
      expect(recorded[1].data.readId).toBe(recorded[2].data.readId);
      expect(recorded[1].streamId).toBe(`auditlog-${recorded[1].data.readId}`);
      expect(recorded[0].data.readId).not.toBe(recorded[1].data.readId);
      expect(recorded[3].data.query).toEqual({ asOf: '2099-01-01T00:00:00Z' });
      expect(recorded[3].metadata.actor).toMatchObject({ id: 'sub-audrey', email: 'audrey@audit.example', roles: ['auditor'] });
      expect(auditEvents.describe(recorded[3])).toBe(`audrey@audit.example read /audit/requests/${requestId}/state?asOf=2099-01-01T00%3A00%3A00Z (data of organisation ${a.orgId})`);
    });

    it('records the reads of participants and lead administrators too, and nothing for a read refused or not found', async () => {
      const already = (await reads()).length;
      ok(await get(`/audit/participants/${encodeURIComponent(pat.id)}/timeline`, pat.token));
      ok(await get(`/audit/workflows/${workflowId}/timeline`, a.leadToken));
      expect((await get(`/audit/workflows/${workflowId}/timeline`, b.leadToken)).status).toBe(403);
      expect((await get(`/audit/requests/${requestId}/state?asOf=2099-01-01T00:00:00Z`, a.leadToken)).status).toBe(403);
      expect((await get(`/audit/requests/${newId()}/timeline`)).status).toBe(404);
      expect((await get(`/audit/requests/${requestId}/state?asOf=never`)).status).toBe(400);
      const recorded = (await reads()).slice(already);
      expect(recorded.map((e) => [e.data.reader.id, e.data.path, e.data.organisationId])).toEqual([
        ...[a.orgId, b.orgId].sort().map((org) => [pat.id, `/audit/participants/${pat.id}/timeline`, org]),
        [expect.any(String), `/audit/workflows/${workflowId}/timeline`, a.orgId],
      ]);
      expect(recorded[2].data.reader.email).toBe(a.leadEmail);
    });

    it('records a read of no organisation’s data once, with organisationId null; a raw stream’s organisations are its events’', async () => {
      ok(await api.http.post('/requests').set(bearer(requester.token)).set('Idempotency-Key', 'audit-spec-1').send({ organisationId: b.orgId, application: 'x' }), 201);
      const [key] = await toArray(api.events.readAll({ filter: { streamPrefixes: ['idempotency-'] } }));
      const already = (await reads()).length;
      const firstRead = `auditlog-${(await reads())[0].data.readId}`;
      ok(await get(`/audit/streams/${key.streamId}`));
      ok(await get(`/audit/streams/${firstRead}`));
      const recorded = (await reads()).slice(already);
      expect(recorded.map((e) => [e.data.path, e.data.organisationId])).toEqual([
        [`/audit/streams/${key.streamId}`, null],
        [`/audit/streams/${firstRead}`, a.orgId],
      ]);
    });
  });
});
