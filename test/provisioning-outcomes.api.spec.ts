import { newId } from '@access-ledger/core';
import { TestApi, bearer, startApi } from './support/api';
import { OrgFixture, addUser, registerOrg } from './support/directory';

/**
 * Downstream account provisioning reports each outcome back: for an approved request
 * (AccountProvisioned / AccountProvisioningFailed, shown in the SPOC overview's `provisioning`)
 * and for a directory user (UserAccountProvisioned / UserAccountDisabled /
 * UserAccountProvisioningFailed, shown as `account` on the manage-users screen). Integrations
 * only; real HTTP on real SQLite files.
 */
describe('Provisioning outcomes API', () => {
  let api: TestApi;
  let admin: string;
  let auditor: string;
  let integration: string;
  let a: OrgFixture;
  let b: OrgFixture;
  let spoc: string;
  let recorder: string;
  let requester: string;

  beforeAll(async () => {
    api = await startApi();
    admin = await api.token({ email: 'ops@platform.example', roles: ['platform_admin'] });
    auditor = await api.token({ email: 'audit@platform.example', roles: ['auditor'] });
    integration = await api.token({ sub: 'svc-provisioning', email: 'robot@platform.example', roles: ['integration'] });
    a = await registerOrg(api, admin, 'Hollybrook Surgery');
    b = await registerOrg(api, admin, 'Riverside Clinic');
    spoc = await api.token({ email: (await addUser(api, a, { permissionLevel: 'recorder', spoc: true })).email });
    recorder = await api.token({ email: (await addUser(api, a, { permissionLevel: 'recorder' })).email });
    requester = await api.token({ sub: 'sub-rita', email: 'rita@example.org', name: 'Rita Requester' });
  });
  afterAll(() => api.close());

  const problem = (response: { status: number; headers: Record<string, string>; body: { type?: string } }, status: number, code: string) => {
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body.type).toBe(`urn:access-ledger:problem:${code}`);
  };
  /** Callers who are not integrations, each to be refused with 403 not-an-integration. */
  const notIntegrations = (): Record<string, () => Promise<string>> => ({
    'a platform administrator': async () => admin,
    'a lead administrator of the organisation': async () => a.leadToken,
    'a lead administrator of another organisation': async () => b.leadToken,
    'a SPOC of the organisation': async () => spoc,
    'a recorder of the organisation': async () => recorder,
  });
  const typesIn = async (streamId: string) => (await api.events.readStream(streamId)).map((e) => e.type);

  describe('for an access request', () => {
    const newRequest = async () => {
      const created = await api.http.post('/requests').set(bearer(requester)).send({ organisationId: a.orgId, application: 'vaccination-recorder' });
      expect(created.status).toBe(201);
      return created.body.id as string;
    };
    const approvedRequest = async () => {
      const id = await newRequest();
      expect((await api.http.post(`/requests/${id}/approve`).set(bearer(spoc)).send({ confirm: true })).status).toBe(200);
      return id;
    };
    const report = (id: string, body: Record<string, unknown>, token = integration) => api.http.post(`/requests/${id}/provisioning`).set(bearer(token)).send(body);
    const overviewRow = async (id: string, position: number) => {
      const response = await api.http.get(`/organisations/${a.orgId}/requests`).set(bearer(spoc)).set('X-Min-Position', String(position));
      expect(response.status).toBe(200);
      return response.body.items.find((item: { id: string }) => item.id === id);
    };

    it('records an outcome, which the overview and the request show with its detail and time', async () => {
      const id = await approvedRequest();
      expect((await overviewRow(id, await api.events.headPosition())).provisioning).toMatchObject({ status: 'pending', detail: null });

      const failed = await report(id, { status: 'failed', detail: 'HTTP 503 after 5 attempts' });
      expect(failed.status).toBe(200);
      expect(failed.body).toEqual({ position: expect.any(Number) });
      const [, , event] = await api.events.readStream(`request-${id}`);
      expect(event).toMatchObject({
        type: 'AccountProvisioningFailed',
        position: failed.body.position,
        data: { requestId: id, organisationId: a.orgId, detail: 'HTTP 503 after 5 attempts', failedAt: event.metadata.occurredAt },
        metadata: { actor: { id: 'svc-provisioning', email: 'robot@platform.example', roles: ['integration'] } },
      });
      expect((await overviewRow(id, failed.body.position)).provisioning).toEqual({ status: 'failed', detail: 'HTTP 503 after 5 attempts', at: event.metadata.occurredAt });

      // An operator retried: provisioned after failed is recorded.
      const provisioned = await report(id, { status: 'provisioned', detail: 'account vr-1042' });
      expect(provisioned.status).toBe(200);
      const row = await overviewRow(id, provisioned.body.position);
      expect(row).toMatchObject({ status: 'approved_rae', provisioning: { status: 'provisioned', detail: 'account vr-1042' } });
      expect(row.updatedAt).toBe(row.provisioning.at);
      const view = await api.http.get(`/requests/${id}`).set(bearer(spoc));
      expect(view.body.provisioning).toEqual(row.provisioning);
      expect(view.headers.etag).toBe('"3"');
      expect(await typesIn(`request-${id}`)).toEqual(['RequestCreated', 'RequestApproved', 'AccountProvisioningFailed', 'AccountProvisioned']);
    });

    it('records the same outcome once: a repeated report answers the same position and appends nothing', async () => {
      const id = await approvedRequest();
      const first = await report(id, { status: 'provisioned' });
      const again = await report(id, { status: 'provisioned' });
      expect(again.status).toBe(200);
      expect(again.body).toEqual({ position: first.body.position });
      expect(await typesIn(`request-${id}`)).toEqual(['RequestCreated', 'RequestApproved', 'AccountProvisioned']);
    });

    it('replays a retry with the same Idempotency-Key', async () => {
      const id = await approvedRequest();
      const key = newId();
      const first = await report(id, { status: 'failed', detail: 'timeout' }).set('Idempotency-Key', key);
      const retry = await report(id, { status: 'failed', detail: 'timeout' }).set('Idempotency-Key', key);
      expect(retry.status).toBe(200);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.body).toEqual(first.body);
      expect(await typesIn(`request-${id}`)).toEqual(['RequestCreated', 'RequestApproved', 'AccountProvisioningFailed']);
    });

    it('refuses a failure after the account was reported provisioned (409), writing nothing', async () => {
      const id = await approvedRequest();
      await report(id, { status: 'provisioned' });
      const late = await report(id, { status: 'failed', detail: 'late' });
      problem(late, 409, 'already-provisioned');
      expect(await typesIn(`request-${id}`)).toEqual(['RequestCreated', 'RequestApproved', 'AccountProvisioned']);
    });

    it('refuses a request that is not approved (409 with its status) and an unknown one (404)', async () => {
      const open = await newRequest();
      const refused = await report(open, { status: 'provisioned' });
      problem(refused, 409, 'request-not-approved');
      expect(refused.body.currentStatus).toBe('created');
      const rejected = await newRequest();
      await api.http.post(`/requests/${rejected}/reject`).set(bearer(spoc)).send({ reason: 'Not needed' });
      problem(await report(rejected, { status: 'failed' }), 409, 'request-not-approved');
      problem(await report(newId(), { status: 'provisioned' }), 404, 'request-not-found');
      expect(await typesIn(`request-${open}`)).toEqual(['RequestCreated']);
    });

    it.each([
      ['no status', {}, 'status'],
      ['status pending', { status: 'pending' }, 'status'],
      ['status disabled (users only)', { status: 'disabled' }, 'status'],
      ['an empty detail', { status: 'provisioned', detail: '' }, 'detail'],
      ['a null detail', { status: 'provisioned', detail: null }, 'detail'],
      ['a detail over 1000 characters', { status: 'provisioned', detail: 'x'.repeat(1001) }, 'detail'],
      ['a detail with a bidirectional override', { status: 'provisioned', detail: 'evil\u202Etxt' }, 'detail'],
      ['an unknown field', { status: 'provisioned', extra: 1 }, 'extra'],
    ])('refuses %s, naming the field, writing nothing', async (_what, body, field) => {
      const id = await approvedRequest();
      const head = await api.events.headPosition();
      const response = await report(id, body);
      problem(response, 400, 'validation-failed');
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      expect(await api.events.headPosition()).toBe(head);
    });

    it('is in the request’s audit timeline, with what it changed', async () => {
      const id = await approvedRequest();
      await report(id, { status: 'provisioned', detail: 'account vr-1042' });
      const timeline = await api.http.get(`/audit/requests/${id}/timeline`).set(bearer(auditor));
      expect(timeline.status).toBe(200);
      const entry = timeline.body.entries.at(-1);
      expect(entry).toMatchObject({
        type: 'AccountProvisioned',
        actor: { id: 'svc-provisioning', email: 'robot@platform.example' },
        summary: `Account for request ${id} reported provisioned by robot@platform.example with a detail; provisioning provisioned`,
      });
      expect(entry.changes).toEqual(
        expect.arrayContaining([
          { field: 'provisioning.status', from: 'pending', to: 'provisioned' },
          { field: 'provisioning.detail', from: null, to: 'account vr-1042' },
        ]),
      );
    });

    describe('who may report', () => {
      let id: string;
      const tokens: Record<string, () => Promise<string>> = { ...notIntegrations(), 'the requester': async () => requester };
      beforeAll(async () => {
        id = await approvedRequest();
      });

      it('an integration', async () => expect((await report(id, { status: 'provisioned' })).status).toBe(200));
      it.each(Object.keys(tokens))('not %s (403 not-an-integration)', async (who) => {
        problem(await report(id, { status: 'failed' }, await tokens[who]()), 403, 'not-an-integration');
        problem(await report(newId(), { status: 'failed' }, await tokens[who]()), 403, 'not-an-integration');
      });
      it('not an auditor (403 auditor-read-only)', async () => problem(await report(id, { status: 'failed' }, auditor), 403, 'auditor-read-only'));
      it('nobody without a token (401)', async () => problem(await api.http.post(`/requests/${id}/provisioning`).send({ status: 'failed' }), 401, 'missing-token'));
      it('and the refusals wrote nothing', async () => expect(await typesIn(`request-${id}`)).toEqual(['RequestCreated', 'RequestApproved', 'AccountProvisioned']));
    });
  });

  describe('for a directory user', () => {
    const usersOf = (org: OrgFixture) => `/organisations/${org.orgId}/users`;
    const report = (org: OrgFixture, userId: string, body: Record<string, unknown>, token = integration) =>
      api.http.post(`${usersOf(org)}/${userId}/provisioning`).set(bearer(token)).send(body);
    const row = async (userId: string, position: number) => {
      const response = await api.http.get(`${usersOf(a)}?pageSize=100`).set(bearer(a.leadToken)).set('X-Min-Position', String(position));
      expect(response.status).toBe(200);
      return response.body.items.find((item: { id: string }) => item.id === userId);
    };
    const lifecycle = (userId: string, action: 'deactivate' | 'reactivate') => api.http.post(`${usersOf(a)}/${userId}/${action}`).set(bearer(a.leadToken)).send({});

    it('shows the account on the manage-users screen and the user: pending after each change until downstream reports', async () => {
      const user = await addUser(api, a);
      expect((await row(user.id, user.position)).account).toMatchObject({ status: 'pending', detail: null });

      const provisioned = await report(a, user.id, { status: 'provisioned', detail: 'uid=uuser' });
      expect(provisioned.status).toBe(200);
      expect(provisioned.body).toEqual({ position: expect.any(Number) });
      const recorded = (await api.events.readStream(`user-${user.id}`)).at(-1)!;
      expect(recorded).toMatchObject({
        type: 'UserAccountProvisioned',
        data: { userId: user.id, organisationId: a.orgId, detail: 'uid=uuser', provisionedAt: recorded.metadata.occurredAt },
        metadata: { actor: { email: 'robot@platform.example', roles: ['integration'] } },
      });
      expect((await row(user.id, provisioned.body.position)).account).toEqual({ status: 'provisioned', detail: 'uid=uuser', at: recorded.metadata.occurredAt });

      const off = await lifecycle(user.id, 'deactivate');
      expect((await row(user.id, off.body.position)).account).toMatchObject({ status: 'pending', detail: null });
      const disabled = await report(a, user.id, { status: 'disabled' });
      const shown = await row(user.id, disabled.body.position);
      expect(shown).toMatchObject({ status: 'deactivated', account: { status: 'disabled', detail: null } });
      expect(shown.updatedAt).toBe(shown.account.at);

      const view = await api.http.get(`${usersOf(a)}/${user.id}`).set(bearer(a.leadToken));
      expect(view.body.account).toEqual(shown.account);
      expect(view.body.updatedAt).toBe(shown.updatedAt);
      expect(await typesIn(`user-${user.id}`)).toEqual(['UserAdded', 'UserAccountProvisioned', 'UserDeactivated', 'UserAccountDisabled']);
    });

    it('records what downstream did in the order it reports it, also after the user moved on; the screen shows the latest', async () => {
      const user = await addUser(api, a);
      await lifecycle(user.id, 'deactivate');
      // The add's account was made after the deactivation was recorded: it exists until disabled.
      const late = await report(a, user.id, { status: 'provisioned' });
      expect(late.status).toBe(200);
      expect(await row(user.id, late.body.position)).toMatchObject({ status: 'deactivated', account: { status: 'provisioned' } });
      const disabled = await report(a, user.id, { status: 'disabled' });
      expect(await row(user.id, disabled.body.position)).toMatchObject({ status: 'deactivated', account: { status: 'disabled' } });
    });

    it('records the same outcome once, and a failure after success (a later operation failed)', async () => {
      const user = await addUser(api, a);
      const first = await report(a, user.id, { status: 'provisioned' });
      expect((await report(a, user.id, { status: 'provisioned' })).body).toEqual({ position: first.body.position });
      const failed = await report(a, user.id, { status: 'failed', detail: 'directory unreachable' });
      expect(failed.status).toBe(200);
      expect(await typesIn(`user-${user.id}`)).toEqual(['UserAdded', 'UserAccountProvisioned', 'UserAccountProvisioningFailed']);
    });

    it('answers 404 for an unknown organisation, a user of another organisation and an unknown user, writing nothing', async () => {
      const user = await addUser(api, a);
      const head = await api.events.headPosition();
      problem(await api.http.post(`/organisations/${newId()}/users/${user.id}/provisioning`).set(bearer(integration)).send({ status: 'provisioned' }), 404, 'organisation-not-found');
      problem(await report(b, user.id, { status: 'provisioned' }), 404, 'user-not-found');
      problem(await report(a, newId(), { status: 'provisioned' }), 404, 'user-not-found');
      expect(await api.events.headPosition()).toBe(head);
    });

    it.each([
      ['status pending', { status: 'pending' }, 'status'],
      ['a null detail', { status: 'provisioned', detail: null }, 'detail'],
      ['a detail over 1000 characters', { status: 'disabled', detail: 'x'.repeat(1001) }, 'detail'],
    ])('refuses %s, naming the field, writing nothing', async (_what, body, field) => {
      const user = await addUser(api, a);
      const head = await api.events.headPosition();
      const response = await report(a, user.id, body);
      problem(response, 400, 'validation-failed');
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      expect(await api.events.headPosition()).toBe(head);
    });

    it('makes a version displayed before the report stale for a lead administrator’s If-Match: the account they saw changed', async () => {
      const user = await addUser(api, a);
      const displayed = await api.http.get(`${usersOf(a)}/${user.id}`).set(bearer(a.leadToken));
      await report(a, user.id, { status: 'provisioned' });
      const change = await api.http.patch(`${usersOf(a)}/${user.id}`).set(bearer(a.leadToken)).set('If-Match', displayed.headers.etag).send({ clinician: true });
      problem(change, 412, 'stale-version');
      expect(change.body.currentVersion).toBe(1);
    });

    it('is in the user’s audit timeline, with what it changed', async () => {
      const user = await addUser(api, a);
      await report(a, user.id, { status: 'failed', detail: 'HTTP 503' });
      const timeline = await api.http.get(`/audit/users/${user.id}/timeline`).set(bearer(auditor));
      expect(timeline.status).toBe(200);
      expect(timeline.body.entries.at(-1)).toMatchObject({
        type: 'UserAccountProvisioningFailed',
        summary: `Account of user ${user.id} reported failed by robot@platform.example with a detail`,
        changes: expect.arrayContaining([
          { field: 'account.status', from: 'pending', to: 'failed' },
          { field: 'account.detail', from: null, to: 'HTTP 503' },
        ]),
      });
    });

    describe('who may report', () => {
      let user: { id: string; email: string };
      beforeAll(async () => {
        user = await addUser(api, a, { spoc: true });
      });
      const tokens: Record<string, () => Promise<string>> = { ...notIntegrations(), 'the user themself': async () => api.token({ email: user.email }) };

      it('an integration', async () => expect((await report(a, user.id, { status: 'provisioned' })).status).toBe(200));
      it.each(Object.keys(tokens))('not %s (403 not-an-integration)', async (who) => {
        problem(await report(a, user.id, { status: 'disabled' }, await tokens[who]()), 403, 'not-an-integration');
        problem(await report(b, newId(), { status: 'disabled' }, await tokens[who]()), 403, 'not-an-integration');
      });
      it('not an auditor (403 auditor-read-only)', async () => problem(await report(a, user.id, { status: 'disabled' }, auditor), 403, 'auditor-read-only'));
      it('nobody without a token (401)', async () => problem(await api.http.post(`${usersOf(a)}/${user.id}/provisioning`).send({ status: 'disabled' }), 401, 'missing-token'));
      it('and the refusals wrote nothing', async () => expect(await typesIn(`user-${user.id}`)).toEqual(['UserAdded', 'UserAccountProvisioned']));
    });
  });
});
