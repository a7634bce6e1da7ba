import { FeedEvent } from './feed-event';
import { MAX_DETAIL_LENGTH, outcomeReportOf, provisioningActionOf, webhookPayloadOf } from './actions';

const feedEvent = (type: FeedEvent['type'], streamId: string, data: Record<string, unknown>): FeedEvent => ({
  position: 42,
  eventId: 'e-1',
  type,
  streamId,
  revision: 2,
  occurredAt: '2025-01-02T03:04:05.000Z',
  correlationId: 'c-1',
  causationId: 'c-1',
  data,
});

describe('which feed event asks for which provisioning action', () => {
  it.each([
    ['RequestApproved', 'request-r1', { requestId: 'r1', organisationId: 'o1' }, 'grant-application-access', { kind: 'request', requestId: 'r1', organisationId: 'o1' }],
    ['UserAdded', 'user-u1', { userId: 'u1', organisationId: 'o1' }, 'create-account', { kind: 'user', userId: 'u1', organisationId: 'o1' }],
    ['UserDeactivated', 'user-u1', { userId: 'u1', organisationId: 'o1' }, 'disable-account', { kind: 'user', userId: 'u1', organisationId: 'o1' }],
    ['UserReactivated', 'user-u1', { userId: 'u1', organisationId: 'o1' }, 'enable-account', { kind: 'user', userId: 'u1', organisationId: 'o1' }],
  ] as const)('%s -> %s', (type, streamId, data, kind, subject) => {
    const action = provisioningActionOf(feedEvent(type, streamId, data));
    expect(action).toMatchObject({ kind, subject, idempotencyKey: 'e-1' });
  });

  it('takes the id from the stream when the feed view leaves it out', () => {
    expect(provisioningActionOf(feedEvent('UserAdded', 'user-u9', { organisationId: 'o1' }))?.subject).toEqual({ kind: 'user', userId: 'u9', organisationId: 'o1' });
  });

  it.each([
    ['another type', feedEvent('RequestRejected', 'request-r1', { requestId: 'r1', organisationId: 'o1' })],
    ['no organisation', feedEvent('UserAdded', 'user-u1', { userId: 'u1' })],
    ['no id anywhere', feedEvent('RequestApproved', 'other-x', { organisationId: 'o1' })],
  ])('passes over an event with %s', (_, event) => {
    expect(provisioningActionOf(event)).toBeNull();
  });
});

describe('the outcome reported to the API', () => {
  const grant = provisioningActionOf(feedEvent('RequestApproved', 'request-r1', { requestId: 'r1', organisationId: 'o1' }))!;
  const disable = provisioningActionOf(feedEvent('UserDeactivated', 'user-u/1', { userId: 'u/1', organisationId: 'o1' }))!;
  const enable = provisioningActionOf(feedEvent('UserReactivated', 'user-u1', { userId: 'u1', organisationId: 'o1' }))!;

  it('reports a request as provisioned, keyed by the event id', () => {
    expect(outcomeReportOf(grant, { ok: true })).toEqual({ path: '/requests/r1/provisioning', body: { status: 'provisioned' }, idempotencyKey: 'e-1' });
  });

  it('reports a user as disabled after a deactivation, and provisioned after a reactivation', () => {
    expect(outcomeReportOf(disable, { ok: true })).toEqual({ path: '/organisations/o1/users/u%2F1/provisioning', body: { status: 'disabled' }, idempotencyKey: 'e-1' });
    expect(outcomeReportOf(enable, { ok: true }).body).toEqual({ status: 'provisioned' });
  });

  it('reports a failure with its detail under a key of its own, so that a later success is a new report', () => {
    expect(outcomeReportOf(grant, { ok: false, detail: ' HTTP 500 after 8 attempts ' })).toEqual({
      path: '/requests/r1/provisioning',
      body: { status: 'failed', detail: 'HTTP 500 after 8 attempts' },
      idempotencyKey: 'e-1:failed',
    });
  });

  it('keeps a detail within what the API accepts', () => {
    expect(outcomeReportOf(grant, { ok: false, detail: 'x'.repeat(5000) }).body.detail).toHaveLength(MAX_DETAIL_LENGTH);
    expect(outcomeReportOf(grant, { ok: false, detail: '   ' }).body.detail).toBe('failed');
  });

  it('gives the webhook the action, the key, the subject and the feed event', () => {
    expect(webhookPayloadOf(grant)).toEqual({ action: 'grant-application-access', idempotencyKey: 'e-1', subject: grant.subject, event: grant.event });
  });
});
