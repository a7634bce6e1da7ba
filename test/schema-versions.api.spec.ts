import { fold, newId } from '@access-ledger/core';
import { accessRequestDecider, requestStream } from '@access-ledger/access-requests';
import { TestApi, bearer, startApi } from './support/api';
import { OrgFixture, addUser, registerOrg } from './support/directory';

/**
 * Events stored in an older shape are read as the current one everywhere a stream is read:
 * the decider's fold (queries and commands), the projections, the API. The old shape here is a
 * RequestApproved of schema version 1 without `decidedAs`, appended raw to the real SQLite log
 * as code from before `decidedAs` wrote it.
 */
describe('Events of an older schema version', () => {
  let api: TestApi;
  let org: OrgFixture;
  let spoc: string;
  let spocEmail: string;
  const requester = { sub: 'sub-vera', email: 'vera@example.org', name: 'Vera Old' };

  beforeAll(async () => {
    api = await startApi();
    const admin = await api.token({ email: 'ops@platform.example', roles: ['platform_admin'] });
    org = await registerOrg(api, admin);
    spocEmail = (await addUser(api, org, { spoc: true })).email;
    spoc = await api.token({ email: spocEmail });
  });
  afterAll(() => api.close());

  const submittedRequest = async () => {
    const token = await api.token(requester);
    const created = await api.http.post('/requests').set(bearer(token)).send({ organisationId: org.orgId, application: 'legacy-app' });
    expect((await api.http.post(`/requests/${created.body.id}/submit`).set(bearer(token)).send({})).status).toBe(200);
    return { id: created.body.id as string, token };
  };

  it('are written at their type’s current version: decisions at 2, the other events at 1', async () => {
    const { id } = await submittedRequest();
    expect((await api.http.post(`/requests/${id}/approve`).set(bearer(spoc)).send({ confirm: true })).status).toBe(200);
    const versions = (await api.events.readStream(requestStream(id))).map((e) => [e.type, e.metadata.schemaVersion]);
    expect(versions).toEqual([
      ['RequestCreated', 1],
      ['ApprovalRequested', 1],
      ['RequestApproved', 2],
    ]);
  });

  describe('a RequestApproved stored at version 1, without decidedAs', () => {
    let id: string;
    let token: string;
    let position: number;

    beforeAll(async () => {
      ({ id, token } = await submittedRequest());
      const [created] = await api.events.readStream(requestStream(id));
      const commandId = newId();
      const appended = await api.events.appendToStream(
        requestStream(id),
        [
          {
            eventId: newId(),
            type: 'RequestApproved',
            data: {
              requestId: id,
              organisationId: org.orgId,
              application: 'legacy-app',
              requester: created.data.requester,
              comment: 'Approved before decidedAs existed',
              previousStatus: 'approval_requested',
              approvedAt: '2026-01-15T10:00:00.000Z',
            },
            metadata: {
              occurredAt: '2026-01-15T10:00:00.000Z',
              actor: { id: 'sub-old-spoc', email: 'old-spoc@org.example', organisationId: org.orgId, roles: ['recorder'] },
              correlationId: newId(),
              causationId: commandId,
              commandId,
              schemaVersion: 1,
            },
          },
        ],
        { expectedRevision: 1 },
      );
      position = appended.position;
    });

    it('folds into the decider’s state as an approval', async () => {
      expect(fold(accessRequestDecider, await api.events.readStream(requestStream(id)))).toMatchObject({ status: 'approved_rae', requestId: id });
    });

    it('is decided on as an approval by a command (withdrawing it is refused by the domain, not by the reader)', async () => {
      const response = await api.http.post(`/requests/${id}/withdraw`).set(bearer(token)).send({});
      expect(response.status).toBe(409);
      expect(response.body.type).toMatch(/invalid-transition$/);
    });

    it('is shown by GET /requests/:id as approved, by the actor who approved it', async () => {
      const response = await api.http.get(`/requests/${id}`).set(bearer(spoc));
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        status: 'approved_rae',
        completedAt: '2026-01-15T10:00:00.000Z',
        provisioning: { status: 'pending', detail: null, at: '2026-01-15T10:00:00.000Z' },
        decision: { by: { id: 'sub-old-spoc', email: 'old-spoc@org.example' }, comment: 'Approved before decidedAs existed', reason: null },
        actions: [],
      });
    });

    it('is projected into the SPOC overview as an approval, and counted as one', async () => {
      const response = await api.http.get(`/organisations/${org.orgId}/requests?q=legacy`).set(bearer(spoc)).set('X-Min-Position', String(position));
      expect(response.status).toBe(200);
      expect(response.body.items.find((item: { id: string }) => item.id === id)).toMatchObject({ status: 'approved_rae', completedAt: '2026-01-15T10:00:00.000Z', provisioning: { status: 'pending', detail: null, at: '2026-01-15T10:00:00.000Z' } });
      expect(response.body.counts).toMatchObject({ approved_rae: 2, approval_requested: 0 });
    });
  });
});
