import { TestApi, bearer, startApi } from './support/api';
import { OrgFixture, addUser, freshSignIn, registerOrg } from './support/directory';

/** Nobody decides a request they made, whatever their designations. */
describe('Separation of duties on access requests', () => {
  let api: TestApi;
  let admin: string;

  beforeAll(async () => {
    api = await startApi();
    admin = await api.token({ email: 'ops@platform.example', roles: ['platform_admin'] });
  });
  afterAll(() => api.close());

  const create = async (token: string, org: OrgFixture) => {
    const response = await api.http.post('/requests').set(bearer(token)).send({ organisationId: org.orgId, application: 'vaccination-recorder' });
    expect(response.status).toBe(201);
    return response.body.id as string;
  };
  const decide = (id: string, token: string, action: 'approve' | 'reject', headers: Record<string, string> = {}) =>
    api.http.post(`/requests/${id}/${action}`).set(bearer(token)).set(headers).send(action === 'approve' ? { confirm: true } : { reason: 'No' });

  it('refuses a SPOC approving or rejecting their own request with 403 self-decision, writing nothing', async () => {
    const org = await registerOrg(api, admin); // its lead administrator is also a SPOC
    await addUser(api, org, { spoc: true }); // another SPOC, who could decide
    const id = await create(org.leadToken, org);
    const head = await api.events.headPosition();
    for (const action of ['approve', 'reject'] as const) {
      const response = await decide(id, org.leadToken, action);
      expect(response.status).toBe(403);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body.type).toMatch(/self-decision$/);
    }
    expect(await api.events.headPosition()).toBe(head);
  });

  it('refuses it also to a lead administrator who designates themselves SPOC, and under a second token with the same address', async () => {
    const org = await registerOrg(api, admin);
    const lead = await addUser(api, org, { permissionLevel: 'lead_administrator', spoc: false });
    const leadToken = await api.token({ email: lead.email });
    const id = await create(leadToken, org);
    expect((await api.http.patch(`/organisations/${org.orgId}/users/${lead.id}`).set(bearer(leadToken)).send({ spoc: true })).status).toBe(200);
    const asSpoc = await freshSignIn(api, lead.email);
    expect((await decide(id, asSpoc, 'approve')).body.type).toMatch(/self-decision$/);
    const otherSub = await api.token({ sub: 'another-account', email: lead.email.toUpperCase(), issuedAt: Math.ceil(Date.now() / 1000) + 1 });
    expect((await decide(id, otherSub, 'approve')).body.type).toMatch(/self-decision$/);
  });

  it('lets another SPOC of the organisation decide it', async () => {
    const org = await registerOrg(api, admin);
    const other = await addUser(api, org, { spoc: true });
    const id = await create(org.leadToken, org);
    const response = await decide(id, await api.token({ email: other.email }), 'approve');
    expect(response.status).toBe(200);
    const approved = (await api.events.readStream(`request-${id}`)).at(-1)!;
    expect(approved).toMatchObject({ type: 'RequestApproved', data: { decidedAs: 'spoc' } });
  });

  it('lets a platform administrator decide when the requester is the only active SPOC, recorded as such', async () => {
    const org = await registerOrg(api, admin); // the lead administrator is the only SPOC
    await addUser(api, org, { spoc: false });
    const id = await create(org.leadToken, org);
    const response = await decide(id, admin, 'reject', { 'X-Min-Position': String(await api.events.headPosition()) });
    expect(response.status).toBe(200);
    expect(response.body.status).toBe('rejected');
    const rejected = (await api.events.readStream(`request-${id}`)).at(-1)!;
    expect(rejected).toMatchObject({ type: 'RequestRejected', data: { decidedAs: 'platform_admin' }, metadata: { actor: { email: 'ops@platform.example', roles: ['platform_admin'] } } });
  });

  it('refuses a platform administrator while another active SPOC could decide, and someone else’s request', async () => {
    const org = await registerOrg(api, admin);
    await addUser(api, org, { spoc: true });
    const own = await create(org.leadToken, org);
    expect((await decide(own, admin, 'approve')).body.type).toMatch(/not-a-spoc$/);
    const outsider = await api.token({ sub: 'sub-out', email: 'out@elsewhere.example' });
    const theirs = await create(outsider, org);
    expect((await decide(theirs, admin, 'approve')).body.type).toMatch(/not-a-spoc$/);
  });
});
