import { fold } from '@access-ledger/core';
import { isActiveLead, userDecider, userStream } from '@access-ledger/directory';
import { TestApi, bearer, startApi, withReadLatency } from './support/api';
import { OrgFixture, addUser, freshSignIn, registerOrg, uniqueEmail } from './support/directory';

/**
 * The rules that span several users hold under concurrency: they are decided in the
 * organisation's stream, appended with its expected revision, never against a read model.
 */
describe('Directory invariants under concurrency', () => {
  let api: TestApi;
  let admin: string;
  const TRIALS = 10;

  beforeAll(async () => {
    api = await startApi();
    withReadLatency(api.events);
    admin = await api.token({ email: 'ops@platform.example', roles: ['platform_admin'] });
  });
  afterAll(() => api.close());

  const lead = (email = uniqueEmail('lead')) => ({ firstName: 'Lee', lastName: 'Lead', email, clinician: false, permissionLevel: 'lead_administrator' });

  /** Active lead administrators as the users' own streams say (the truth, not a read model). */
  const activeLeads = async (userIds: readonly string[]) => {
    const states = await Promise.all(userIds.map(async (id) => fold(userDecider, await api.events.readStream(userStream(id)))));
    return states.filter(isActiveLead).length;
  };

  it(`lets exactly one of 20 concurrent first-lead adds through, in ${TRIALS} of ${TRIALS} trials`, async () => {
    for (let trial = 0; trial < TRIALS; trial += 1) {
      const org = await api.http.post('/organisations').set(bearer(admin)).send({ name: `Empty ${trial}` });
      expect(org.status).toBe(201);
      const responses = await Promise.all(
        Array.from({ length: 20 }, () => api.http.post(`/organisations/${org.body.id}/users`).set(bearer(admin)).send(lead())),
      );
      const created = responses.filter((r) => r.status === 201);
      expect(created).toHaveLength(1);
      for (const refused of responses.filter((r) => r.status !== 201)) {
        expect(refused.status).toBe(403);
        expect(refused.body.type).toMatch(/first-lead-administrator-only$/);
      }
      expect(await activeLeads(responses.map((r) => r.body.id).filter(Boolean))).toBe(1);
    }
  });

  it('admits nothing for a first lead administrator whose e-mail address is taken: the next add with a free one goes through', async () => {
    const taken = await registerOrg(api, admin);
    const org = await api.http.post('/organisations').set(bearer(admin)).send({ name: 'Empty, refused once' });
    const refused = await api.http.post(`/organisations/${org.body.id}/users`).set(bearer(admin)).send(lead(taken.leadEmail));
    expect(refused.status).toBe(409);
    expect(refused.body.type).toMatch(/email-already-exists$/);
    expect((await api.events.readStream(`organisation-${org.body.id}`)).map((e) => e.type)).toEqual(['OrganisationRegistered']);
    expect((await api.http.post(`/organisations/${org.body.id}/users`).set(bearer(admin)).send(lead())).status).toBe(201);
  });

  describe('two lead administrators leaving at the same time leave at least one', () => {
    const twoLeads = async (): Promise<{ org: OrgFixture; ids: [string, string]; tokens: [string, string] }> => {
      const org = await registerOrg(api, admin);
      const second = await addUser(api, org, { permissionLevel: 'lead_administrator' });
      return { org, ids: [org.leadId, second.id], tokens: [await freshSignIn(api, org.leadEmail), await freshSignIn(api, second.email)] };
    };
    const deactivate = (org: OrgFixture, token: string, userId: string) =>
      api.http.post(`/organisations/${org.orgId}/users/${userId}/deactivate`).set(bearer(token)).send({ reason: 'leaving' });
    const demote = (org: OrgFixture, token: string, userId: string) =>
      api.http.patch(`/organisations/${org.orgId}/users/${userId}`).set(bearer(token)).send({ permissionLevel: 'administrator' });
    type Action = typeof deactivate;

    it.each([
      ['deactivate + deactivate, each themselves', deactivate, deactivate, false],
      ['demote + demote, each themselves', demote, demote, false],
      ['demote + deactivate, each themselves', demote, deactivate, false],
      ['deactivate + deactivate, each the other', deactivate, deactivate, true],
      ['demote + deactivate, each the other', demote, deactivate, true],
    ] as [string, Action, Action, boolean][])(`%s: in ${TRIALS} of ${TRIALS} trials`, async (_case, first, second, crossed) => {
      for (let trial = 0; trial < TRIALS; trial += 1) {
        const { org, ids, tokens } = await twoLeads();
        const responses = await Promise.all([
          first(org, tokens[0], crossed ? ids[1] : ids[0]),
          second(org, tokens[1], crossed ? ids[0] : ids[1]),
        ]);
        expect(responses.map((r) => r.status).sort()).toEqual([200, 409]);
        expect(responses.find((r) => r.status === 409)!.body.type).toMatch(/last-lead-administrator$/);
        expect(await activeLeads(ids)).toBe(1);
      }
    });

    it(`each the other, while downstream reports on both accounts: in ${TRIALS} of ${TRIALS} trials`, async () => {
      // A report appended to a user's stream between that user's admission and their own write must
      // not make the admission look written (its removal would stop counting, letting the other leave).
      const integration = await api.token({ email: 'robot@platform.example', roles: ['integration'] });
      const reports = (org: OrgFixture, userId: string) =>
        Promise.all(
          ['failed', 'provisioned', 'failed', 'provisioned'].map(async (status, i) => {
            await new Promise((resolve) => setTimeout(resolve, i * Math.random() * 3));
            return api.http.post(`/organisations/${org.orgId}/users/${userId}/provisioning`).set(bearer(integration)).send({ status });
          }),
        );
      for (let trial = 0; trial < TRIALS; trial += 1) {
        const { org, ids, tokens } = await twoLeads();
        const [first, second] = await Promise.all([deactivate(org, tokens[0], ids[1]), deactivate(org, tokens[1], ids[0]), reports(org, ids[0]), reports(org, ids[1])]);
        expect([first.status, second.status].sort()).toEqual([200, 409]);
        expect(await activeLeads(ids)).toBe(1);
      }
    });
  });

  it('still lets the last lead administrator change what does not touch the rule, and others leave once a successor is in', async () => {
    const org = await registerOrg(api, admin);
    const token = await freshSignIn(api, org.leadEmail);
    const self = `/organisations/${org.orgId}/users/${org.leadId}`;
    expect((await api.http.patch(self).set(bearer(token)).send({ clinician: true, spoc: false })).status).toBe(200);
    const refused = await api.http.post(`${self}/deactivate`).set(bearer(token)).send({});
    expect(refused.status).toBe(409);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    const successor = await addUser(api, { ...org, leadToken: token }, { permissionLevel: 'lead_administrator' });
    expect((await api.http.post(`${self}/deactivate`).set(bearer(token)).send({})).status).toBe(200);
    expect(await activeLeads([org.leadId, successor.id])).toBe(1);
  });
});
