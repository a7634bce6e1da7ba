import { readFileSync } from 'node:fs';
import { COMMITTED_DOCUMENT, ResponseContract } from './support/openapi-contract';
import { startApi, TestApi } from './support/api';

/**
 * The integrator contract. The committed docs/openapi.json is what the app serves (so it is
 * linted, diffed and reviewed as it is served), and every response of every API spec is checked
 * against it (support/openapi-contract.ts); these show that check refusing what it must.
 */
describe('OpenAPI document', () => {
  let api: TestApi;
  let contract: ResponseContract;
  beforeAll(async () => {
    api = await startApi();
    contract = await ResponseContract.load();
  });
  afterAll(() => api.close());

  it('is committed as the app serves it (npm run openapi writes it)', async () => {
    const served = await api.http.get('/docs/openapi.json').expect(200);
    expect(JSON.parse(readFileSync(COMMITTED_DOCUMENT, 'utf8'))).toEqual(served.body);
  });

  it('names each operation once, with a summary, and documents every problem as problem+json', () => {
    const document = JSON.parse(readFileSync(COMMITTED_DOCUMENT, 'utf8'));
    const operations = Object.values(document.paths).flatMap((item) => Object.values(item as Record<string, { operationId: string; summary: string; responses: Record<string, { $ref?: string }> }>));
    const ids = operations.map((operation) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const operation of operations) {
      expect(operation.summary).toBeTruthy();
      for (const [status, response] of Object.entries(operation.responses)) {
        if (Number(status) >= 400) expect(document.components.responses[response.$ref!.split('/').pop()!].content).toEqual({ 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } });
      }
    }
  });

  describe('the response check', () => {
    const userId = '6f0c2a56-8a59-4c1e-9a8e-3c8f2f1f5a11';
    const orgId = '0d9b8a77-1f43-4c53-8f5f-8d1f3f2b7c22';
    const user = {
      id: userId,
      organisationId: orgId,
      firstName: 'Ada',
      lastName: 'Lovelace',
      email: 'ada@example.org',
      clinician: false,
      permissionLevel: 'recorder',
      spoc: false,
      professional: false,
      status: 'active',
      account: { status: 'pending', detail: null, at: '2026-01-01T00:00:00.000Z' },
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    };
    const json = { 'content-type': 'application/json; charset=utf-8' };
    const problem = (status: number) => ({ status, headers: { 'content-type': 'application/problem+json; charset=utf-8' }, body: { type: 'urn:access-ledger:problem:x', title: 'X', status, detail: 'x' } });
    const path = `/organisations/${orgId}/users/${userId}`;

    it('passes an answer as documented', () => {
      expect(contract.check('get', path, { status: 200, headers: json, body: user })).toBeNull();
      expect(contract.check('get', path, problem(404))).toBeNull();
      expect(contract.check('get', '/no/such/route', problem(404))).toBeNull();
    });

    it('takes null where a named schema is nullable, and a value of that schema', () => {
      const request = {
        id: userId,
        organisationId: orgId,
        requester: { id: 'sub-1', email: 'ada@example.org', name: null },
        application: 'lab-results',
        justification: null,
        status: 'created',
        createdAt: '2026-01-01T00:00:00.000Z',
        updatedAt: '2026-01-01T00:00:00.000Z',
        completedAt: null,
        provisioning: null,
        decision: null,
        actions: [],
      };
      expect(contract.check('get', `/requests/${userId}`, { status: 200, headers: json, body: request })).toBeNull();
      const provisioning = { status: 'provisioned', detail: null, at: '2026-01-02T00:00:00.000Z' };
      expect(contract.check('get', `/requests/${userId}`, { status: 200, headers: json, body: { ...request, provisioning } })).toBeNull();
      expect(contract.check('get', `/requests/${userId}`, { status: 200, headers: json, body: { ...request, provisioning: 'provisioned' } })).toMatch(/provisioning/);
    });

    it('refuses a status the operation does not document', () => {
      expect(contract.check('get', path, problem(422))).toMatch(/DirectoryController_getUser does not document status 422/);
    });

    it('refuses a member the schema does not name, and a required member missing', () => {
      expect(contract.check('get', path, { status: 200, headers: json, body: { ...user, nickname: 'x' } })).toMatch(/must NOT have additional properties 'nickname'/);
      const { email: _email, ...withoutEmail } = user;
      expect(contract.check('get', path, { status: 200, headers: json, body: withoutEmail })).toMatch(/must have required property 'email'/);
    });

    it('refuses a media type the response does not document, and a problem that is not one', () => {
      expect(contract.check('get', path, { status: 200, headers: { 'content-type': 'text/html' }, body: '<p>' })).toMatch(/media type text\/html is not documented/);
      expect(contract.check('get', path, { ...problem(404), body: { message: 'Not Found' } })).toMatch(/required property 'type'/);
    });

    it('refuses an answer of an undocumented operation', () => {
      expect(contract.check('delete', path, { status: 200, headers: json, body: {} })).toMatch(/no operation of the document matches/);
    });
  });
});
