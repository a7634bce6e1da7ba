import { BackoffPolicy, backoffDelayMs, isRetryableStatus, retryAfterMs } from './backoff';

describe('backoff with full jitter', () => {
  const policy: BackoffPolicy = { maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 1000 };

  it('draws each pause from zero up to a ceiling that doubles per failure', () => {
    expect([1, 2, 3, 4].map((failures) => backoffDelayMs(policy, failures, 0.999999))).toEqual([99, 199, 399, 799]);
    expect(backoffDelayMs(policy, 3, 0)).toBe(0);
    expect(backoffDelayMs(policy, 3, 0.5)).toBe(200);
  });

  it('never waits longer than the maximum, however many failures', () => {
    expect(backoffDelayMs(policy, 50, 0.999999)).toBe(999);
  });

  it('waits at least what Retry-After asked for, still within the maximum', () => {
    expect(backoffDelayMs(policy, 1, 0, 700)).toBe(700);
    expect(backoffDelayMs(policy, 1, 0, 30_000)).toBe(1000);
  });
});

describe('which answers are tried again', () => {
  it.each([500, 502, 503, 504, 408, 429])('%i is', (status) => expect(isRetryableStatus(status)).toBe(true));
  it.each([400, 401, 403, 404, 409, 410, 413, 422])('%i is not', (status) => expect(isRetryableStatus(status)).toBe(false));
});

describe('Retry-After', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it.each([
    ['3', 3000],
    ['Wed, 01 Jan 2025 00:00:05 GMT', 5000],
    ['Tue, 31 Dec 2024 23:00:00 GMT', 0],
    ['soon', 0],
    [null, 0],
  ])('%s -> %i ms', (header, expected) => expect(retryAfterMs(header, now)).toBe(expected));
});
