import fc from 'fast-check';
import { SignJWT } from 'jose';
import { AuthenticationError, TokenVerifier } from './auth';

const SECRET = 'unit-test-secret-that-is-long-enough-0123456789';
const now = () => Math.floor(Date.now() / 1000);
const sign = (claims: Record<string, unknown>) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(SECRET));
const bearer = async (claims: Record<string, unknown>) => `Bearer ${await sign(claims)}`;
const valid = (overrides: Record<string, unknown> = {}) => ({ sub: 'someone', email: 'someone@example.org', iat: now(), exp: now() + 3600, ...overrides });

const refusal = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('the token was accepted');
};

describe('TokenVerifier', () => {
  describe('a token it verified before (kept so that it is not verified on every call)', () => {
    // Only Date is faked: jose and the verifier read the clock through it; crypto and promises run as usual.
    const at = (seconds: number) => jest.setSystemTime(seconds * 1000);
    beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'queueMicrotask', 'hrtime', 'performance'] }));
    afterEach(() => jest.useRealTimers());

    /** Verified now and kept, still taken `lastTaken` seconds on, refused as expired at `refusedAt`. */
    const keptUntil = async (options: { maxTokenAgeSeconds?: number; clockSkewSeconds: number }, claims: (start: number) => Record<string, unknown>, lastTaken: number, refusedAt: number) => {
      const start = now();
      const verifier = new TokenVerifier({ mode: 'hs256', secret: SECRET, ...options });
      const token = await bearer(valid(claims(start)));
      await expect(verifier.verify(token)).resolves.toMatchObject({ sub: 'someone' });
      at(start + lastTaken);
      await expect(verifier.verify(token)).resolves.toMatchObject({ sub: 'someone' });
      at(start + refusedAt);
      expect(await refusal(verifier.verify(token))).toMatchObject({ code: 'token-expired' });
    };

    it('is refused once it expires, as on its first use', async () => {
      await keptUntil({ clockSkewSeconds: 0 }, (start) => ({ iat: start, exp: start + 30 }), 29, 30);
    });

    it('is refused once it is older than the maximum age, whatever its exp', async () => {
      await keptUntil({ maxTokenAgeSeconds: 40, clockSkewSeconds: 5 }, (start) => ({ iat: start, exp: start + 86400 }), 45, 46);
    });

    it('never lends its verification to the same claims with another signature', async () => {
      const verifier = new TokenVerifier({ mode: 'hs256', secret: SECRET });
      const claims = valid();
      await expect(verifier.verify(await bearer(claims))).resolves.toMatchObject({ sub: 'someone' });
      const forged = `Bearer ${await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(`${SECRET}-other`))}`;
      expect(await refusal(verifier.verify(forged))).toMatchObject({ code: 'invalid-token' });
    });
  });

  it('refuses tokens older than the configured maximum age, whatever their exp', async () => {
    const verifier = new TokenVerifier({ mode: 'hs256', secret: SECRET, maxTokenAgeSeconds: 1800, clockSkewSeconds: 0 });
    const old = await refusal(verifier.verify(await bearer(valid({ iat: now() - 1801, exp: now() + 86400 }))));
    expect(old).toMatchObject({ code: 'token-expired' });
    await expect(verifier.verify(await bearer(valid({ iat: now() - 1700 })))).resolves.toMatchObject({ sub: 'someone' });
  });

  it('allows exactly the configured clock skew for an iat in the future', async () => {
    const strict = new TokenVerifier({ mode: 'hs256', secret: SECRET, clockSkewSeconds: 0 });
    expect(await refusal(strict.verify(await bearer(valid({ iat: now() + 30 }))))).toMatchObject({ code: 'invalid-token' });
    const lenient = new TokenVerifier({ mode: 'hs256', secret: SECRET, clockSkewSeconds: 120 });
    await expect(lenient.verify(await bearer(valid({ iat: now() + 30 })))).resolves.toMatchObject({ sub: 'someone' });
  });

  it('defaults to 12 hours of age and 60 seconds of skew', async () => {
    const verifier = new TokenVerifier({ mode: 'hs256', secret: SECRET });
    await expect(verifier.verify(await bearer(valid({ iat: now() - 11.9 * 3600 })))).resolves.toBeDefined();
    expect(await refusal(verifier.verify(await bearer(valid({ iat: now() - 12.1 * 3600 }))))).toMatchObject({ code: 'token-expired' });
    await expect(verifier.verify(await bearer(valid({ iat: now() + 50 })))).resolves.toBeDefined();
    expect(await refusal(verifier.verify(await bearer(valid({ iat: now() + 90 }))))).toMatchObject({ code: 'invalid-token' });
  });

  it('cuts a long name at 200 characters without splitting a surrogate pair', async () => {
    const verifier = new TokenVerifier({ mode: 'hs256', secret: SECRET });
    const principal = await verifier.verify(await bearer(valid({ name: `${'a'.repeat(199)}${'🌿'.repeat(10)}` })));
    expect(principal.name).toBe(`${'a'.repeat(199)}🌿`);
  });

  it('gives a principal of the declared types for any claims, or refuses with an AuthenticationError', async () => {
    const verifier = new TokenVerifier({ mode: 'hs256', secret: SECRET });
    const claim = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.string({ unit: 'binary' }), fc.constant(undefined));
    const shapedOrRandom = (shaped: fc.Arbitrary<unknown>) => fc.oneof(shaped, claim);
    await fc.assert(
      fc.asyncProperty(
        shapedOrRandom(fc.string({ minLength: 0, maxLength: 300 })),
        shapedOrRandom(fc.emailAddress()),
        shapedOrRandom(fc.array(fc.oneof(fc.constantFrom('platform_admin', 'auditor', 'integration'), fc.string()), { maxLength: 4 })),
        shapedOrRandom(fc.string({ unit: 'binary', maxLength: 300 })),
        async (sub, email, roles, name) => {
          const claims = valid({ sub, email, roles, name });
          let principal;
          try {
            principal = await verifier.verify(await bearer(JSON.parse(JSON.stringify(claims))));
          } catch (error) {
            expect(error).toBeInstanceOf(AuthenticationError);
            return;
          }
          expect(typeof principal.sub).toBe('string');
          expect(principal.sub.length).toBeGreaterThan(0);
          expect(principal.sub.length).toBeLessThanOrEqual(255);
          expect(typeof principal.email).toBe('string');
          expect(principal.email).toContain('@');
          expect(Array.isArray(principal.roles) && principal.roles.every((r) => ['platform_admin', 'auditor', 'integration'].includes(r))).toBe(true);
          expect(principal.name === null || (typeof principal.name === 'string' && !/\p{Cs}/u.test(principal.name))).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });
});
