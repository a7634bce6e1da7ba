import { SignJWT } from 'jose';
import { TEST_MANAGEMENT_TOKEN, TEST_SECRET, TestApi, bearer, startApi } from './support/api';

describe('API shell', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi({ BODY_LIMIT_KB: '1' });
  });
  afterAll(() => api.close());

  const expectProblem = (response: { status: number; headers: Record<string, string>; body: any }, status: number, code: string) => {
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ status, type: expect.stringMatching(new RegExp(`${code}$`)), title: expect.any(String), detail: expect.any(String) });
    expect(JSON.stringify(response.body)).not.toMatch(/at .*\.(ts|js):\d+/);
  };

  describe('liveness and docs need no token; readiness and metrics the management token', () => {
    it('answers liveness and readiness with both stores up', async () => {
      expect((await api.http.get('/health')).status).toBe(200);
      const ready = await api.http.get('/health/ready').set(bearer(TEST_MANAGEMENT_TOKEN));
      expect(ready.status).toBe(200);
      expect(ready.body.info).toMatchObject({ eventStore: { status: 'up' }, readStore: { status: 'up' }, projections: { status: 'up' } });
    });

    it('exposes Prometheus metrics', async () => {
      const metrics = await api.http.get('/metrics').set(bearer(TEST_MANAGEMENT_TOKEN));
      expect(metrics.status).toBe(200);
      expect(metrics.text).toContain('process_cpu_seconds_total');
      expect(metrics.text).toContain('http_request_duration_seconds');
    });

    it('serves the OpenAPI document', async () => {
      const doc = await api.http.get('/docs/openapi.json');
      expect(doc.status).toBe(200);
      expect(doc.body.openapi).toMatch(/^3\./);
      expect((await api.http.get('/docs')).status).toBe(200);
    });
  });

  describe('authentication', () => {
    const route = '/me';
    it('refuses a missing token with 401 problem+json and a WWW-Authenticate challenge', async () => {
      const response = await api.http.get(route);
      expectProblem(response, 401, 'missing-token');
      expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
    });

    it('refuses a malformed header or token', async () => {
      expectProblem(await api.http.get(route).set('Authorization', 'Basic abc'), 401, 'invalid-token');
      expectProblem(await api.http.get(route).set(bearer('not.a.jwt')), 401, 'invalid-token');
    });

    it('refuses a token signed with another secret', async () => {
      const forged = await new SignJWT({ email: 'a@b.org' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('a')
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode('another-secret-another-secret-another-secret'));
      expectProblem(await api.http.get(route).set(bearer(forged)), 401, 'invalid-token');
    });

    it('refuses an expired token', async () => {
      const now = Math.floor(Date.now() / 1000);
      const expired = await new SignJWT({ email: 'a@b.org' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('a')
        .setIssuedAt(now - 7200)
        .setExpirationTime(now - 3600)
        .sign(new TextEncoder().encode(TEST_SECRET));
      expectProblem(await api.http.get(route).set(bearer(expired)), 401, 'token-expired');
    });

    it('refuses a token without an e-mail claim or with the none algorithm', async () => {
      const noEmail = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('a').setIssuedAt().setExpirationTime('1h').sign(new TextEncoder().encode(TEST_SECRET));
      expectProblem(await api.http.get(route).set(bearer(noEmail)), 401, 'invalid-token');
      const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"a","email":"a@b.org"}').toString('base64url')}.`;
      expectProblem(await api.http.get(route).set(bearer(none)), 401, 'invalid-token');
    });
  });

  describe('errors are problem+json', () => {
    it('answers an unknown route with 404 once authenticated', async () => {
      const token = await api.token({ email: 'someone@example.org' });
      expectProblem(await api.http.get('/no/such/route').set(bearer(token)), 404, 'not-found');
    });

    it('answers malformed JSON with 400', async () => {
      const token = await api.token({ email: 'someone@example.org' });
      const response = await api.http.post('/organisations').set(bearer(token)).set('Content-Type', 'application/json').send('{"name": ');
      expectProblem(response, 400, 'malformed-json');
    });

    it('answers an oversized body with 413', async () => {
      const token = await api.token({ email: 'someone@example.org' });
      const response = await api.http.post('/organisations').set(bearer(token)).send({ name: 'x'.repeat(5000) });
      expectProblem(response, 413, 'payload-too-large');
    });

    it('echoes the caller’s correlation id, or makes one', async () => {
      const given = await api.http.get('/health').set('X-Correlation-Id', 'trace-123');
      expect(given.headers['x-correlation-id']).toBe('trace-123');
      const made = await api.http.get('/health');
      expect(made.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
      const problem = await api.http.get('/me').set('X-Correlation-Id', 'trace-456');
      expect(problem.body.correlationId).toBe('trace-456');
    });
  });
});
