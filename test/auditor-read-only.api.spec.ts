import { newId } from '@access-ledger/core';
import { TestApi, bearer, startApi } from './support/api';
import { OrgFixture, registerOrg } from './support/directory';
import { createWorkflow } from './support/care';

/** A route as the HTTP server has it: method and path pattern (`/requests/:id/approve`). */
type Route = { readonly method: string; readonly path: string };

/**
 * Every route the running app serves, read from the Express router itself (nothing can be left
 * out by a list kept by hand). Left out: the catch-all `/{*path}`, which is how Nest mounts
 * middleware for every path and method; it serves nothing itself.
 */
const routesOf = (api: TestApi): Route[] => {
  const express = api.app.getHttpAdapter().getInstance() as { router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] } };
  return express.router.stack.flatMap((layer) =>
    layer.route && !layer.route.path.includes('{*')
      ? Object.keys(layer.route.methods)
          .filter((m) => layer.route!.methods[m])
          .map((method) => ({ method: method.toUpperCase(), path: layer.route!.path }))
      : [],
  );
};

/**
 * Auditors read and never write: every write route of the service refuses a token with the
 * `auditor` role with 403 `auditor-read-only` before anything runs (nothing appended, no
 * idempotency key claimed), even where the same person is a lead administrator.
 */
describe('Auditors are read-only', () => {
  let api: TestApi;
  let a: OrgFixture;
  let workflowId: string;
  let auditor: string;
  let auditingLead: string;
  let writes: Route[];

  beforeAll(async () => {
    api = await startApi();
    const admin = await api.token({ email: 'ops@platform.example', roles: ['platform_admin'] });
    a = await registerOrg(api, admin, 'Audited Practice');
    workflowId = await createWorkflow(api, a);
    auditor = await api.token({ sub: 'sub-audrey', email: 'audrey@audit.example', roles: ['auditor'] });
    // The organisation's own lead administrator, with a token that also carries the auditor role.
    auditingLead = await api.token({ email: a.leadEmail, roles: ['auditor'] });
    writes = routesOf(api).filter((route) => !['GET', 'HEAD', 'OPTIONS'].includes(route.method));
  });
  afterAll(() => api.close());

  /** A path of the route with real ids where the app has them (so that only the role can refuse), fresh ones elsewhere. */
  const concrete = (path: string) =>
    path
      .replace(':orgId', a.orgId)
      .replace(':workflowId', workflowId)
      .replace(/:participantId/g, 'sub-someone')
      .replace(/:[A-Za-z]+/g, () => newId());

  it('finds the write routes of every context (the list is the app’s own, not kept by hand)', () => {
    const paths = writes.map((route) => `${route.method} ${route.path}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        'POST /organisations',
        'POST /organisations/:orgId/users',
        'PATCH /organisations/:orgId/users/:userId',
        'POST /requests',
        'POST /requests/:id/approve',
        'POST /organisations/:orgId/workflows',
        'POST /workflows/:workflowId/enrolments',
        'POST /workflows/:workflowId/participants/:participantId/results-access',
      ]),
    );
    expect(writes.length).toBeGreaterThanOrEqual(18);
  });

  it.each([
    ['an auditor', () => auditor],
    ['an auditor who is also the organisation’s lead administrator', () => auditingLead],
  ])('refuses %s on every write route with 403 auditor-read-only, writing nothing', async (_who, token) => {
    const refused: string[] = [];
    for (const route of writes) {
      const head = await api.events.headPosition();
      const response = await api.http[route.method.toLowerCase() as 'post' | 'patch' | 'put' | 'delete'](concrete(route.path))
        .set(bearer(token()))
        .set('Idempotency-Key', newId())
        .send({});
      expect([route, response.status, response.headers['content-type'], response.body.type]).toEqual([route, 403, expect.stringMatching(/application\/problem\+json/), 'urn:access-ledger:problem:auditor-read-only']);
      expect([route, await api.events.headPosition()]).toEqual([route, head]);
      refused.push(route.path);
    }
    expect(refused).toHaveLength(writes.length);
  });

  it('refuses nobody else for the role alone: the same writes without the auditor role are decided as usual', async () => {
    const lead = await api.token({ email: a.leadEmail });
    expect((await api.http.post(`/organisations/${a.orgId}/workflows`).set(bearer(lead)).send({ name: 'Fine', allowAppendProfessionals: false })).status).toBe(201);
    const enrolment = await api.http.post(`/workflows/${workflowId}/enrolments`).set(bearer(await api.token({ sub: 'sub-pat', email: 'pat@people.example' }))).send({});
    expect(enrolment.status).toBe(201);
    const request = await api.http.post('/requests').set(bearer(await api.token({ sub: 'sub-rita', email: 'rita@example.org' }))).send({ organisationId: a.orgId, application: 'x' });
    expect(request.status).toBe(201);
  });

  it('lets auditors read as before', async () => {
    expect((await api.http.get(`/organisations/${a.orgId}/users`).set(bearer(auditor))).status).toBe(200);
    expect((await api.http.get(`/audit/workflows/${workflowId}/timeline`).set(bearer(auditor))).status).toBe(200);
  });
});
