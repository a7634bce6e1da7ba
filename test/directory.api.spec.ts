import { newId } from '@access-ledger/core';
import { toArray } from '@access-ledger/event-store';
import { TestApi, bearer, startApi } from './support/api';
import { OrgFixture, addUser, freshSignIn, registerOrg, uniqueEmail } from './support/directory';

describe('Directory API', () => {
  let api: TestApi;
  let admin: string;
  let auditor: string;
  let outsider: string;
  let a: OrgFixture;
  let b: OrgFixture;

  beforeAll(async () => {
    api = await startApi();
    admin = await api.token({ email: 'ops@platform.example', roles: ['platform_admin'] });
    auditor = await api.token({ email: 'audit@platform.example', roles: ['auditor'] });
    outsider = await api.token({ email: 'nobody@elsewhere.example' });
    a = await registerOrg(api, admin, 'Hollybrook Surgery');
    b = await registerOrg(api, admin, 'Riverside Clinic');
  });
  afterAll(() => api.close());

  const usersOf = (org: OrgFixture) => `/organisations/${org.orgId}/users`;
  const newUser = (overrides: Record<string, unknown> = {}) => ({ firstName: 'Jane', lastName: 'Doe', email: uniqueEmail('jane'), clinician: true, permissionLevel: 'recorder', ...overrides });
  const tokenFor = async (org: OrgFixture, permissionLevel: string) => {
    const user = await addUser(api, org, { permissionLevel });
    return api.token({ email: user.email });
  };

  describe('POST /organisations', () => {
    it('registers an organisation for a platform administrator', async () => {
      const response = await api.http.post('/organisations').set(bearer(admin)).send({ name: 'New Practice', emailDomains: ['nhs.net'] });
      expect(response.status).toBe(201);
      expect(response.body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), position: expect.any(Number) });
      const [event] = await api.events.readStream(`organisation-${response.body.id}`);
      expect(event).toMatchObject({ type: 'OrganisationRegistered', data: { name: 'New Practice', emailDomains: ['nhs.net'] } });
      expect(event.metadata.actor).toMatchObject({ email: 'ops@platform.example', roles: ['platform_admin'] });
    });

    it.each([
      ['a lead administrator', () => a.leadToken, 'platform-admin-only'],
      ['an auditor (who never writes)', () => auditor, 'auditor-read-only'],
      ['someone outside the directory', () => outsider, 'platform-admin-only'],
    ])('refuses %s with 403', async (_who, token, code) => {
      const response = await api.http.post('/organisations').set(bearer(token())).send({ name: 'Sneaky' });
      expect(response.status).toBe(403);
      expect(response.body.type).toMatch(new RegExp(`${code}$`));
    });

    it('names invalid fields', async () => {
      const response = await api.http.post('/organisations').set(bearer(admin)).send({ name: '', emailDomains: ['not a domain'], extra: 1 });
      expect(response.status).toBe(400);
      expect(response.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['emailDomains', 'extra', 'name']);
    });
  });

  describe('POST /organisations/:orgId/users — who may add', () => {
    it('lets a lead administrator add users to their own organisation', async () => {
      const body = newUser({ spoc: true });
      const response = await api.http.post(usersOf(a)).set(bearer(a.leadToken)).send(body);
      expect(response.status).toBe(201);
      const [event] = await api.events.readStream(`user-${response.body.id}`);
      expect(event).toMatchObject({ type: 'UserAdded', data: { organisationId: a.orgId, email: body.email, permissionLevel: 'recorder', spoc: true, professional: false } });
      expect(event.metadata.actor).toMatchObject({ email: a.leadEmail, organisationId: a.orgId, roles: ['lead_administrator'] });
    });

    it.each(['recorder', 'administrator'])('refuses a %s of the organisation', async (level) => {
      const token = await tokenFor(a, level);
      const response = await api.http.post(usersOf(a)).set(bearer(token)).send(newUser());
      expect(response.status).toBe(403);
      expect(response.body.type).toMatch(/not-a-lead-administrator$/);
    });

    it('refuses a lead administrator of another organisation', async () => {
      expect((await api.http.post(usersOf(a)).set(bearer(b.leadToken)).send(newUser())).status).toBe(403);
    });

    it('refuses someone outside the directory and an auditor', async () => {
      expect((await api.http.post(usersOf(a)).set(bearer(outsider)).send(newUser())).status).toBe(403);
      expect((await api.http.post(usersOf(a)).set(bearer(auditor)).send(newUser())).status).toBe(403);
    });

    it('lets a platform administrator add only the first lead administrator', async () => {
      const response = await api.http.post(usersOf(a)).set(bearer(admin)).send(newUser({ permissionLevel: 'lead_administrator' }));
      expect(response.status).toBe(403);
      expect(response.body.type).toMatch(/first-lead-administrator-only$/);
    });

    it('answers 404 for an unknown organisation', async () => {
      const response = await api.http.post(`/organisations/${newId()}/users`).set(bearer(admin)).send(newUser({ permissionLevel: 'lead_administrator' }));
      expect(response.status).toBe(404);
      expect(response.body.type).toMatch(/organisation-not-found$/);
    });
  });

  describe('POST /organisations/:orgId/users — what is valid', () => {
    it.each([
      [{ firstName: '' }, 'firstName'],
      [{ lastName: '   ' }, 'lastName'],
      [{ firstName: 'x'.repeat(101) }, 'firstName'],
      [{ email: 'not-an-address' }, 'email'],
      [{ permissionLevel: 'superuser' }, 'permissionLevel'],
      [{ clinician: 'yes' }, 'clinician'],
      [{ role: 'admin' }, 'role'],
    ])('refuses %j naming %s, writing nothing', async (change, field) => {
      const head = await api.events.headPosition();
      const response = await api.http.post(usersOf(a)).set(bearer(a.leadToken)).send(newUser(change));
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      expect(await api.events.headPosition()).toBe(head);
    });

    it('refuses a malformed organisation id', async () => {
      const response = await api.http.post('/organisations/not-a-uuid/users').set(bearer(a.leadToken)).send(newUser());
      expect(response.status).toBe(400);
      expect(response.body.errors[0].field).toBe('orgId');
    });

    it('keeps e-mail addresses unique across organisations, ignoring case, and suggests the +organisation variation', async () => {
      const email = uniqueEmail('shared', 'nhs.net');
      await addUser(api, a, { email });
      const response = await api.http.post(usersOf(b)).set(bearer(b.leadToken)).send(newUser({ email: email.toUpperCase() }));
      expect(response.status).toBe(409);
      expect(response.body.type).toMatch(/email-already-exists$/);
      expect(response.body.detail).toContain(`${email.split('@')[0]}+riversideclinic@nhs.net`);
      const variation = `${email.split('@')[0]}+riverside@nhs.net`;
      expect((await api.http.post(usersOf(b)).set(bearer(b.leadToken)).send(newUser({ email: variation }))).status).toBe(201);
    });

    it('keeps addresses within the organisation’s e-mail domains', async () => {
      const c = await registerOrg(api, admin, 'Domain Practice', ['nhs.net']);
      const refused = await api.http.post(usersOf(c)).set(bearer(c.leadToken)).send(newUser({ email: uniqueEmail('x', 'gmail.com') }));
      expect(refused.status).toBe(400);
      expect(refused.body.type).toMatch(/email-domain-not-allowed$/);
      expect((await api.http.post(usersOf(c)).set(bearer(c.leadToken)).send(newUser({ email: uniqueEmail('x', 'NHS.net') }))).status).toBe(201);
    });

    it('lets exactly one of 50 concurrent adds of one address across organisations succeed', async () => {
      const orgs = [a, b, await registerOrg(api, admin), await registerOrg(api, admin), await registerOrg(api, admin)];
      const email = uniqueEmail('race');
      const responses = await Promise.all(
        Array.from({ length: 50 }, (_, i) => api.http.post(usersOf(orgs[i % orgs.length])).set(bearer(orgs[i % orgs.length].leadToken)).send(newUser({ email }))),
      );
      expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
      expect(responses.filter((r) => r.status === 409)).toHaveLength(49);
      const added = (await toArray(api.events.readAll({ filter: { eventTypes: ['UserAdded'] } }))).filter((e) => e.data.email === email);
      expect(added).toHaveLength(1);
    });

    it('returns the first outcome for a retry with the same Idempotency-Key and writes nothing more', async () => {
      const body = newUser();
      const key = newId();
      const first = await api.http.post(usersOf(a)).set(bearer(a.leadToken)).set('Idempotency-Key', key).send(body);
      const head = await api.events.headPosition();
      const retry = await api.http.post(usersOf(a)).set(bearer(a.leadToken)).set('Idempotency-Key', key).send(body);
      expect(first.status).toBe(201);
      expect(retry.status).toBe(201);
      expect(retry.body).toEqual(first.body);
      expect(await api.events.headPosition()).toBe(head);
    });
  });

  describe('rights take effect at the next sign-in', () => {
    it('keeps the previous level for tokens issued before the change and gives the new one after', async () => {
      const user = await addUser(api, a, { permissionLevel: 'recorder', clinician: false });
      const before = await api.token({ email: user.email });
      const change = await api.http.patch(`${usersOf(a)}/${user.id}`).set(bearer(a.leadToken)).send({ permissionLevel: 'lead_administrator', clinician: true, spoc: true });
      expect(change.status).toBe(200);
      const old = await api.http.get('/me').set(bearer(before));
      expect(old.body).toMatchObject({ permissionLevel: 'recorder', capabilities: ['record_vaccinations'], clinician: true, spoc: false, status: 'active' });
      expect((await api.http.get(usersOf(a)).set(bearer(before))).status).toBe(403);
      const after = await freshSignIn(api, user.email);
      const fresh = await api.http.get('/me').set(bearer(after));
      expect(fresh.body).toMatchObject({
        user: { id: user.id, email: user.email },
        organisation: { id: a.orgId, name: 'Hollybrook Surgery' },
        permissionLevel: 'lead_administrator',
        capabilities: ['record_vaccinations', 'manage_vaccines', 'create_reports', 'manage_workflows', 'manage_users'],
        spoc: true,
      });
      expect((await api.http.get(usersOf(a)).set(bearer(after))).status).toBe(200);
    });

    it('answers /me for a caller outside the directory with their platform roles only', async () => {
      const me = await api.http.get('/me').set(bearer(admin));
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ user: null, organisation: null, permissionLevel: null, capabilities: [], roles: ['platform_admin'] });
    });
  });

  describe('deactivation', () => {
    it('refuses every call of a deactivated user at once, whatever their token, until reactivated', async () => {
      const user = await addUser(api, a, { permissionLevel: 'lead_administrator' });
      const token = await api.token({ email: user.email });
      expect((await api.http.get(usersOf(a)).set(bearer(token))).status).toBe(200);
      const off = await api.http.post(`${usersOf(a)}/${user.id}/deactivate`).set(bearer(a.leadToken)).send({ reason: 'Left the practice' });
      expect(off.status).toBe(200);
      for (const call of [api.http.get('/me'), api.http.get(usersOf(a)), api.http.post(usersOf(a)).send(newUser())]) {
        const response = await call.set(bearer(token));
        expect(response.status).toBe(403);
        expect(response.body.type).toMatch(/user-deactivated$/);
      }
      const again = await api.http.post(`${usersOf(a)}/${user.id}/deactivate`).set(bearer(a.leadToken)).send({});
      expect(again.status).toBe(409);
      expect(again.body.type).toMatch(/user-already-deactivated$/);
      expect((await api.http.post(`${usersOf(a)}/${user.id}/reactivate`).set(bearer(a.leadToken)).send({})).status).toBe(200);
      expect((await api.http.get('/me').set(bearer(token))).status).toBe(200);
      expect((await api.http.post(`${usersOf(a)}/${user.id}/reactivate`).set(bearer(a.leadToken)).send({})).status).toBe(409);
    });

    it('records the reason and who did it', async () => {
      const user = await addUser(api, a);
      await api.http.post(`${usersOf(a)}/${user.id}/deactivate`).set(bearer(a.leadToken)).send({ reason: 'Left' });
      const events = await api.events.readStream(`user-${user.id}`);
      expect(events.at(-1)).toMatchObject({ type: 'UserDeactivated', data: { reason: 'Left' }, metadata: { actor: { email: a.leadEmail } } });
    });

    it('is for lead administrators of the organisation only', async () => {
      const user = await addUser(api, a);
      const recorder = await tokenFor(a, 'recorder');
      for (const token of [recorder, b.leadToken, admin, auditor]) {
        expect((await api.http.post(`${usersOf(a)}/${user.id}/deactivate`).set(bearer(token)).send({})).status).toBe(403);
      }
      expect((await api.http.post(`${usersOf(a)}/${newId()}/deactivate`).set(bearer(a.leadToken)).send({})).status).toBe(404);
    });

    it('stops the last active lead administrator deactivating or demoting themselves', async () => {
      const solo = await registerOrg(api, admin, 'Solo Practice');
      const deactivate = await api.http.post(`${usersOf(solo)}/${solo.leadId}/deactivate`).set(bearer(solo.leadToken)).send({});
      expect(deactivate.status).toBe(409);
      expect(deactivate.body.type).toMatch(/last-lead-administrator$/);
      const demote = await api.http.patch(`${usersOf(solo)}/${solo.leadId}`).set(bearer(solo.leadToken)).send({ permissionLevel: 'recorder' });
      expect(demote.status).toBe(409);
      const other = await addUser(api, solo, { permissionLevel: 'lead_administrator' });
      await api.http.get(usersOf(solo)).set(bearer(solo.leadToken)).set('X-Min-Position', String(other.position));
      expect((await api.http.patch(`${usersOf(solo)}/${solo.leadId}`).set(bearer(solo.leadToken)).send({ permissionLevel: 'recorder' })).status).toBe(200);
    });
  });

  describe('GET one user and If-Match', () => {
    it('returns the user with an ETag, and refuses a change made on a stale version with 412', async () => {
      const user = await addUser(api, a);
      const got = await api.http.get(`${usersOf(a)}/${user.id}`).set(bearer(a.leadToken));
      expect(got.status).toBe(200);
      expect(got.headers.etag).toBe('"0"');
      expect(got.body).toMatchObject({ id: user.id, email: user.email, status: 'active', permissionLevel: 'recorder' });
      const ok = await api.http.patch(`${usersOf(a)}/${user.id}`).set(bearer(a.leadToken)).set('If-Match', got.headers.etag).send({ clinician: true });
      expect(ok.status).toBe(200);
      expect(ok.headers.etag).toBe('"1"');
      const head = await api.events.headPosition();
      const stale = await api.http.patch(`${usersOf(a)}/${user.id}`).set(bearer(a.leadToken)).set('If-Match', got.headers.etag).send({ clinician: false });
      expect(stale.status).toBe(412);
      expect(stale.body.type).toMatch(/stale-version$/);
      expect(await api.events.headPosition()).toBe(head);
      expect((await api.http.post(`${usersOf(a)}/${user.id}/deactivate`).set(bearer(a.leadToken)).set('If-Match', '"0"').send({})).status).toBe(412);
    });

    it('lets the user, lead administrators and auditors read it; hides it from others', async () => {
      const user = await addUser(api, a);
      const self = await api.token({ email: user.email });
      for (const token of [self, a.leadToken, auditor]) expect((await api.http.get(`${usersOf(a)}/${user.id}`).set(bearer(token))).status).toBe(200);
      const recorder = await tokenFor(a, 'recorder');
      expect((await api.http.get(`${usersOf(a)}/${user.id}`).set(bearer(recorder))).status).toBe(403);
      expect((await api.http.get(`${usersOf(a)}/${user.id}`).set(bearer(b.leadToken))).status).toBe(403);
      expect((await api.http.get(`${usersOf(b)}/${user.id}`).set(bearer(b.leadToken))).status).toBe(404);
    });
  });

  describe('GET /organisations/:orgId/users — the manage-users screen', () => {
    let org: OrgFixture;
    let last: number;
    const people = [
      ['Ada', 'Lovelace', 'administrator'],
      ['Grace', 'Hopper', 'recorder'],
      ['Alan', 'Turing', 'recorder'],
      ['Émile', 'Zola', 'administrator'],
      ['Adele', 'Goldberg', 'recorder'],
    ] as const;
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      org = await registerOrg(api, admin, 'Screen Practice');
      for (const [firstName, lastName, permissionLevel] of people) {
        const user = await addUser(api, org, { firstName, lastName, permissionLevel, email: uniqueEmail(firstName.toLowerCase()) });
        ids[lastName] = user.id;
        last = user.position;
      }
      const off = await api.http.post(`${usersOf(org)}/${ids.Turing}/deactivate`).set(bearer(org.leadToken)).send({});
      last = off.body.position;
    });

    const list = (query: string, token = org.leadToken) => api.http.get(`${usersOf(org)}?${query}`).set(bearer(token)).set('X-Min-Position', String(last));

    it('lists the organisation’s users sorted by last name, with the documented fields', async () => {
      const response = await list('');
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ total: 6, page: 1, pageSize: 25 });
      expect(response.body.items.map((u: { lastName: string }) => u.lastName)).toEqual(['Goldberg', 'Hopper', 'Lead', 'Lovelace', 'Turing', 'Zola']);
      expect(Object.keys(response.body.items[0]).sort()).toEqual(
        ['account', 'clinician', 'createdAt', 'email', 'firstName', 'id', 'lastName', 'permissionLevel', 'professional', 'spoc', 'status', 'updatedAt'].sort(),
      );
    });

    it('filters by status and permission level', async () => {
      const deactivated = await list('status=deactivated');
      expect(deactivated.body.items.map((u: { id: string }) => u.id)).toEqual([ids.Turing]);
      const recorders = await list('status=active&permissionLevel=recorder');
      expect(recorders.body.items.map((u: { lastName: string }) => u.lastName)).toEqual(['Goldberg', 'Hopper']);
    });

    it('searches a case-insensitive prefix of first name, last name or e-mail', async () => {
      expect((await list('q=AD')).body.items.map((u: { firstName: string }) => u.firstName)).toEqual(['Adele', 'Ada']);
      expect((await list('q=émi')).body.items.map((u: { lastName: string }) => u.lastName)).toEqual(['Zola']);
      expect((await list('q=hop')).body.total).toBe(1);
      expect((await list('q=ov')).body.total).toBe(0);
    });

    it('sorts descending and by e-mail, and pages', async () => {
      expect((await list('sort=-lastName&pageSize=2')).body).toMatchObject({ total: 6, pageSize: 2, items: [{ lastName: 'Zola' }, { lastName: 'Turing' }] });
      expect((await list('sort=-lastName&pageSize=2&page=3')).body.items.map((u: { lastName: string }) => u.lastName)).toEqual(['Hopper', 'Goldberg']);
      const byEmail = (await list('sort=email')).body.items.map((u: { email: string }) => u.email);
      expect(byEmail).toEqual([...byEmail].sort());
      const byUpdate = (await list('sort=-updatedAt')).body.items;
      expect(byUpdate[0].id).toBe(ids.Turing);
    });

    it('shows a user’s status after deactivation and reactivation (read-your-writes)', async () => {
      const on = await api.http.post(`${usersOf(org)}/${ids.Turing}/reactivate`).set(bearer(org.leadToken)).send({});
      const response = await api.http.get(`${usersOf(org)}?q=turing`).set(bearer(org.leadToken)).set('X-Min-Position', String(on.body.position));
      expect(response.body.items[0]).toMatchObject({ id: ids.Turing, status: 'active' });
      const off = await api.http.post(`${usersOf(org)}/${ids.Turing}/deactivate`).set(bearer(org.leadToken)).send({});
      last = off.body.position;
      expect((await list('q=turing')).body.items[0].status).toBe('deactivated');
    });

    it.each([
      ['pageSize=101', 'pageSize'],
      ['page=0', 'page'],
      ['sort=password', 'sort'],
      ['status=gone', 'status'],
      ['permissionLevel=god', 'permissionLevel'],
      ['colour=red', 'colour'],
    ])('refuses %s naming %s', async (query, field) => {
      const response = await list(query);
      expect(response.status).toBe(400);
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it('is for lead administrators of the organisation and auditors', async () => {
      expect((await list('', auditor)).status).toBe(200);
      expect((await list('', a.leadToken)).status).toBe(403);
      expect((await list('', admin)).status).toBe(403);
      expect((await list('', await tokenFor(org, 'administrator'))).status).toBe(403);
    });

    it('refuses a malformed X-Min-Position', async () => {
      const response = await api.http.get(usersOf(org)).set(bearer(org.leadToken)).set('X-Min-Position', 'soon');
      expect(response.status).toBe(400);
    });
  });
});
