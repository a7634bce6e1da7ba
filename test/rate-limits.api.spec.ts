import { toArray } from '@access-ledger/event-store';
import { TestApi, bearer, startApi } from './support/api';
import { registerOrg } from './support/directory';
import { rawExchange } from './support/raw-http';

type Answer = { status: number; headers: Record<string, string>; body: any };

const expectRateLimited = (response: Answer, scope: string) => {
  expect(response.status).toBe(429);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({ status: 429, type: expect.stringMatching(/:rate-limited$/), title: 'Too Many Requests', detail: expect.any(String), scope });
  expect(response.headers['retry-after']).toMatch(/^\d+$/);
  expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
  expect(response.body.retryAfterSeconds).toBe(Number(response.headers['retry-after']));
};

describe('rate limits', () => {
  describe('per caller and, for requests without a valid token, per IP', () => {
    let api: TestApi;
    beforeAll(async () => {
      api = await startApi({ RATE_LIMIT_PER_MINUTE: '3', RATE_LIMIT_IP_PER_MINUTE: '2', HTTP_REQUEST_TIMEOUT_MS: '2000' });
    });
    afterAll(() => api.close());

    it('answers a caller over its limit with 429, Retry-After and problem+json; other callers go on', async () => {
      const flooder = await api.token({ sub: 'flooder', email: 'flooder@example.org' });
      for (let i = 0; i < 3; i += 1) expect((await api.http.get('/me').set(bearer(flooder))).status).toBe(200);
      const refused = await api.http.get('/me').set(bearer(flooder));
      expectRateLimited(refused, 'caller');
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
      // Counted per token `sub`, across routes: another route is refused too, another caller is not.
      expectRateLimited(await api.http.get('/requests?mine=true').set(bearer(flooder)), 'caller');
      const again = await api.token({ sub: 'flooder', email: 'flooder@example.org', name: 'Same sub, new token' });
      expectRateLimited(await api.http.get('/me').set(bearer(again)), 'caller');
      expect((await api.http.get('/me').set(bearer(await api.token({ sub: 'calm', email: 'calm@example.org' })))).status).toBe(200);
    });

    it('limits requests without a valid token per IP, before their body is read; valid tokens and liveness are not counted', async () => {
      expect((await api.http.get('/me')).status).toBe(401);
      expect((await api.http.get('/me').set(bearer('not.a.jwt'))).status).toBe(401);
      expectRateLimited(await api.http.get('/me'), 'ip');
      // A malformed body would be a 400 once parsed: it is refused unread.
      const unread = await api.http.post('/organisations').set('Content-Type', 'application/json').send('{"name": ');
      expectRateLimited(unread, 'ip');
      expect(unread.headers.connection).toBe('close');
      // A body that never completes is answered at once rather than waited for (408 after 2 s).
      const partial = await rawExchange(api.app, 'POST /organisations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"na');
      expect(partial.status).toBe(429);
      expect(partial.body.scope).toBe('ip');

      expect((await api.http.get('/health')).status).toBe(200);
      const member = await api.token({ sub: 'member', email: 'member@example.org' });
      for (let i = 0; i < 3; i += 1) expect((await api.http.get('/me').set(bearer(member))).status).toBe(200);
    });
  });

  describe('request creation per requester and per organisation', () => {
    let api: TestApi;
    beforeAll(async () => {
      api = await startApi({ RATE_LIMIT_NEW_REQUESTS_PER_HOUR: '2', RATE_LIMIT_ORG_NEW_REQUESTS_PER_MINUTE: '3' });
    });
    afterAll(() => api.close());

    const create = async (sub: string, organisationId: string) =>
      api.http.post('/requests').set(bearer(await api.token({ sub, email: `${sub}@example.org` }))).send({ organisationId, application: 'vaccination-recorder' });
    const created = async () => (await toArray(api.events.readAll({ filter: { eventTypes: ['RequestCreated'] } }))).map((e) => `${e.data.requester.id}>${e.data.organisationId}`);

    it('lets one requester create N requests an hour and an organisation receive M a minute, and records nothing refused', async () => {
      const admin = await api.token({ email: 'ops@platform.example', roles: ['platform_admin'] });
      const a = (await registerOrg(api, admin, 'Hollybrook Surgery')).orgId;
      const b = (await registerOrg(api, admin, 'Riverside Clinic')).orgId;

      expect((await create('rita', a)).status).toBe(201);
      expect((await create('rita', a)).status).toBe(201);
      const third = await create('rita', b);
      expectRateLimited(third, 'requester');
      expect(Number(third.headers['retry-after'])).toBeGreaterThan(60);

      expect((await create('otto', a)).status).toBe(201);
      expectRateLimited(await create('olga', a), 'organisation');
      // b is another queue, and Rita's refused attempt used none of its budget.
      expect((await create('olga', b)).status).toBe(201);
      expect((await create('otto', b)).status).toBe(201);
      expect((await create('ivan', b)).status).toBe(201);
      expectRateLimited(await create('uma', b), 'organisation');

      expect((await created()).sort()).toEqual([`ivan>${b}`, `olga>${b}`, `otto>${a}`, `otto>${b}`, `rita>${a}`, `rita>${a}`].sort());
    });
  });

  describe('RATE_LIMITS=off', () => {
    let api: TestApi;
    beforeAll(async () => {
      api = await startApi({ RATE_LIMITS: 'off', RATE_LIMIT_PER_MINUTE: '1', RATE_LIMIT_IP_PER_MINUTE: '1', RATE_LIMIT_NEW_REQUESTS_PER_HOUR: '1', RATE_LIMIT_ORG_NEW_REQUESTS_PER_MINUTE: '1' });
    });
    afterAll(() => api.close());

    it('lets everything through', async () => {
      const admin = await api.token({ email: 'ops@platform.example', roles: ['platform_admin'] });
      const org = (await registerOrg(api, admin)).orgId;
      const rita = await api.token({ sub: 'rita', email: 'rita@example.org' });
      for (let i = 0; i < 4; i += 1) {
        expect((await api.http.get('/me').set(bearer(rita))).status).toBe(200);
        expect((await api.http.get('/me')).status).toBe(401);
        expect((await api.http.post('/requests').set(bearer(rita)).send({ organisationId: org, application: 'app' })).status).toBe(201);
      }
    });
  });
});
