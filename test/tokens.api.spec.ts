import { SignJWT } from 'jose';
import { ConfigError, loadConfig } from '@access-ledger/platform';
import { TEST_SECRET, TestApi, bearer, startApi } from './support/api';
import { OrgFixture, registerOrg, uniqueEmail } from './support/directory';

type Answer = { status: number; headers: Record<string, string>; body: any };

const expectUnauthorized = (response: Answer, code = 'invalid-token') => {
  expect(response.status).toBe(401);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
  expect(response.body.type).toMatch(new RegExp(`:${code}$`));
};

const now = () => Math.floor(Date.now() / 1000);
const HOUR = 3600;

/** A token with exactly these claims (no defaults), signed with the test secret. */
const sign = (claims: Record<string, unknown>) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(TEST_SECRET));
/** Claims of an ordinary, valid token, to be overridden one at a time. */
const valid = (overrides: Record<string, unknown> = {}) => ({ sub: 'someone', email: 'someone@example.org', iat: now(), exp: now() + HOUR, ...overrides });

describe('Tokens', () => {
  let api: TestApi;
  let org: OrgFixture;
  const victimSub = 'victim-subject-1';

  beforeAll(async () => {
    api = await startApi();
    const admin = await api.token({ email: 'ops@platform.example', roles: ['platform_admin'] });
    org = await registerOrg(api, admin, 'Token Practice');
    const victim = await api.token({ sub: victimSub, email: 'victim@elsewhere.example' });
    const created = await api.http.post('/requests').set(bearer(victim)).send({ organisationId: org.orgId, application: 'victims-app' });
    expect(created.status).toBe(201);
  });
  afterAll(() => api.close());

  const me = async (claims: Record<string, unknown>) => api.http.get('/me').set(bearer(await sign(claims)));

  describe('claims are checked by type, not only by signature', () => {
    it('refuses a sub that is an object, which used to reach the read store as a query operator', async () => {
      const token = await sign(valid({ sub: { in: [victimSub] } }));
      const response = await api.http.get('/requests?mine=true').set(bearer(token));
      expectUnauthorized(response);
      expect(JSON.stringify(response.body)).not.toContain('victims-app');
      expectUnauthorized(await me(valid({ sub: { a: 1 } })));
    });

    it('refuses an empty sub, which would make everyone without one the same person', async () => {
      expectUnauthorized(await me(valid({ sub: '' })));
    });

    it.each([
      ['a number', 42],
      ['an array', [victimSub]],
      ['256 characters', 'x'.repeat(256)],
      ['a control character', 'a\u0000b'],
    ])('refuses a sub that is %s', async (_what, sub) => {
      expectUnauthorized(await me(valid({ sub })));
    });

    it('accepts a sub of 255 characters', async () => {
      expect((await me(valid({ sub: 's'.repeat(255) }))).status).toBe(200);
    });

    it.each([
      ['missing', undefined],
      ['not a string', { address: 'a@b.org' }],
      ['without @', 'someone.example.org'],
      ['too long', `${'a'.repeat(250)}@b.org`],
      ['with a space', 'some one@example.org'],
      ['with a bidi override', 'some\u202Eone@example.org'],
    ])('refuses an email that is %s', async (_what, email) => {
      expectUnauthorized(await me(valid({ email })));
    });

    it.each([
      ['a string', 'platform_admin'],
      ['an array holding a non-string', ['platform_admin', 1]],
      ['an object', { platform_admin: true }],
    ])('refuses roles that are %s', async (_what, roles) => {
      expectUnauthorized(await me(valid({ roles })));
    });

    it('ignores roles it does not know, and keeps those it does', async () => {
      const response = await me(valid({ roles: ['offline_access', 'auditor', 'uma_authorization'] }));
      expect(response.status).toBe(200);
      expect(response.body.roles).toEqual(['auditor']);
    });

    it('refuses a name that is not a string', async () => {
      expectUnauthorized(await me(valid({ name: ['Jane', 'Doe'] })));
    });

    it('records a requester name from the token in NFC, and ignores one holding a bidi override', async () => {
      const decomposed = await sign(valid({ sub: 'named-1', name: 'Zoe\u0308 Doe' }));
      const first = await api.http.post('/requests').set(bearer(decomposed)).send({ organisationId: org.orgId, application: 'named' });
      expect(first.status).toBe(201);
      expect((await api.events.readStream(`request-${first.body.id}`))[0].data.requester.name).toBe('Zo\u00EB Doe');

      const spoofed = await sign(valid({ sub: 'named-2', name: 'Jane \u202Eeod' }));
      const second = await api.http.post('/requests').set(bearer(spoofed)).send({ organisationId: org.orgId, application: 'named' });
      expect(second.status).toBe(201);
      expect((await api.events.readStream(`request-${second.body.id}`))[0].data.requester.name).toBeNull();
    });

    it('matches an e-mail claim written in decomposed form to the directory user', async () => {
      const email = `jose\u0301-${uniqueEmail()}`;
      const added = await api.http
        .post(`/organisations/${org.orgId}/users`)
        .set(bearer(org.leadToken))
        .send({ firstName: 'José', lastName: 'Doe', email: email.normalize('NFC'), clinician: false, permissionLevel: 'recorder' });
      expect(added.status).toBe(201);
      const response = await me(valid({ email: email.normalize('NFD') }));
      expect(response.status).toBe(200);
      expect(response.body.user).toMatchObject({ id: added.body.id });
    });
  });

  describe('token age', () => {
    it('refuses a token issued 13 hours ago even though it expires in the year 3000', async () => {
      const response = await me(valid({ iat: now() - 13 * HOUR, exp: Date.UTC(3000, 0, 1) / 1000 }));
      expectUnauthorized(response, 'token-expired');
      expect(response.body.detail).toMatch(/older than/);
    });

    it('accepts a token issued 11 hours ago, whatever its exp', async () => {
      expect((await me(valid({ iat: now() - 11 * HOUR, exp: Date.UTC(3000, 0, 1) / 1000 }))).status).toBe(200);
    });

    it('refuses a token issued in the future beyond the clock skew, and one not valid yet', async () => {
      const future = await me(valid({ iat: now() + 5 * 60 }));
      expectUnauthorized(future);
      expect(future.body.detail).toMatch(/future/);
      expectUnauthorized(await me(valid({ nbf: now() + 5 * 60 })));
    });

    it('allows a few seconds of clock skew', async () => {
      expect((await me(valid({ iat: now() + 20 }))).status).toBe(200);
    });

    it('refuses a token without iat or exp', async () => {
      const { iat: _iat, ...noIat } = valid();
      const { exp: _exp, ...noExp } = valid();
      expectUnauthorized(await me(noIat));
      expectUnauthorized(await me(noExp));
      expectUnauthorized(await me(valid({ iat: '2026-01-01' })));
    });

    it('accepts what the token tool mints by default (8 hours)', async () => {
      expect((await api.http.get('/me').set(bearer(await api.token({ email: 'tool@example.org' })))).status).toBe(200);
    });
  });

  describe('configuration', () => {
    const load = (env: Record<string, string>) => loadConfig({ DATA_DIR: api.dataDir, AUTH_JWT_SECRET: TEST_SECRET, ...env });

    it.each([
      ['12h', 43200],
      ['30m', 1800],
      ['3600s', 3600],
      ['3600', 3600],
      ['1d', 86400],
    ])('reads AUTH_MAX_TOKEN_AGE=%s as %i seconds', (value, seconds) => {
      expect(load({ AUTH_MAX_TOKEN_AGE: value }).auth.maxTokenAgeSeconds).toBe(seconds);
    });

    it('defaults to 12 hours and 60 seconds of skew', () => {
      expect(load({}).auth).toMatchObject({ maxTokenAgeSeconds: 43200, clockSkewSeconds: 60 });
    });

    it.each([
      [{ AUTH_MAX_TOKEN_AGE: 'forever' }, 'AUTH_MAX_TOKEN_AGE'],
      [{ AUTH_MAX_TOKEN_AGE: '12 hours' }, 'AUTH_MAX_TOKEN_AGE'],
      [{ AUTH_MAX_TOKEN_AGE: '10s' }, 'AUTH_MAX_TOKEN_AGE'],
      [{ AUTH_MAX_TOKEN_AGE: '365d' }, 'AUTH_MAX_TOKEN_AGE'],
      [{ AUTH_CLOCK_SKEW_SECONDS: '-1' }, 'AUTH_CLOCK_SKEW_SECONDS'],
      [{ AUTH_CLOCK_SKEW_SECONDS: '1h' }, 'AUTH_CLOCK_SKEW_SECONDS'],
    ])('refuses %j naming %s', (env, variable) => {
      expect(() => load(env)).toThrow(ConfigError);
      expect(() => load(env)).toThrow(new RegExp(`^Configuration error: ${variable} `));
    });
  });
});
