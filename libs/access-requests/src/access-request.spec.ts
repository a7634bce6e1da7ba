import { DeciderSpecification } from '@access-ledger/core/testing';
import { AccessRequestEvent, CreateRequest, ExistingRequest, RequestCaller, Requester, accessRequestDecider } from './index';

const given = DeciderSpecification.for(accessRequestDecider);
const t0 = '2026-11-23T09:00:00.000Z';
const t1 = '2026-11-23T10:00:00.000Z';
const org = 'org-1';
const requester: Requester = { id: 'sub-req', email: 'req@example.org', name: 'Rita Requester' };
const caller = (id: string, spocOf: string | null, platformAdmin = false): RequestCaller => ({ id, email: `${id}@example.org`, spocOf, platformAdmin });
const asRequester: RequestCaller = { ...caller('sub-req', null), email: 'req@example.org' };
const spoc = caller('sub-spoc', org);
const otherSpoc = caller('sub-other', 'org-2');
const stranger = caller('sub-x', null);
const platformAdmin = caller('sub-ops', null, true);
const ids = { requestId: 'r-1', organisationId: org };

const create = (overrides: Partial<CreateRequest> = {}): CreateRequest => ({
  type: 'CreateRequest',
  ...ids,
  organisationExists: true,
  application: 'vaccination-app',
  justification: 'I record vaccinations',
  requester,
  now: t0,
  ...overrides,
});
const created: AccessRequestEvent = { type: 'RequestCreated', data: { ...ids, application: 'vaccination-app', justification: 'I record vaccinations', requester, createdAt: t0 } };
const submitted: AccessRequestEvent = { type: 'ApprovalRequested', data: { ...ids, application: 'vaccination-app', requester, previousStatus: 'created', requestedAt: t0 } };
const approved: AccessRequestEvent = { type: 'RequestApproved', data: { ...ids, application: 'vaccination-app', requester, comment: null, previousStatus: 'approval_requested', decidedAs: 'spoc', approvedAt: t1 } };
const rejected: AccessRequestEvent = { type: 'RequestRejected', data: { ...ids, reason: 'No', previousStatus: 'created', decidedAs: 'spoc', rejectedAt: t1 } };
const withdrawn: AccessRequestEvent = { type: 'RequestWithdrawn', data: { ...ids, reason: null, previousStatus: 'created', withdrawnAt: t1 } };

const submit = (caller = asRequester) => ({ type: 'SubmitRequest' as const, caller, now: t0 });
const approve = (caller = spoc, confirm = true, comment: string | null = null, requesterIsOnlySpoc = false) =>
  ({ type: 'ApproveRequest' as const, caller, confirm, comment, requesterIsOnlySpoc, now: t1 });
const reject = (caller = spoc, reason = 'Not needed', requesterIsOnlySpoc = false) => ({ type: 'RejectRequest' as const, caller, reason, requesterIsOnlySpoc, now: t1 });
const withdraw = (caller = asRequester) => ({ type: 'WithdrawRequest' as const, caller, reason: null, now: t1 });

describe('creating a request', () => {
  it('records who asks for which application for which organisation', () => given().when(create()).then([created]));
  it('answers not found for an unknown organisation', () => given().when(create({ organisationExists: false })).thenThrows('organisation-not-found', 'not_found'));
  it.each(['', 'has space', 'x'.repeat(65), 'ünïcode'])('refuses application code %j', (application) =>
    given().when(create({ application })).thenThrows('invalid-application', 'validation'));
  it('refuses creating the same request twice', () => given([created]).when(create()).thenThrows('request-already-exists', 'conflict'));
});

describe('submitting', () => {
  it('moves a created request to approval_requested, carrying what the SPOC notice needs', () => given([created]).when(submit()).then([submitted]));
  it('is for the requester only', () => given([created]).when(submit(spoc)).thenThrows('not-the-requester', 'forbidden'));
  it.each([
    ['approval_requested', [created, submitted]],
    ['approved_rae', [created, submitted, approved]],
    ['rejected', [created, rejected]],
    ['withdrawn', [created, withdrawn]],
  ] as const)('refuses a request that is %s', (_status, history) => given([...history]).when(submit()).thenThrows('invalid-transition', 'conflict'));
  it('answers not found for an unknown request', () => given().when(submit()).thenThrows('request-not-found', 'not_found'));
});

describe('approving', () => {
  it('approves an approval_requested request for a SPOC of its organisation, with confirmation', () =>
    given([created, submitted]).when(approve(spoc, true, 'Welcome')).then([{ ...approved, data: { ...approved.data, comment: 'Welcome' } }]));
  it('approves a request still in created', () =>
    given([created]).when(approve()).then([{ ...approved, data: { ...approved.data, previousStatus: 'created' } }]));
  it('needs confirm: true', () => given([created, submitted]).when(approve(spoc, false)).thenThrows('confirmation-required', 'validation'));
  it.each([
    ['a SPOC of another organisation', otherSpoc],
    ['someone who is not a SPOC', stranger],
    ['a platform administrator while the organisation has another SPOC', platformAdmin],
  ])('refuses %s', (_who, caller) => given([created, submitted]).when(approve(caller)).thenThrows('not-a-spoc', 'forbidden'));
  it.each([
    ['the requester', asRequester],
    ['the requester, though a SPOC of the organisation', { ...asRequester, spocOf: org }],
    ['the requester with another sub but the same e-mail address', { ...asRequester, id: 'sub-second-account', spocOf: org }],
    ['a platform administrator who made the request', { ...platformAdmin, id: 'sub-req', email: 'req@example.org' }],
  ])('refuses %s: nobody decides their own request', (_who, caller) => {
    given([created, submitted]).when(approve(caller, true, null, true)).thenThrows('self-decision', 'forbidden');
    given([created, submitted]).when(reject(caller, 'No', true)).thenThrows('self-decision', 'forbidden');
  });
  it('lets a platform administrator decide when the requester is the organisation’s only SPOC, recorded as such', () => {
    given([created, submitted]).when(approve(platformAdmin, true, null, true)).then([{ ...approved, data: { ...approved.data, decidedAs: 'platform_admin' } }]);
    given([created, submitted])
      .when(reject(platformAdmin, 'No', true))
      .then([{ type: 'RequestRejected', data: { ...ids, reason: 'No', previousStatus: 'approval_requested', decidedAs: 'platform_admin', rejectedAt: t1 } }]);
  });
  it.each([
    ['approved_rae', [created, submitted, approved]],
    ['rejected', [created, rejected]],
    ['withdrawn', [created, withdrawn]],
  ] as const)('refuses a request that is %s, recording nothing', (_status, history) =>
    given([...history]).when(approve()).thenThrows('invalid-transition', 'conflict'));
});

describe('rejecting', () => {
  it('rejects with a reason', () =>
    given([created, submitted]).when(reject(spoc, '  Not for this team ')).then([
      { type: 'RequestRejected', data: { ...ids, reason: 'Not for this team', previousStatus: 'approval_requested', decidedAs: 'spoc', rejectedAt: t1 } },
    ]));
  it.each(['', '   ', 'x'.repeat(1001)])('refuses reason %j', (reason) => given([created]).when(reject(spoc, reason)).thenThrows('invalid-reason', 'validation'));
  it('is for SPOCs of the organisation only', () => given([created]).when(reject(otherSpoc)).thenThrows('not-a-spoc', 'forbidden'));
  it('refuses a request already decided', () => given([created, submitted, approved]).when(reject()).thenThrows('invalid-transition', 'conflict'));
});

describe('withdrawing', () => {
  it('withdraws an open request for its requester', () => given([created]).when(withdraw()).then([withdrawn]));
  it('withdraws a submitted request', () =>
    given([created, submitted]).when(withdraw()).then([{ ...withdrawn, data: { ...withdrawn.data, previousStatus: 'approval_requested' } }]));
  it('is for the requester only', () => given([created]).when(withdraw(spoc)).thenThrows('not-the-requester', 'forbidden'));
  it('refuses a decided request', () => given([created, rejected]).when(withdraw()).thenThrows('invalid-transition', 'conflict'));
});

describe('reporting provisioning outcomes', () => {
  const t2 = '2026-11-23T11:00:00.000Z';
  const report = (status: 'provisioned' | 'failed', detail: string | null = null, byIntegration = true) => ({ type: 'ReportProvisioning' as const, byIntegration, status, detail, now: t2 });
  const provisioned = (detail: string | null = null): AccessRequestEvent => ({ type: 'AccountProvisioned', data: { ...ids, detail, provisionedAt: t2 } });
  const failed = (detail: string | null = null): AccessRequestEvent => ({ type: 'AccountProvisioningFailed', data: { ...ids, detail, failedAt: t2 } });
  const approvedRequest = [created, submitted, approved];

  it('records an approved request’s account as provisioned, with the detail', () =>
    given(approvedRequest).when(report('provisioned', 'account vr-1042')).then([provisioned('account vr-1042')]));
  it('records a failure', () => given(approvedRequest).when(report('failed', 'HTTP 500 after 5 attempts')).then([failed('HTTP 500 after 5 attempts')]));
  it('records provisioned after a failure: an operator retried', () => given([...approvedRequest, failed('timeout')]).when(report('provisioned')).then([provisioned()]));
  it('records another failure when its detail differs', () => given([...approvedRequest, failed('timeout')]).when(report('failed', 'HTTP 500')).then([failed('HTTP 500')]));

  it.each([
    ['provisioned', [provisioned('vr-1')], report('provisioned', 'vr-1')],
    ['failed', [failed('timeout')], report('failed', 'timeout')],
    ['provisioned without a detail', [provisioned()], report('provisioned')],
  ] as const)('records the same outcome (%s) once: a repeated report appends nothing', (_what, outcome, command) =>
    given([...approvedRequest, ...outcome]).when(command).thenNothingHappens());

  it('refuses a failure after the account was reported provisioned', () =>
    given([...approvedRequest, provisioned()]).when(report('failed', 'late')).thenThrows('already-provisioned', 'conflict'));

  it.each([
    ['created', [created]],
    ['approval_requested', [created, submitted]],
    ['rejected', [created, rejected]],
    ['withdrawn', [created, withdrawn]],
  ] as const)('refuses a request that is %s: nothing was approved to provision', (_status, history) => {
    given([...history]).when(report('provisioned')).thenThrows('request-not-approved', 'conflict');
    given([...history]).when(report('failed')).thenThrows('request-not-approved', 'conflict');
  });

  it('answers not found for an unknown request', () => given().when(report('provisioned')).thenThrows('request-not-found', 'not_found'));

  it('is for integrations only, before anything about the request is told', () => {
    given(approvedRequest).when(report('provisioned', null, false)).thenThrows('not-an-integration', 'forbidden');
    given().when(report('provisioned', null, false)).thenThrows('not-an-integration', 'forbidden');
  });
});

describe('what a request’s history folds to', () => {
  const state = (...history: AccessRequestEvent[]) => history.reduce(accessRequestDecider.evolve, accessRequestDecider.initialState()) as ExistingRequest;
  /** As read from the store: with the envelope, whose actor took the step. */
  const stored = (event: AccessRequestEvent, by: RequestCaller) => ({ ...event, metadata: { actor: { id: by.id, email: by.email, roles: [] } } });
  const bySpoc = { id: spoc.id, email: spoc.email };

  it('is open: not completed, no decision, nothing to provision', () =>
    expect(state(created, submitted)).toMatchObject({ status: 'approval_requested', completedAt: null, decision: null, provisioning: null }));
  it('approved: completed then, by whom and as what, with the comment, and provisioning pending', () =>
    expect(state(created, submitted, stored({ ...approved, data: { ...approved.data, comment: 'Welcome' } }, spoc))).toMatchObject({
      status: 'approved_rae',
      completedAt: t1,
      decision: { by: bySpoc, decidedAs: 'spoc', reason: null, comment: 'Welcome' },
      provisioning: { status: 'pending', detail: null, at: t1 },
    }));
  it('approved by a platform administrator standing in: recorded as such', () =>
    expect(state(created, stored({ ...approved, data: { ...approved.data, decidedAs: 'platform_admin' } }, platformAdmin)).decision).toEqual({
      by: { id: platformAdmin.id, email: platformAdmin.email },
      decidedAs: 'platform_admin',
      reason: null,
      comment: null,
    }));
  it('decided before decidedAs was recorded: by a SPOC', () => {
    const { decidedAs: _approvedAs, ...approvedData } = approved.data;
    const { decidedAs: _rejectedAs, ...rejectedData } = rejected.data;
    expect(state(created, { ...approved, data: approvedData } as AccessRequestEvent).decision?.decidedAs).toBe('spoc');
    expect(state(created, { ...rejected, data: rejectedData } as AccessRequestEvent).decision?.decidedAs).toBe('spoc');
  });
  it('rejected: completed then, with the reason, nothing to provision', () =>
    expect(state(created, stored(rejected, spoc))).toMatchObject({
      status: 'rejected',
      completedAt: t1,
      decision: { by: bySpoc, decidedAs: 'spoc', reason: 'No', comment: null },
      provisioning: null,
    }));
  it('withdrawn: completed then, closed by the requester, nothing to provision', () =>
    expect(state(created, stored({ ...withdrawn, data: { ...withdrawn.data, reason: 'Found another way' } }, asRequester))).toMatchObject({
      status: 'withdrawn',
      completedAt: t1,
      decision: { by: { id: 'sub-req', email: 'req@example.org' }, decidedAs: 'requester', reason: null, comment: null },
      provisioning: null,
    }));
  it('knows nobody for a step just decided, not yet stored', () => expect(state(created, approved).decision?.by).toBeNull());
  it('provisioning: the last outcome reported, with its detail and when', () => {
    const t2 = '2026-11-23T11:00:00.000Z';
    const t3 = '2026-11-23T12:00:00.000Z';
    const failed: AccessRequestEvent = { type: 'AccountProvisioningFailed', data: { ...ids, detail: 'timeout', failedAt: t2 } };
    const provisioned: AccessRequestEvent = { type: 'AccountProvisioned', data: { ...ids, detail: null, provisionedAt: t3 } };
    expect(state(created, approved, failed).provisioning).toEqual({ status: 'failed', detail: 'timeout', at: t2 });
    expect(state(created, approved, failed, provisioned).provisioning).toEqual({ status: 'provisioned', detail: null, at: t3 });
  });
});
