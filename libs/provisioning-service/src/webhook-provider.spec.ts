import { FeedEvent, ProvisioningAction, provisioningActionOf } from '@access-ledger/provisioning';
import { WebhookReceiver } from './testing/webhook-receiver';
import { ProviderError, WebhookProvider } from './providers';
import { deliverWithRetries } from './deliver';
import { signWebhook, verifyWebhookSignature } from './signature';

const SECRET = 'webhook-secret-webhook-secret-0123456789';

const approved = (eventId: string): ProvisioningAction =>
  provisioningActionOf({
    position: 7,
    eventId,
    type: 'RequestApproved',
    streamId: 'request-r1',
    revision: 2,
    occurredAt: '2025-01-01T00:00:00.000Z',
    correlationId: 'c',
    causationId: 'c',
    data: { requestId: 'r1', organisationId: 'o1' },
  } satisfies FeedEvent)!;

describe('the webhook provider against a receiver on loopback', () => {
  let receiver: WebhookReceiver;
  let url: string;
  const pauses: number[] = [];
  const options = (maxAttempts: number) => ({
    policy: { maxAttempts, baseDelayMs: 100, maxDelayMs: 1000 },
    signal: new AbortController().signal,
    // The pauses asked for are recorded, not waited: the schedule is what is tested here.
    sleep: async (ms: number) => void pauses.push(ms),
    random: () => 0.5,
  });

  beforeEach(async () => {
    pauses.length = 0;
    receiver = new WebhookReceiver(SECRET);
    url = await receiver.start();
  });
  afterEach(() => receiver.stop());

  it('posts the action signed, with the event id as Idempotency-Key; the receiver verifies the signature', async () => {
    await new WebhookProvider({ url, secret: SECRET, timeoutMs: 5000 }).perform(approved('e-1'), new AbortController().signal);
    expect(receiver.deliveries).toEqual([
      expect.objectContaining({ idempotencyKey: 'e-1', signatureValid: true, status: 200, body: expect.objectContaining({ action: 'grant-application-access', idempotencyKey: 'e-1' }) }),
    ]);
    expect(receiver.effectsOf('e-1')).toBe(1);
  });

  it('is refused by a receiver holding another secret', async () => {
    const attempt = new WebhookProvider({ url, secret: 'another-secret-another-secret-0123456789', timeoutMs: 5000 }).perform(approved('e-1'), new AbortController().signal);
    await expect(attempt).rejects.toMatchObject({ retryable: false, message: expect.stringContaining('401') });
    expect(receiver.deliveries[0].signatureValid).toBe(false);
    expect(receiver.effects).toEqual([]);
  });

  it('retries 500s with backoff and full jitter until the receiver takes it', async () => {
    receiver.answer = ({ count }) => ({ status: count < 3 ? 500 : 200 });
    const result = await deliverWithRetries(new WebhookProvider({ url, secret: SECRET, timeoutMs: 5000 }), approved('e-2'), options(5));
    expect(result).toEqual({ ok: true, attempts: 3 });
    expect(receiver.deliveries.map((d) => d.status)).toEqual([500, 500, 200]);
    expect(pauses).toEqual([50, 100]);
    expect(receiver.effectsOf('e-2')).toBe(1);
  });

  it('gives up after the last attempt with what the receiver last said', async () => {
    receiver.answer = () => ({ status: 503 });
    const result = await deliverWithRetries(new WebhookProvider({ url, secret: SECRET, timeoutMs: 5000 }), approved('e-3'), options(4));
    expect(result).toEqual({ ok: false, attempts: 4, detail: expect.stringMatching(/^webhook answered 503.*\(after 4 attempts\)$/) });
    expect(receiver.deliveries).toHaveLength(4);
  });

  it('does not retry a refusal (4xx other than 408 and 429)', async () => {
    receiver.answer = () => ({ status: 422 });
    const result = await deliverWithRetries(new WebhookProvider({ url, secret: SECRET, timeoutMs: 5000 }), approved('e-4'), options(5));
    expect(result).toEqual({ ok: false, attempts: 1, detail: expect.stringContaining('refused, not retried') });
    expect(receiver.deliveries).toHaveLength(1);
  });

  it('waits at least what a 429 Retry-After asks', async () => {
    receiver.answer = ({ count }) => (count === 1 ? { status: 429, headers: { 'Retry-After': '1' } } : { status: 200 });
    const result = await deliverWithRetries(new WebhookProvider({ url, secret: SECRET, timeoutMs: 5000 }), approved('e-5'), { ...options(3), policy: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 5000 } });
    expect(result).toMatchObject({ ok: true, attempts: 2 });
    expect(pauses).toEqual([1000]);
  });

  it('counts a receiver that does not answer in time as a failed attempt worth retrying', async () => {
    receiver.answer = () => 'hold';
    const attempt = new WebhookProvider({ url, secret: SECRET, timeoutMs: 200 }).perform(approved('e-6'), new AbortController().signal);
    await expect(attempt).rejects.toEqual(new ProviderError('webhook unreachable: no answer within 200 ms', true));
  });

  it('counts an unreachable receiver as worth retrying', async () => {
    await receiver.stop();
    const attempt = new WebhookProvider({ url, secret: SECRET, timeoutMs: 2000 }).perform(approved('e-7'), new AbortController().signal);
    await expect(attempt).rejects.toMatchObject({ retryable: true, message: expect.stringContaining('ECONNREFUSED') });
  });
});

describe('the signature a receiver verifies', () => {
  const body = '{"action":"create-account"}';
  const now = 1_750_000_000;
  const signed = { body, timestamp: String(now), signature: signWebhook(SECRET, body, now) };

  it('holds for the body and timestamp as sent', () => {
    expect(verifyWebhookSignature(SECRET, signed, now + 10)).toBe(true);
  });

  it.each([
    ['another body', { ...signed, body: '{"action":"disable-account"}' }, now],
    ['another timestamp', { ...signed, timestamp: String(now + 1) }, now],
    ['a replay long after', signed, now + 301],
    ['no signature', { ...signed, signature: undefined }, now],
    ['a malformed signature', { ...signed, signature: 'sha256=zz' }, now],
  ])('fails for %s', (_, request, at) => {
    expect(verifyWebhookSignature(SECRET, request, at)).toBe(false);
  });
});
