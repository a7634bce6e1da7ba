import { TEST_MANAGEMENT_TOKEN, TestApi, bearer, startApi } from './support/api';
import { OrgFixture, registerOrg } from './support/directory';
import { eventually } from './support/provisioning';

/** `npm start` on the embedded default: provisioning runs in the API's process (log provider) on the feed of the same server. */
describe('provisioning in the API process (the embedded default)', () => {
  // Processes start and poll on a machine that may be busy: a bound for the whole test, not a timing assertion.
  jest.setTimeout(120_000);
  let api: TestApi;
  let org: OrgFixture;
  let requester: string;

  beforeAll(async () => {
    api = await startApi({ RUN_PROVISIONING: 'true', PROVISIONING_POLL_INTERVAL_MS: '20' });
    const admin = await api.token({ email: 'ops@platform.example', roles: ['platform_admin'] });
    org = await registerOrg(api, admin, 'Hollybrook Surgery');
    requester = await api.token({ sub: 'sub-rita', email: 'rita@example.org' });
  });
  afterAll(() => api.close());

  it('takes an approved request to provisioned, and a new user to an account, with no other process', async () => {
    const created = await api.http.post('/requests').set(bearer(requester)).send({ organisationId: org.orgId, application: 'vaccination-recorder' });
    await api.http.post(`/requests/${created.body.id}/submit`).set(bearer(requester)).send({});
    expect((await api.http.post(`/requests/${created.body.id}/approve`).set(bearer(org.leadToken)).send({ confirm: true })).status).toBe(200);
    const row = await eventually(async () => {
      const overview = await api.http.get(`/organisations/${org.orgId}/requests`).set(bearer(org.leadToken));
      const found = (overview.body.items as { id: string; provisioning: { status: string } | null }[]).find((r) => r.id === created.body.id);
      return found?.provisioning?.status === 'provisioned' ? found : undefined;
    }, 'the request provisioned in the overview');
    expect(row.provisioning).toMatchObject({ status: 'provisioned', detail: null });
    const lead = await eventually(async () => {
      const users = await api.http.get(`/organisations/${org.orgId}/users`).set(bearer(org.leadToken));
      const found = (users.body.items as { id: string; account: { status: string } }[]).find((u) => u.id === org.leadId);
      return found?.account.status === 'provisioned' ? found : undefined;
    }, 'the lead administrator provisioned on the manage-users screen');
    expect(lead.account).toMatchObject({ status: 'provisioned' });
    const recorded = (await api.events.readStream(`request-${created.body.id}`)).filter((e) => e.type === 'AccountProvisioned');
    expect(recorded).toHaveLength(1);
    expect(recorded[0].metadata.actor).toMatchObject({ id: 'access-ledger-provisioning', roles: ['integration'] });
  });

  it.each(['/provisioning/health/ready', '/provisioning/metrics', '/provisioning/parked'])('serves %s to the management token only', async (path) => {
    expect((await api.http.get(path)).status).toBe(401);
    expect((await api.http.get(path).set(bearer(org.leadToken))).status).toBe(401);
    const admin = await api.token({ email: 'ops@platform.example', roles: ['platform_admin'] });
    expect((await api.http.get(path).set(bearer(admin))).status).toBe(401);
    const answer = await api.http.get(path).set(bearer(TEST_MANAGEMENT_TOKEN));
    expect(answer.status).toBe(200);
  });

  it('serves its liveness to anyone and reports itself caught up to operators', async () => {
    expect((await api.http.get('/provisioning/health')).status).toBe(200);
    const metrics = await api.http.get('/provisioning/metrics').set(bearer(TEST_MANAGEMENT_TOKEN));
    expect(metrics.text).toMatch(/^provisioning_attempts_total\{provider="log",result="ok"\} [1-9]/m);
    expect(metrics.text).toMatch(/^provisioning_outcome_reports_total\{status="provisioned",result="recorded"\} [1-9]/m);
    const ready = await api.http.get('/provisioning/health/ready').set(bearer(TEST_MANAGEMENT_TOKEN));
    expect(ready.body).toMatchObject({ status: 'ok', info: { source: { status: 'up', kind: 'feed', parked: 0 } } });
  });

  it('refuses an operator retry of an event that is not parked', async () => {
    const answer = await api.http.post('/provisioning/parked/nope/retry').set(bearer(TEST_MANAGEMENT_TOKEN));
    expect(answer.status).toBe(404);
    expect(answer.body.type).toMatch(/not-parked$/);
    expect((await api.http.post('/provisioning/parked/replay').set(bearer(TEST_MANAGEMENT_TOKEN))).status).toBe(409);
  });
});
