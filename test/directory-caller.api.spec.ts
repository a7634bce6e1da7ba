import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mintToken } from '@access-ledger/auth';
import { TEST_SECRET, TestApi, bearer, startApi } from './support/api';
import { OrgFixture, addUser, freshSignIn, registerOrg, uniqueEmail } from './support/directory';
import { ServiceProcess, startServiceProcess } from './support/service-process';

/**
 * Each process keeps its callers' directory streams folded with their revisions and reads only
 * the events after them (DirectoryAccess): what these show is that this never answers from a
 * state older than the store's, in one process or across two on one data folder.
 */
describe('the caller as the directory knows them, kept between requests', () => {
  describe('in one process', () => {
    let api: TestApi;
    let org: OrgFixture;
    beforeAll(async () => {
      api = await startApi();
      org = await registerOrg(api, await api.token({ email: 'ops@platform.example', roles: ['platform_admin'] }));
    });
    afterAll(() => api.close());

    it('refuses a user on their very next request after a lead administrator deactivates them, and lets them in again on reactivation', async () => {
      const user = await addUser(api, org, { permissionLevel: 'administrator' });
      const token = await api.token({ email: user.email });
      for (let i = 0; i < 3; i += 1) expect((await api.http.get('/me').set(bearer(token))).status).toBe(200);
      const off = await api.http.post(`/organisations/${org.orgId}/users/${user.id}/deactivate`).set(bearer(org.leadToken)).send({ reason: 'Left' });
      expect(off.status).toBe(200);
      const next = await api.http.get('/me').set(bearer(token));
      expect(next.status).toBe(403);
      expect(next.body.type).toMatch(/user-deactivated$/);
      expect((await api.http.post(`/organisations/${org.orgId}/users/${user.id}/reactivate`).set(bearer(org.leadToken)).send({})).status).toBe(200);
      expect((await api.http.get('/me').set(bearer(token))).status).toBe(200);
    });

    it('gives a changed level to a token issued after the change and keeps the old one for the token the caller already had', async () => {
      const user = await addUser(api, org, { permissionLevel: 'recorder' });
      const before = await api.token({ email: user.email });
      expect((await api.http.get('/me').set(bearer(before))).body).toMatchObject({ permissionLevel: 'recorder' });
      expect((await api.http.patch(`/organisations/${org.orgId}/users/${user.id}`).set(bearer(org.leadToken)).send({ permissionLevel: 'lead_administrator' })).status).toBe(200);
      const after = await freshSignIn(api, user.email);
      expect((await api.http.get('/me').set(bearer(before))).body).toMatchObject({ permissionLevel: 'recorder' });
      expect((await api.http.get('/me').set(bearer(after))).body).toMatchObject({ permissionLevel: 'lead_administrator' });
      expect((await api.http.get('/me').set(bearer(before))).body).toMatchObject({ permissionLevel: 'recorder' });
      expect((await api.http.get(`/organisations/${org.orgId}/users`).set(bearer(after))).status).toBe(200);
      expect((await api.http.get(`/organisations/${org.orgId}/users`).set(bearer(before))).status).toBe(403);
    });

    it('knows a user added after their e-mail address was first seen unknown', async () => {
      const email = uniqueEmail('late');
      const token = await api.token({ email });
      expect((await api.http.get('/me').set(bearer(token))).body).toMatchObject({ user: null, organisation: null });
      const user = await addUser(api, org, { email, permissionLevel: 'recorder' });
      const me = await api.http.get('/me').set(bearer(await freshSignIn(api, email)));
      expect(me.body).toMatchObject({ user: { id: user.id }, permissionLevel: 'recorder' });
    });
  });

  describe('two API processes on one data folder', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'al-two-'));
    const env = { DATA_DIR: dataDir, AUTH_JWT_SECRET: TEST_SECRET, LOG_LEVEL: 'warn', RATE_LIMITS: 'off', RUN_PROVISIONING: 'false' };
    let a: ServiceProcess;
    let b: ServiceProcess;
    beforeAll(async () => {
      a = await startServiceProcess(env);
      // One process runs the projections (as one projector per store would); both take calls.
      b = await startServiceProcess({ ...env, RUN_PROJECTIONS: 'false' });
    });
    afterAll(async () => {
      await Promise.all([a?.stop(), b?.stop()]);
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('refuses on process B the very next request of a user deactivated through process A', async () => {
      const admin = await mintToken(TEST_SECRET, { email: 'ops@platform.example', roles: ['platform_admin'] });
      const org = await a.call('/organisations', admin, { body: { name: 'Two Process Practice' } });
      expect(org.status).toBe(201);
      const leadEmail = uniqueEmail('lead');
      const userEmail = uniqueEmail('user');
      const add = (email: string, permissionLevel: string, token: string) =>
        a.call(`/organisations/${org.body.id}/users`, token, { body: { firstName: 'Una', lastName: 'User', email, clinician: false, permissionLevel } });
      expect((await add(leadEmail, 'lead_administrator', admin)).status).toBe(201);
      const lead = await mintToken(TEST_SECRET, { email: leadEmail });
      const user = await add(userEmail, 'recorder', lead);
      expect(user.status).toBe(201);
      const token = await mintToken(TEST_SECRET, { email: userEmail });
      for (let i = 0; i < 3; i += 1) expect((await b.call('/me', token)).status).toBe(200);

      expect((await a.call(`/organisations/${org.body.id}/users/${user.body.id}/deactivate`, lead, { body: { reason: 'Left' } })).status).toBe(200);
      const next = await b.call('/me', token);
      expect(next.status).toBe(403);
      expect(next.body.type).toMatch(/user-deactivated$/);

      expect((await a.call(`/organisations/${org.body.id}/users/${user.body.id}/reactivate`, lead, { body: {} })).status).toBe(200);
      expect((await b.call('/me', token)).status).toBe(200);
    });
  });
});
