import { newId } from '@access-ledger/core';
import { rebuildProjection } from '@access-ledger/projection-runner';
import { spocOverviewCountsProjection, spocOverviewProjection } from '@access-ledger/projections';
import { TestApi, bearer, startApi, withReadLatency } from './support/api';
import { OrgFixture, addUser, registerOrg } from './support/directory';

describe('Access requests API', () => {
  let api: TestApi;
  let admin: string;
  let auditor: string;
  let a: OrgFixture;
  let b: OrgFixture;
  let spoc: string;
  let nonSpoc: string;
  let requester: string;
  let otherRequester: string;

  beforeAll(async () => {
    api = await startApi();
    admin = await api.token({ email: 'ops@platform.example', roles: ['platform_admin'] });
    auditor = await api.token({ email: 'audit@platform.example', roles: ['auditor'] });
    a = await registerOrg(api, admin, 'Hollybrook Surgery');
    b = await registerOrg(api, admin, 'Riverside Clinic');
    const spocUser = await addUser(api, a, { permissionLevel: 'recorder', spoc: true });
    spoc = await api.token({ email: spocUser.email });
    const member = await addUser(api, a, { permissionLevel: 'administrator', spoc: false });
    nonSpoc = await api.token({ email: member.email });
    requester = await api.token({ sub: 'sub-rita', email: 'Rita@Example.org', name: 'Rita Requester' });
    otherRequester = await api.token({ sub: 'sub-otto', email: 'otto@example.org' });
  });
  afterAll(() => api.close());

  const create = async (token = requester, body: Record<string, unknown> = {}) => {
    const response = await api.http.post('/requests').set(bearer(token)).send({ organisationId: a.orgId, application: 'vaccination-recorder', ...body });
    if (response.status !== 201) throw new Error(`create: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body as { id: string; status: string; position: number };
  };
  const act = (id: string, action: string, token: string, body: Record<string, unknown> = {}) => api.http.post(`/requests/${id}/${action}`).set(bearer(token)).send(body);
  const approve = (id: string, token = spoc, body: Record<string, unknown> = { confirm: true }) => act(id, 'approve', token, body);

  describe('creating and submitting', () => {
    it('creates a request for anyone authenticated, identifying the requester by token', async () => {
      const response = await api.http.post('/requests').set(bearer(requester)).send({ organisationId: a.orgId, application: 'vaccination-recorder', justification: 'New starter' });
      expect(response.status).toBe(201);
      expect(response.body).toEqual({ id: expect.any(String), status: 'created', position: expect.any(Number) });
      const [event] = await api.events.readStream(`request-${response.body.id}`);
      expect(event).toMatchObject({
        type: 'RequestCreated',
        data: { organisationId: a.orgId, application: 'vaccination-recorder', justification: 'New starter', requester: { id: 'sub-rita', email: 'rita@example.org', name: 'Rita Requester' } },
        metadata: { actor: { id: 'sub-rita' } },
      });
    });

    it('answers 404 for an unknown organisation', async () => {
      const response = await api.http.post('/requests').set(bearer(requester)).send({ organisationId: newId(), application: 'app' });
      expect(response.status).toBe(404);
      expect(response.body.type).toMatch(/organisation-not-found$/);
    });

    it.each([
      [{ application: '' }, 'application'],
      [{ application: 'has spaces' }, 'application'],
      [{ application: 'x'.repeat(65) }, 'application'],
      [{ justification: 'x'.repeat(2001) }, 'justification'],
      [{ organisationId: 'not-a-uuid' }, 'organisationId'],
      [{ status: 'approved_rae' }, 'status'],
    ])('refuses %j naming %s, writing nothing', async (change, field) => {
      const head = await api.events.headPosition();
      const response = await api.http.post('/requests').set(bearer(requester)).send({ organisationId: a.orgId, application: 'app', ...change });
      expect(response.status).toBe(400);
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      expect(await api.events.headPosition()).toBe(head);
    });

    it('submits for the requester only, once', async () => {
      const { id } = await create();
      expect((await act(id, 'submit', otherRequester)).status).toBe(403);
      expect((await act(id, 'submit', spoc)).status).toBe(403);
      const submitted = await act(id, 'submit', requester);
      expect(submitted.status).toBe(200);
      expect(submitted.body).toEqual({ status: 'approval_requested', position: expect.any(Number) });
      const again = await act(id, 'submit', requester);
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({ type: expect.stringMatching(/invalid-transition$/), currentStatus: 'approval_requested' });
      const events = await api.events.readStream(`request-${id}`);
      expect(events.at(-1)).toMatchObject({ type: 'ApprovalRequested', data: { organisationId: a.orgId, application: 'vaccination-recorder', requester: { email: 'rita@example.org' } } });
    });
  });

  describe('deciding', () => {
    it('approves with confirmation for a SPOC of the organisation, and the event carries what provisioning needs', async () => {
      const { id } = await create();
      await act(id, 'submit', requester);
      const response = await approve(id, spoc, { confirm: true, comment: 'Welcome' });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ status: 'approved_rae', position: expect.any(Number) });
      const events = await api.events.readStream(`request-${id}`);
      expect(events.at(-1)).toMatchObject({ type: 'RequestApproved', data: { organisationId: a.orgId, application: 'vaccination-recorder', comment: 'Welcome', requester: { id: 'sub-rita' } } });
    });

    it.each([[{}], [{ confirm: false }], [{ confirm: 'true' }]])('refuses approval without confirm: true (%j)', async (body) => {
      const { id } = await create();
      const response = await approve(id, spoc, body);
      expect(response.status).toBe(400);
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain('confirm');
    });

    it.each([
      ['a member who is not a SPOC', () => nonSpoc, 'not-a-spoc'],
      ['a SPOC (lead) of another organisation', () => b.leadToken, 'not-a-spoc'],
      ['an auditor (who never writes)', () => auditor, 'auditor-read-only'],
      ['a platform administrator', () => admin, 'not-a-spoc'],
    ])('refuses %s with 403', async (_who, token, code) => {
      const { id } = await create();
      const head = await api.events.headPosition();
      const response = await approve(id, token());
      expect(response.status).toBe(403);
      expect(response.body.type).toMatch(new RegExp(`${code}$`));
      expect((await act(id, 'reject', token(), { reason: 'No' })).status).toBe(403);
      expect(await api.events.headPosition()).toBe(head);
    });

    it('refuses deciding a decided request with 409 invalid-transition, appending nothing', async () => {
      const { id } = await create();
      await approve(id);
      const head = await api.events.headPosition();
      for (const response of [await approve(id), await act(id, 'reject', spoc, { reason: 'Changed my mind' }), await act(id, 'withdraw', requester)]) {
        expect(response.status).toBe(409);
        expect(response.body.type).toMatch(/invalid-transition$/);
      }
      expect(await api.events.headPosition()).toBe(head);
    });

    it('rejects with a reason of 1 to 1000 characters', async () => {
      const { id } = await create();
      expect((await act(id, 'reject', spoc, {})).status).toBe(400);
      expect((await act(id, 'reject', spoc, { reason: 'x'.repeat(1001) })).status).toBe(400);
      expect((await act(id, 'reject', spoc, { reason: '   ' })).status).toBe(400);
      const response = await act(id, 'reject', spoc, { reason: 'Not for this team' });
      expect(response.body).toEqual({ status: 'rejected', position: expect.any(Number) });
    });

    it('honours If-Match: a stale displayed version gets 412', async () => {
      const { id } = await create();
      const shown = await api.http.get(`/requests/${id}`).set(bearer(spoc));
      expect(shown.headers.etag).toBe('"0"');
      await act(id, 'submit', requester);
      const stale = await api.http.post(`/requests/${id}/approve`).set(bearer(spoc)).set('If-Match', shown.headers.etag).send({ confirm: true });
      expect(stale.status).toBe(412);
      const fresh = await api.http.get(`/requests/${id}`).set(bearer(spoc));
      expect((await api.http.post(`/requests/${id}/approve`).set(bearer(spoc)).set('If-Match', fresh.headers.etag).send({ confirm: true })).status).toBe(200);
    });

    it('records exactly one decision when 20 SPOC calls race', async () => {
      const secondSpocUser = await addUser(api, a, { spoc: true });
      const secondSpoc = await api.token({ email: secondSpocUser.email });
      const { id } = await create();
      await act(id, 'submit', requester);
      const restore = withReadLatency(api.events);
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? approve(id, i % 4 === 0 ? spoc : secondSpoc) : act(id, 'reject', i % 4 === 1 ? spoc : secondSpoc, { reason: `No ${i}` }))),
      ).finally(restore);
      expect(responses.filter((r) => r.status === 200)).toHaveLength(1);
      // Every loser gets the domain's answer on the new state, none a bare "retry".
      const losers = responses.filter((r) => r.status !== 200);
      expect(losers.map((r) => [r.status, r.body.type])).toEqual(losers.map(() => [409, expect.stringMatching(/invalid-transition$/)]));
      const decisions = (await api.events.readStream(`request-${id}`)).filter((e) => e.type === 'RequestApproved' || e.type === 'RequestRejected');
      expect(decisions).toHaveLength(1);
    });

    it('lets the requester withdraw an open request, and nobody else', async () => {
      const { id } = await create();
      expect((await act(id, 'withdraw', spoc)).status).toBe(403);
      expect((await act(id, 'withdraw', otherRequester)).status).toBe(403);
      const response = await act(id, 'withdraw', requester);
      expect(response.body).toEqual({ status: 'withdrawn', position: expect.any(Number) });
      expect((await approve(id)).status).toBe(409);
    });

    it('returns the first outcome for a retried approval with the same Idempotency-Key, recording one decision', async () => {
      const { id } = await create();
      const key = newId();
      const first = await api.http.post(`/requests/${id}/approve`).set(bearer(spoc)).set('Idempotency-Key', key).send({ confirm: true });
      const retry = await api.http.post(`/requests/${id}/approve`).set(bearer(spoc)).set('Idempotency-Key', key).send({ confirm: true });
      expect(first.status).toBe(200);
      expect(retry.status).toBe(200);
      expect(retry.body).toEqual(first.body);
      expect((await api.events.readStream(`request-${id}`)).filter((e) => e.type === 'RequestApproved')).toHaveLength(1);
      const other = await api.http.post(`/requests/${id}/approve`).set(bearer(spoc)).set('Idempotency-Key', newId()).send({ confirm: true });
      expect(other.status).toBe(409);
    });

    it('refuses a malformed Idempotency-Key', async () => {
      const response = await api.http.post('/requests').set(bearer(requester)).set('Idempotency-Key', 'x'.repeat(300)).send({ organisationId: a.orgId, application: 'app' });
      expect(response.status).toBe(400);
      expect(response.body.type).toMatch(/invalid-idempotency-key$/);
    });

    it('answers 404 for an unknown request and 400 for a malformed id', async () => {
      expect((await approve(newId())).status).toBe(404);
      expect((await approve('nope')).status).toBe(400);
    });
  });

  describe('GET /requests/:id', () => {
    it('shows the request to its requester, SPOCs of the organisation and auditors, with an ETag', async () => {
      const { id } = await create();
      await act(id, 'reject', spoc, { reason: 'Duplicate' });
      for (const token of [requester, spoc, auditor]) {
        const response = await api.http.get(`/requests/${id}`).set(bearer(token));
        expect(response.status).toBe(200);
        expect(response.headers.etag).toBe('"1"');
        expect(response.body).toMatchObject({ id, status: 'rejected', application: 'vaccination-recorder', completedAt: expect.any(String), decision: { reason: 'Duplicate' } });
      }
      for (const token of [otherRequester, nonSpoc, b.leadToken]) expect((await api.http.get(`/requests/${id}`).set(bearer(token))).status).toBe(403);
      expect((await api.http.get(`/requests/${newId()}`).set(bearer(requester))).status).toBe(404);
    });

    it('shows how a request ended: when, who closed it, the rejection’s reason or the approval’s comment, and provisioning once approved', async () => {
      const spocEmail: string = (await api.http.get('/me').set(bearer(spoc))).body.user.email;
      const bySpoc = { id: spocEmail, email: spocEmail };
      const view = async (id: string, token = requester) => {
        const response = await api.http.get(`/requests/${id}`).set(bearer(token));
        expect(response.status).toBe(200);
        return response.body;
      };
      const lastEventAt = async (id: string) => (await api.events.readStream(`request-${id}`)).at(-1)!.metadata.occurredAt;
      const fields = ['actions', 'application', 'completedAt', 'createdAt', 'decision', 'id', 'justification', 'organisationId', 'provisioning', 'requester', 'status', 'updatedAt'];

      const open = await create(requester, { justification: 'New starter' });
      await act(open.id, 'submit', requester);
      const shown = await view(open.id);
      expect(shown).toEqual({
        id: open.id,
        organisationId: a.orgId,
        requester: { id: 'sub-rita', email: 'rita@example.org', name: 'Rita Requester' },
        application: 'vaccination-recorder',
        justification: 'New starter',
        status: 'approval_requested',
        createdAt: (await api.events.readStream(`request-${open.id}`))[0].metadata.occurredAt,
        updatedAt: await lastEventAt(open.id),
        completedAt: null,
        provisioning: null,
        decision: null,
        actions: [],
      });
      expect((await view(open.id, spoc)).actions).toEqual(['approve', 'reject']);
      expect((await view(open.id, auditor)).actions).toEqual([]);

      const approved = await create();
      await approve(approved.id, spoc, { confirm: true, comment: 'Welcome' });
      const approval = await view(approved.id);
      expect(Object.keys(approval).sort()).toEqual(fields);
      expect(approval).toMatchObject({ status: 'approved_rae', completedAt: await lastEventAt(approved.id), updatedAt: await lastEventAt(approved.id), actions: [] });
      expect(approval.provisioning).toEqual({ status: 'pending', detail: null, at: await lastEventAt(approved.id) });
      expect(approval.decision).toEqual({ by: bySpoc, reason: null, comment: 'Welcome' });
      expect((await view(approved.id, spoc)).actions).toEqual([]);

      const rejected = await create();
      await act(rejected.id, 'submit', requester);
      await act(rejected.id, 'reject', spoc, { reason: 'Duplicate' });
      const rejection = await view(rejected.id);
      expect(rejection).toMatchObject({ status: 'rejected', completedAt: await lastEventAt(rejected.id), provisioning: null });
      expect(rejection.decision).toEqual({ by: bySpoc, reason: 'Duplicate', comment: null });

      const withdrawn = await create();
      await act(withdrawn.id, 'withdraw', requester, { reason: 'Found another way' });
      const withdrawal = await view(withdrawn.id);
      expect(withdrawal).toMatchObject({ status: 'withdrawn', completedAt: await lastEventAt(withdrawn.id), provisioning: null });
      expect(withdrawal.decision).toEqual({ by: { id: 'sub-rita', email: 'Rita@Example.org' }, reason: null, comment: null });
    });
  });

  describe('the SPOC overview table', () => {
    let org: OrgFixture;
    let orgSpoc: string;
    let last = 0;
    const made: Record<string, string> = {};

    beforeAll(async () => {
      org = await registerOrg(api, admin, 'Overview Practice');
      orgSpoc = org.leadToken;
      const people = [
        ['sub-ann', 'ann@example.org', 'Ann Archer', 'alpha-app'],
        ['sub-bob', 'bob@example.org', 'Bob Baker', 'beta-app'],
        ['sub-cat', 'cat@example.org', null, 'alpha-app'],
        ['sub-dan', 'dan@example.org', 'Dan Dyer', 'gamma.app'],
        ['sub-eve', 'eve@example.org', 'Ève Evans', 'beta-app'],
      ] as const;
      for (const [sub, email, name, application] of people) {
        const token = await api.token({ sub, email, ...(name ? { name } : {}) });
        const created = await api.http.post('/requests').set(bearer(token)).send({ organisationId: org.orgId, application });
        made[sub] = created.body.id;
        last = created.body.position;
        await new Promise((r) => setTimeout(r, 3));
        if (sub !== 'sub-cat') last = (await act(created.body.id, 'submit', token)).body.position ?? last;
      }
      last = (await approve(made['sub-bob'], orgSpoc)).body.position;
      last = (await act(made['sub-dan'], 'reject', orgSpoc, { reason: 'Not needed' })).body.position;
      const eve = await api.token({ sub: 'sub-eve', email: 'eve@example.org' });
      last = (await act(made['sub-eve'], 'withdraw', eve)).body.position;
    });

    const overview = (query = '', token = orgSpoc) => api.http.get(`/organisations/${org.orgId}/requests?${query}`).set(bearer(token)).set('X-Min-Position', String(last));

    it('lists every request of the organisation, newest change first, with counts, dates, provisioning and actions', async () => {
      const response = await overview();
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ total: 5, page: 1, pageSize: 25, counts: { created: 1, approval_requested: 1, approved_rae: 1, rejected: 1, withdrawn: 1 } });
      const items = response.body.items as { id: string; status: string; actions: string[]; completedAt: string | null; provisioning: { status: string } | null; updatedAt: string }[];
      expect(items.map((i) => i.id)).toEqual([made['sub-eve'], made['sub-dan'], made['sub-bob'], made['sub-cat'], made['sub-ann']]);
      const byId = Object.fromEntries(items.map((i) => [i.id, i]));
      expect(byId[made['sub-bob']]).toMatchObject({ status: 'approved_rae', actions: [], completedAt: expect.any(String) });
      expect(byId[made['sub-bob']].provisioning).toEqual({ status: 'pending', detail: null, at: byId[made['sub-bob']].completedAt });
      expect(byId[made['sub-dan']]).toMatchObject({ status: 'rejected', actions: [], provisioning: null, completedAt: expect.any(String) });
      expect(byId[made['sub-ann']]).toMatchObject({ status: 'approval_requested', actions: ['approve', 'reject'], completedAt: null });
      expect(byId[made['sub-cat']]).toMatchObject({ status: 'created', actions: ['approve', 'reject'], requester: { id: 'sub-cat', email: 'cat@example.org', name: null } });
      expect(Object.keys(items[0]).sort()).toEqual(['actions', 'application', 'completedAt', 'createdAt', 'id', 'provisioning', 'requester', 'status', 'updatedAt']);
    });

    it('filters by a list of statuses, with the total of that filter', async () => {
      const response = await overview('status=created,approval_requested');
      expect(response.body.total).toBe(2);
      expect(response.body.items.map((i: { id: string }) => i.id).sort()).toEqual([made['sub-ann'], made['sub-cat']].sort());
      expect((await overview('status=rejected')).body.items.map((i: { id: string }) => i.id)).toEqual([made['sub-dan']]);
    });

    it('searches a case-insensitive prefix of the requester’s e-mail or name, or the application', async () => {
      expect((await overview('q=BOB')).body).toMatchObject({ total: 1, items: [{ id: made['sub-bob'] }] });
      expect((await overview('q=baker')).body.total).toBe(0);
      expect((await overview('q=bob%20b')).body.total).toBe(1);
      expect((await overview('q=alpha')).body.total).toBe(2);
      expect((await overview('q=ève')).body.items.map((i: { id: string }) => i.id)).toEqual([made['sub-eve']]);
      expect((await overview('q=cat@')).body.total).toBe(1);
    });

    it('sorts by requester, application, creation, and pages', async () => {
      const byRequester = (await overview('sort=requester')).body.items.map((i: { requester: { email: string } }) => i.requester.email);
      expect(byRequester).toEqual(['ann@example.org', 'bob@example.org', 'cat@example.org', 'dan@example.org', 'eve@example.org']);
      const byApplication = (await overview('sort=application')).body.items.map((i: { application: string }) => i.application);
      expect(byApplication).toEqual(['alpha-app', 'alpha-app', 'beta-app', 'beta-app', 'gamma.app']);
      const byCreation = (await overview('sort=-createdAt&pageSize=2&page=2')).body;
      expect(byCreation).toMatchObject({ total: 5, page: 2, pageSize: 2 });
      expect(byCreation.items.map((i: { id: string }) => i.id)).toEqual([made['sub-cat'], made['sub-bob']]);
    });

    it.each([
      ['status=open', 'status'],
      ['sort=priority', 'sort'],
      ['pageSize=500', 'pageSize'],
      ['page=-1', 'page'],
    ])('refuses %s naming %s', async (query, field) => {
      const response = await overview(query);
      expect(response.status).toBe(400);
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it('is for SPOCs of the organisation and auditors', async () => {
      expect((await overview('', auditor)).status).toBe(200);
      expect((await overview('', spoc)).status).toBe(403);
      expect((await overview('', a.leadToken)).status).toBe(403);
      expect((await overview('', requester)).status).toBe(403);
      expect((await overview('', admin)).status).toBe(403);
    });

    it('lists a requester’s own requests with mine=true', async () => {
      const ann = await api.token({ sub: 'sub-ann', email: 'ann@example.org' });
      const mine = await api.http.get('/requests?mine=true').set(bearer(ann)).set('X-Min-Position', String(last));
      expect(mine.status).toBe(200);
      expect(mine.body.items.map((i: { id: string }) => i.id)).toEqual([made['sub-ann']]);
      expect((await api.http.get('/requests').set(bearer(ann))).status).toBe(400);
    });

    it('rebuilds to exactly what incremental processing produced', async () => {
      const before = await overview('pageSize=100');
      for (const projection of [spocOverviewProjection, spocOverviewCountsProjection]) await rebuildProjection(api.events, api.reads, projection);
      const after = await overview('pageSize=100');
      expect(after.body).toEqual(before.body);
      const all = async () => (await api.reads.find(spocOverviewProjection.collection.name, { sort: [{ field: 'createdAt', direction: 'asc' }], pageSize: 1000 })).items;
      const rebuiltRows = await all();
      await rebuildProjection(api.events, api.reads, spocOverviewProjection);
      expect(await all()).toEqual(rebuiltRows);
    });
  });
});
