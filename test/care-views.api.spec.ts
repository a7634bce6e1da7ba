import { newId } from '@access-ledger/core';
import { rebuildProjection } from '@access-ledger/projection-runner';
import { careParticipantsProjection, careResultsRequestsProjection, careWorkflowsProjection } from '@access-ledger/projections';
import { AccessExpiry } from '@access-ledger/platform';
import { TestApi, bearer, startApi } from './support/api';
import { OrgFixture, registerOrg } from './support/directory';
import { addProfessional, addToWorkflow, answerPrompt, assign, createWorkflow, enrol, participant, requestResults } from './support/care';

type Pro = Awaited<ReturnType<typeof addProfessional>>;
type Person = Awaited<ReturnType<typeof participant>>;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Care access's read endpoints over real HTTP on real SQLite, seeded through the write
 * endpoints: the workflows list, a workflow's professionals and participants overview, the
 * participant's consent prompts, a professional's participants and "who may see my results".
 * Who may call each is test/read-policy.api.spec.ts.
 */
describe('Care access API: reads', () => {
  let api: TestApi;
  let admin: string;
  let auditor: string;
  let a: OrgFixture;
  let b: OrgFixture;
  let p1: Pro;
  let p2: Pro;
  let p3: Pro;
  let coaching: string;
  let aardvark: string;
  let ofB: string;
  const people = {} as Record<'ann' | 'bob' | 'cat' | 'dan' | 'eve', Person>;
  let catGrant: string;
  let annGrant: string;
  let last = 0;
  const seen = <T extends { position?: number }>(body: T) => {
    last = Math.max(last, body.position ?? 0);
    return body;
  };
  const get = (path: string, token: string) => api.http.get(path).set(bearer(token)).set('X-Min-Position', String(last));

  beforeAll(async () => {
    // The sweeper's own passes would record expiries while the tests look at links not yet recorded expired; the test runs one itself.
    api = await startApi({ ACCESS_EXPIRY_INTERVAL_MS: '86400000' });
    admin = await api.token({ email: 'ops@platform.example', roles: ['platform_admin'] });
    auditor = await api.token({ email: 'audit@platform.example', roles: ['auditor'] });
    a = await registerOrg(api, admin, 'Northside Coaching');
    b = await registerOrg(api, admin, 'Southside Clinic');
    p1 = await addProfessional(api, a, { firstName: 'Nora', lastName: 'Nurse' });
    p2 = await addProfessional(api, a, { firstName: 'Cole', lastName: 'Coach' });
    p3 = await addProfessional(api, a, { firstName: 'Otto', lastName: 'Other' });
    coaching = await createWorkflow(api, a, { name: 'Coaching', project: 'Healthy North', allowAppendProfessionals: true });
    aardvark = await createWorkflow(api, a, { name: 'aardvark study', allowAppendProfessionals: false });
    ofB = await createWorkflow(api, b, { name: 'Elsewhere' });
    seen(await addToWorkflow(api, a, coaching, [p1.id, p2.id], 30, 'Coaching sessions'));
    for (const [key, name] of [['ann', 'Ann Archer'], ['bob', 'Bob Baker'], ['cat', 'Cat Cole'], ['dan', 'Dan Dale'], ['eve', 'Eve Eden']] as const) {
      people[key] = await participant(api, name);
    }
    const { ann, bob, cat, dan, eve } = people;
    seen(await enrol(api, ann.token, coaching, { appendConsent: true }));
    annGrant = seen(await answerPrompt(api, ann.token, coaching, p1.id)).grantId!;
    seen(await answerPrompt(api, ann.token, coaching, p2.id, 'decline'));
    seen(await enrol(api, bob.token, coaching));
    seen(await enrol(api, cat.token, coaching));
    catGrant = seen(await answerPrompt(api, cat.token, coaching, p1.id)).grantId!;
    seen((await api.http.post(`/access/${catGrant}/withdraw`).set(bearer(cat.token)).send()).body);
    seen(await enrol(api, dan.token, coaching, { appendConsent: false }));
    const pending = await assign(api, a, { workflowId: coaching, professionalId: p3.id, participantIds: [dan.id] });
    if (pending.status !== 201) throw new Error(`assign: ${pending.status} ${JSON.stringify(pending.body)}`);
    seen(pending.body);
    seen(await enrol(api, eve.token, coaching, { appendConsent: true }));
    seen(await enrol(api, ann.token, ofB));
  });
  afterAll(() => api.close());

  describe('GET /organisations/:orgId/workflows', () => {
    it('lists the organisation’s workflows by name, ignoring case, with their numbers of professionals and participants', async () => {
      const response = await get(`/organisations/${a.orgId}/workflows`, a.leadToken);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        items: [
          {
            id: aardvark,
            name: 'aardvark study',
            project: null,
            allowAppendProfessionals: false,
            professionals: 0,
            participants: 0,
            createdAt: expect.any(String),
            updatedAt: expect.any(String),
          },
          {
            id: coaching,
            name: 'Coaching',
            project: 'Healthy North',
            allowAppendProfessionals: true,
            professionals: 2,
            participants: 5,
            createdAt: expect.any(String),
            updatedAt: expect.any(String),
          },
        ],
        total: 2,
        totalIsLowerBound: false,
        page: 1,
        pageSize: 25,
        nextCursor: null,
      });
      // The workflow of B is only in B's list.
      expect((await get(`/organisations/${b.orgId}/workflows`, b.leadToken)).body.items.map((w: { id: string; participants: number }) => [w.id, w.participants])).toEqual([[ofB, 1]]);
    });

    it('pages by number and by cursor, and sorts by creation', async () => {
      const first = await get(`/organisations/${a.orgId}/workflows?pageSize=1&sort=-createdAt`, auditor);
      expect(first.body).toMatchObject({ items: [{ id: aardvark }], total: 2, page: 1, nextCursor: expect.any(String) });
      const next = await get(`/organisations/${a.orgId}/workflows?pageSize=1&sort=-createdAt&after=${first.body.nextCursor}`, auditor);
      expect(next.body).toMatchObject({ items: [{ id: coaching }], page: null, nextCursor: null });
      expect((await get(`/organisations/${a.orgId}/workflows?pageSize=1&page=2&sort=createdAt`, auditor)).body.items.map((w: { id: string }) => w.id)).toEqual([aardvark]);
    });

    it.each([
      ['sort=size', 'sort'],
      ['pageSize=0', 'pageSize'],
      ['pageSize=101', 'pageSize'],
      ['page=x', 'page'],
    ])('refuses %s naming %s', async (query, field) => {
      const response = await get(`/organisations/${a.orgId}/workflows?${query}`, a.leadToken);
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it('refuses a cursor of another list', async () => {
      const first = await get(`/organisations/${a.orgId}/workflows?pageSize=1`, auditor);
      const response = await get(`/organisations/${a.orgId}/workflows?pageSize=1&sort=-name&after=${first.body.nextCursor}`, auditor);
      expect([response.status, response.body.type]).toEqual([400, 'urn:access-ledger:problem:invalid-cursor']);
    });
  });

  describe('GET /organisations/:orgId/workflows/:workflowId/professionals', () => {
    it('lists the professionals added up front with their days, reason and when, and the workflow’s version as ETag', async () => {
      const response = await get(`/organisations/${a.orgId}/workflows/${coaching}/professionals`, a.leadToken);
      expect(response.status).toBe(200);
      expect(response.headers.etag).toBe('"2"'); // created, then one ProfessionalAddedToWorkflow per professional
      expect(response.body).toEqual({
        items: [
          { professionalId: p1.id, name: 'Nora Nurse', days: 30, reason: 'Coaching sessions', addedAt: expect.any(String) },
          { professionalId: p2.id, name: 'Cole Coach', days: 30, reason: 'Coaching sessions', addedAt: expect.any(String) },
        ],
      });
    });

    it('is an empty list for a workflow without any', async () => {
      const response = await get(`/organisations/${a.orgId}/workflows/${aardvark}/professionals`, auditor);
      expect([response.status, response.body, response.headers.etag]).toEqual([200, { items: [] }, '"0"']);
    });

    it('answers 404 workflow-not-found for a workflow of another organisation or none, and 400 for an id that is not one', async () => {
      for (const path of [`/organisations/${a.orgId}/workflows/${ofB}/professionals`, `/organisations/${a.orgId}/workflows/${newId()}/professionals`]) {
        const response = await get(path, a.leadToken);
        expect([response.status, response.body.type]).toEqual([404, 'urn:access-ledger:problem:workflow-not-found']);
      }
      const bad = await get(`/organisations/${a.orgId}/workflows/nope/professionals`, a.leadToken);
      expect([bad.status, bad.body.errors?.[0]?.field]).toEqual([400, 'workflowId']);
    });
  });

  describe('GET /organisations/:orgId/workflows/:workflowId/participants', () => {
    const overview = (query = '', token = a.leadToken) => get(`/organisations/${a.orgId}/workflows/${coaching}/participants${query ? `?${query}` : ''}`, token);
    const byName = (body: { items: { name: string; professionals: { name: string; status: string }[] }[] }) =>
      Object.fromEntries(body.items.map((item) => [item.name, item.professionals.map((p) => `${p.name}: ${p.status}`)]));

    it('shows each participant with their append consent and, per professional, the link as it stands now', async () => {
      const response = await overview();
      expect(response.status).toBe(200);
      expect(byName(response.body)).toEqual({
        'Ann Archer': ['Nora Nurse: active', 'Cole Coach: declined'],
        'Bob Baker': ['Nora Nurse: prompted', 'Cole Coach: prompted'],
        'Cat Cole': ['Nora Nurse: withdrawn', 'Cole Coach: prompted'],
        'Dan Dale': ['Otto Other: pending_consent', 'Nora Nurse: prompted', 'Cole Coach: prompted'],
        'Eve Eden': ['Nora Nurse: prompted', 'Cole Coach: prompted'],
      });
      const ann = response.body.items[0];
      expect(ann).toEqual({
        participantId: people.ann.id,
        email: `${people.ann.id}@people.example`,
        name: 'Ann Archer',
        enrolledAt: expect.any(String),
        appendConsentAsked: true,
        appendConsent: true,
        professionals: [
          { professionalId: p1.id, name: 'Nora Nurse', status: 'active', until: expect.any(String), basis: 'prior_consent' },
          { professionalId: p2.id, name: 'Cole Coach', status: 'declined', until: null, basis: null },
        ],
      });
      expect(response.body.items.find((i: { name: string }) => i.name === 'Dan Dale')).toMatchObject({ appendConsent: false, professionals: [{ professionalId: p3.id, until: expect.any(String), basis: null }, {}, {}] });
      expect(response.body).toMatchObject({ total: 5, totalIsLowerBound: false, page: 1, nextCursor: null });
    });

    // total counts the rows the stored fields admit: for expired, every row with a link recorded
    // active, pending or expired (Ann's grant and Dan's assignment may have ended by the time of a
    // request), of which the page shows those that match at that time.
    it.each([
      ['prompted', ['Bob Baker', 'Cat Cole', 'Dan Dale', 'Eve Eden'], 4],
      ['active', ['Ann Archer'], 1],
      ['declined', ['Ann Archer'], 1],
      ['pending_consent', ['Dan Dale'], 1],
      ['withdrawn', ['Cat Cole'], 1],
      ['expired', [], 2],
    ] as const)('filters status=%s', async (status, names, total) => {
      const response = await overview(`status=${status}`);
      expect(response.status).toBe(200);
      expect(response.body.items.map((i: { name: string }) => i.name)).toEqual(names);
      expect(response.body.total).toBe(total);
    });

    it('searches names and e-mail addresses by prefix, ignoring case, together with a status', async () => {
      expect((await overview('q=cat')).body.items.map((i: { name: string }) => i.name)).toEqual(['Cat Cole']);
      expect((await overview(`q=${people.dan.id.toUpperCase()}`)).body.items.map((i: { name: string }) => i.name)).toEqual(['Dan Dale']);
      expect((await overview('q=cat&status=active')).body.items).toEqual([]);
      expect((await overview('q=zed')).body).toMatchObject({ items: [], total: 0 });
    });

    it('pages by number and by cursor', async () => {
      const first = await overview('pageSize=2');
      expect(first.body.items.map((i: { name: string }) => i.name)).toEqual(['Ann Archer', 'Bob Baker']);
      const second = await overview(`pageSize=2&after=${first.body.nextCursor}`);
      expect(second.body.items.map((i: { name: string }) => i.name)).toEqual(['Cat Cole', 'Dan Dale']);
      const third = await overview(`pageSize=2&after=${second.body.nextCursor}`);
      expect(third.body).toMatchObject({ items: [{ name: 'Eve Eden' }], nextCursor: null, page: null });
      expect((await overview('pageSize=2&page=2')).body.items.map((i: { name: string }) => i.name)).toEqual(['Cat Cole', 'Dan Dale']);
    });

    it('shows a professional added later as prompted to everyone who has not answered them', async () => {
      const later = await createWorkflow(api, a, { name: 'Later', allowAppendProfessionals: false });
      seen(await enrol(api, people.bob.token, later));
      const empty = await get(`/organisations/${a.orgId}/workflows/${later}/participants?status=prompted`, a.leadToken);
      expect(empty.body).toMatchObject({ items: [], total: 0 });
      seen(await addToWorkflow(api, a, later, [p2.id]));
      const prompted = await get(`/organisations/${a.orgId}/workflows/${later}/participants?status=prompted`, a.leadToken);
      expect(byName(prompted.body)).toEqual({ 'Bob Baker': ['Cole Coach: prompted'] });
      seen(await answerPrompt(api, people.bob.token, later, p2.id, 'decline'));
      expect((await get(`/organisations/${a.orgId}/workflows/${later}/participants?status=prompted`, a.leadToken)).body.items).toEqual([]);
      expect(byName((await get(`/organisations/${a.orgId}/workflows/${later}/participants`, a.leadToken)).body)).toEqual({ 'Bob Baker': ['Cole Coach: declined'] });
    });

    it.each([
      ['status=maybe', 'status'],
      ['status=active,declined', 'status'],
      [`q=${'x'.repeat(101)}`, 'q'],
      ['pageSize=500', 'pageSize'],
    ])('refuses %s naming %s', async (query, field) => {
      const response = await overview(query);
      expect(response.status).toBe(400);
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it('answers 404 workflow-not-found for a workflow of another organisation', async () => {
      const response = await get(`/organisations/${a.orgId}/workflows/${ofB}/participants`, auditor);
      expect([response.status, response.body.type]).toEqual([404, 'urn:access-ledger:problem:workflow-not-found']);
    });
  });

  describe('GET /workflows/:workflowId/consent-prompts', () => {
    it('lists the caller’s prompts still open: none once all are answered', async () => {
      const bob = await get(`/workflows/${coaching}/consent-prompts`, people.bob.token);
      expect([bob.status, bob.body]).toEqual([
        200,
        {
          items: [
            { professionalId: p1.id, name: 'Nora Nurse', days: 30, reason: 'Coaching sessions' },
            { professionalId: p2.id, name: 'Cole Coach', days: 30, reason: 'Coaching sessions' },
          ],
        },
      ]);
      expect((await get(`/workflows/${coaching}/consent-prompts`, people.cat.token)).body.items.map((p: { professionalId: string }) => p.professionalId)).toEqual([p2.id]);
      expect((await get(`/workflows/${coaching}/consent-prompts`, people.ann.token)).body).toEqual({ items: [] });
    });

    it('answers 404 participant-not-enrolled to someone not enrolled, and 404 workflow-not-found for no workflow', async () => {
      const stranger = await participant(api);
      for (const [token, path, code] of [
        [stranger.token, `/workflows/${coaching}/consent-prompts`, 'participant-not-enrolled'],
        [p1.token, `/workflows/${coaching}/consent-prompts`, 'participant-not-enrolled'],
        [people.bob.token, `/workflows/${newId()}/consent-prompts`, 'workflow-not-found'],
      ]) {
        const response = await get(path, token);
        expect([response.status, response.body.type]).toEqual([404, `urn:access-ledger:problem:${code}`]);
      }
      expect((await get('/workflows/x/consent-prompts', people.bob.token)).status).toBe(400);
    });
  });

  describe('GET /me/participants', () => {
    it('lists the participants whose results the professional may see now, one per active grant', async () => {
      const response = await get('/me/participants', p1.token);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        items: [
          {
            grantId: annGrant,
            participantId: people.ann.id,
            email: `${people.ann.id}@people.example`,
            name: 'Ann Archer',
            workflowId: coaching,
            basis: 'prior_consent',
            from: expect.any(String),
            until: expect.any(String),
          },
        ],
        total: 1,
        totalIsLowerBound: false,
        page: 1,
        pageSize: 25,
        nextCursor: null,
      });
      // Cat withdrew, Bob never answered, Dan's assignment waits for his consent.
      expect((await get('/me/participants', p2.token)).body.items).toEqual([]);
      expect((await get('/me/participants', p3.token)).body.items).toEqual([]);
    });

    it('filters by workflow, and refuses a workflowId that is not a UUID naming it', async () => {
      expect((await get(`/me/participants?workflowId=${coaching}`, p1.token)).body.items.map((i: { grantId: string }) => i.grantId)).toEqual([annGrant]);
      expect((await get(`/me/participants?workflowId=${aardvark}`, p1.token)).body).toMatchObject({ items: [], total: 0 });
      const bad = await get('/me/participants?workflowId=coaching', p1.token);
      expect([bad.status, bad.body.errors?.map((e: { field: string }) => e.field)]).toEqual([400, ['workflowId']]);
    });
  });

  describe('GET /me/access', () => {
    it('shows who may see my results now, on what basis and until when', async () => {
      const response = await get('/me/access', people.ann.token);
      expect(response.status).toBe(200);
      expect(response.body.grants).toEqual([
        {
          grantId: annGrant,
          professional: { id: p1.id, name: 'Nora Nurse', deactivated: false },
          workflow: { id: coaching, name: 'Coaching' },
          organisationId: a.orgId,
          basis: 'prior_consent',
          reason: 'Coaching sessions',
          from: expect.any(String),
          until: expect.any(String),
        },
      ]);
      expect(response.body.grantsTruncated).toBe(false);
      // A withdrawn grant is not shown.
      expect((await get('/me/access', people.cat.token)).body.grants).toEqual([]);
    });

    it('shows who asked for my results, granted and refused, newest first, with who asked', async () => {
      const outsider = await api.token({ sub: 'someone', email: 'someone@elsewhere.example' });
      for (const token of [p1.token, p2.token, outsider]) {
        const asked = await requestResults(api, token, coaching, people.ann.id);
        seen(asked.body);
      }
      const { requests } = (await get('/me/access', people.ann.token)).body;
      expect(requests.map((r: { askedBy: string; decision: string; refusal: string | null }) => [r.askedBy, r.decision, r.refusal])).toEqual([
        ['someone@elsewhere.example', 'refused', 'not_a_professional'],
        [p2.email, 'refused', 'consent_declined'],
        [p1.email, 'granted', null],
      ]);
      expect(requests[2]).toEqual({
        id: expect.any(String),
        askedBy: p1.email,
        professionalId: p1.id,
        workflow: { id: coaching, name: 'Coaching' },
        organisationId: a.orgId,
        decision: 'granted',
        basis: 'prior_consent',
        refusal: null,
        until: expect.any(String),
        requestedAt: expect.any(String),
      });
      // Nobody else's requests.
      expect((await get('/me/access', people.bob.token)).body.requests).toEqual([]);
    });

    it('shows the latest 50 requests only', async () => {
      const fay = await participant(api, 'Fay Field');
      seen(await enrol(api, fay.token, aardvark));
      const times: string[] = [];
      for (let i = 0; i < 52; i += 1) {
        const asked = await requestResults(api, p1.token, aardvark, fay.id);
        expect([asked.status, asked.body.reason]).toEqual([403, 'no_consent']);
        seen(asked.body);
      }
      const { requests } = (await get('/me/access', fay.token)).body;
      expect(requests).toHaveLength(50);
      for (const request of requests) times.push(request.requestedAt);
      expect([...times].sort().reverse()).toEqual(times);
    });
  });

  describe('a link past its end', () => {
    it('shows as expired at once, before any expiry is recorded, and after', async () => {
      const endDate = new Date(Date.now() + 2500).toISOString();
      // Eve allowed appending professionals: active at once. Bob did not: pending his consent.
      const assigned = await assign(api, a, { workflowId: coaching, professionalId: p3.id, participantIds: [people.eve.id, people.bob.id], endDate });
      expect(assigned.status).toBe(201);
      seen(assigned.body);
      const overview = async (query: string) => (await get(`/organisations/${a.orgId}/workflows/${coaching}/participants?${query}`, a.leadToken)).body;
      const p3Of = async (q: string) => (await overview(`q=${q}`)).items[0].professionals.find((p: { professionalId: string }) => p.professionalId === p3.id);
      expect(await p3Of('eve')).toMatchObject({ status: 'active', until: endDate, basis: 'append_consent' });
      expect(await p3Of('bob')).toMatchObject({ status: 'pending_consent', until: endDate, basis: null });
      expect((await get('/me/participants', p3.token)).body.items.map((i: { participantId: string }) => i.participantId)).toEqual([people.eve.id]);
      expect((await get('/me/access', people.eve.token)).body.grants.map((g: { professional: { id: string } }) => g.professional.id)).toEqual([p3.id]);

      await sleep(Date.parse(endDate) - Date.now() + 50);
      expect(await p3Of('eve')).toMatchObject({ status: 'expired', until: endDate });
      expect(await p3Of('bob')).toMatchObject({ status: 'expired', until: endDate });
      // Gone from the professional's list and the participant's view at once (total still counts the grant recorded active).
      expect((await get('/me/participants', p3.token)).body).toMatchObject({ items: [], total: 1, nextCursor: null });
      expect((await get('/me/access', people.eve.token)).body.grants).toEqual([]);
      // The filters see it as the rows show it; the stored statuses still say active and pending, so
      // those rows are read as candidates, checked at the request's time and left out.
      const names = (body: { items: { name: string }[] }) => body.items.map((i) => i.name);
      expect(names(await overview('status=expired'))).toEqual(['Bob Baker', 'Eve Eden']);
      expect(await overview('status=active')).toMatchObject({ items: [{ name: 'Ann Archer' }], total: 2 });
      expect(await overview('status=pending_consent')).toMatchObject({ items: [{ name: 'Dan Dale' }], total: 2 });

      // The sweeper records Eve's expiry (an ended assignment has no grant to expire): the stored status follows.
      await new AccessExpiry(api.events, api.reads, { intervalMs: 60_000 }).sweep(new Date());
      last = await api.events.headPosition();
      expect(await p3Of('eve')).toMatchObject({ status: 'expired', until: endDate });
      expect(await overview('status=active')).toMatchObject({ items: [{ name: 'Ann Archer' }], total: 1 });
      expect(names(await overview('status=expired'))).toEqual(['Bob Baker', 'Eve Eden']);
    });
  });

  describe('rebuilds', () => {
    it('rebuild to exactly what incremental processing produced', async () => {
      const views = async () => [
        (await get(`/organisations/${a.orgId}/workflows`, auditor)).body,
        (await get(`/organisations/${a.orgId}/workflows/${coaching}/participants`, auditor)).body,
        (await api.reads.find(careResultsRequestsProjection.collection.name, { sort: [{ field: 'id', direction: 'asc' }], pageSize: 1000 })).items,
      ];
      seen((await requestResults(api, p1.token, coaching, people.ann.id)).body);
      const before = await views();
      for (const projection of [careWorkflowsProjection, careParticipantsProjection, careResultsRequestsProjection]) await rebuildProjection(api.events, api.reads, projection);
      expect(await views()).toEqual(before);
      expect(before[2]).toHaveLength(56); // every results request so far, each its own row
    });
  });

  describe('a professional deactivated in the directory', () => {
    it('shows as deactivated on the grants the participant gave them', async () => {
      const deactivated = await api.http.post(`/organisations/${a.orgId}/users/${p1.id}/deactivate`).set(bearer(a.leadToken)).send({});
      expect(deactivated.status).toBe(200);
      seen(deactivated.body);
      const { grants } = (await get('/me/access', people.ann.token)).body;
      expect(grants.map((g: { grantId: string; professional: unknown }) => [g.grantId, g.professional])).toEqual([[annGrant, { id: p1.id, name: 'Nora Nurse', deactivated: true }]]);
    });
  });
});
