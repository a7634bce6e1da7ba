import { RecordedEvent, fold } from '@access-ledger/core';
import { AccessRequestEvent, Requester, accessRequestDecider, accessRequestEvents } from './index';

const stored = (event: AccessRequestEvent, actor = 'spoc@org.example', schemaVersion = accessRequestEvents.schemaVersion(event.type)): RecordedEvent => ({
  ...event,
  eventId: 'e1',
  streamId: 'request-r1',
  revision: 2,
  position: 99,
  metadata: { occurredAt: '2026-03-01T09:00:00.000Z', actor: { id: 'sub-1', email: actor, roles: [] }, correlationId: 'c', causationId: 'c', commandId: 'c', schemaVersion },
});
const requester: Requester = { id: 'sub-rita', email: 'rita@example.org', name: 'Rita Requester' };
const ids = { requestId: 'r1', organisationId: 'o1' };
const at = '2026-03-01T09:00:00.000Z';

/** One event of every access-request type, the actor who recorded it, and what the audit timeline says of it. */
const table: readonly [AccessRequestEvent, string, string][] = [
  [
    { type: 'RequestCreated', data: { ...ids, application: 'vaccination-recorder', justification: 'New starter', requester, createdAt: at } },
    'rita@example.org',
    'Request r1 for vaccination-recorder in organisation o1 created by rita@example.org for rita@example.org; status created',
  ],
  [
    { type: 'ApprovalRequested', data: { ...ids, application: 'vaccination-recorder', requester, previousStatus: 'created', requestedAt: at } },
    'rita@example.org',
    'Request r1 for vaccination-recorder submitted for approval by rita@example.org; status approval_requested',
  ],
  [
    {
      type: 'RequestApproved',
      data: { ...ids, application: 'vaccination-recorder', requester, comment: null, previousStatus: 'approval_requested', decidedAs: 'spoc', approvedAt: at },
    },
    'spoc@org.example',
    'Request r1 for vaccination-recorder approved by spoc@org.example as SPOC; status approved_rae',
  ],
  [
    { type: 'RequestRejected', data: { ...ids, reason: 'Not needed', previousStatus: 'created', decidedAs: 'platform_admin', rejectedAt: at } },
    'ops@platform.example',
    'Request r1 rejected by ops@platform.example as platform administrator standing in; status rejected',
  ],
  [
    { type: 'RequestWithdrawn', data: { ...ids, reason: null, previousStatus: 'approval_requested', withdrawnAt: at } },
    'rita@example.org',
    'Request r1 withdrawn by rita@example.org without a reason; status withdrawn',
  ],
  [
    { type: 'AccountProvisioned', data: { ...ids, detail: 'account vr-1042', provisionedAt: at } },
    'robot@platform.example',
    'Account for request r1 reported provisioned by robot@platform.example with a detail; provisioning provisioned',
  ],
  [
    { type: 'AccountProvisioningFailed', data: { ...ids, detail: null, failedAt: at } },
    'robot@platform.example',
    'Account for request r1 reported failed by robot@platform.example without a detail; provisioning failed',
  ],
];

describe('the access-request catalogue', () => {
  it('has a row in the table below for every event type', () => {
    expect(table.map(([event]) => event.type).sort()).toEqual([...accessRequestEvents.types].sort());
  });

  it.each(table.map(([event, actor, sentence]) => [event.type, event, actor, sentence] as const))('describes %s in one sentence: who did what', (_type, event, actor, sentence) => {
    expect(accessRequestEvents.describe(stored(event, actor))).toBe(sentence);
  });

  it.each(table.map(([event]) => [event.type, event] as const))('reads %s written at its current schema version as stored', (_type, event) => {
    const recorded = stored(event);
    expect(accessRequestEvents.parse(recorded)).toBe(recorded);
  });

  it('refuses a status it does not know, naming the event', () => {
    const [submitted] = table[1];
    expect(() => accessRequestEvents.parse({ ...stored(submitted), data: { ...submitted.data, previousStatus: 'lost' } })).toThrow(
      'Stored event request-r1@2 (type ApprovalRequested, position 99) cannot be read as access request events: data.previousStatus should be one of "created", "approval_requested", "approved_rae", "rejected", "withdrawn", is another string.',
    );
  });

  it('refuses a requester that is not an object', () => {
    const [event] = table[0];
    expect(() => accessRequestEvents.parse({ ...stored(event), data: { ...event.data, requester: 'rita@example.org' } })).toThrow(/data\.requester should be object, is a string/);
  });
});

describe('decisions recorded before `decidedAs` (schema version 1)', () => {
  const approvedV1 = {
    type: 'RequestApproved',
    data: { ...ids, application: 'vaccination-recorder', requester, comment: 'Welcome', previousStatus: 'approval_requested', approvedAt: at },
  } as const;
  const rejectedV1 = { type: 'RequestRejected', data: { ...ids, reason: 'Not needed', previousStatus: 'created', rejectedAt: at } } as const;
  const v1 = (event: { type: string; data: object }): RecordedEvent => ({ ...stored(table[0][0]), type: event.type, data: event.data, metadata: { ...stored(table[0][0]).metadata, schemaVersion: 1 } });

  it('are written at schema version 2 now; the other events stay at 1', () => {
    expect(accessRequestEvents.types.map((type) => [type, accessRequestEvents.schemaVersion(type)])).toEqual([
      ['RequestCreated', 1],
      ['ApprovalRequested', 1],
      ['RequestApproved', 2],
      ['RequestRejected', 2],
      ['RequestWithdrawn', 1],
      ['AccountProvisioned', 1],
      ['AccountProvisioningFailed', 1],
    ]);
  });

  it.each([
    ['RequestApproved', approvedV1],
    ['RequestRejected', rejectedV1],
  ])('%s without decidedAs reads as decided by a SPOC, at version 2', (_type, event) => {
    const parsed = accessRequestEvents.parse(v1(event));
    expect(parsed.data).toEqual({ ...event.data, decidedAs: 'spoc' });
    expect(parsed.metadata.schemaVersion).toBe(2);
    expect(parsed).toMatchObject({ streamId: 'request-r1', revision: 2, position: 99 });
  });

  it('keep the decidedAs they were written with at version 1 (platform administrators included)', () => {
    expect(accessRequestEvents.parse(v1({ ...rejectedV1, data: { ...rejectedV1.data, decidedAs: 'platform_admin' } })).data).toMatchObject({ decidedAs: 'platform_admin' });
  });

  it('at version 2 must say decidedAs: nothing fills it in', () => {
    expect(() => accessRequestEvents.parse({ ...v1(approvedV1), metadata: { ...v1(approvedV1).metadata, schemaVersion: 2 } })).toThrow(
      /data\.decidedAs should be one of "spoc", "platform_admin", is missing\.$/,
    );
  });

  it('describe their decider as a SPOC', () => {
    expect(accessRequestEvents.describe(v1(approvedV1))).toBe('Request r1 for vaccination-recorder approved by spoc@org.example as SPOC; status approved_rae');
  });

  it('fold into the decider’s state as the current events do', () => {
    const created = stored(table[0][0]);
    const state = fold(accessRequestDecider, [created, v1(approvedV1)]);
    expect(state.status).toBe('approved_rae');
    expect(() => accessRequestDecider.decide({ type: 'WithdrawRequest', caller: { id: 'sub-rita', email: 'rita@example.org', spocOf: null, platformAdmin: false }, reason: null, now: at }, state)).toThrow(
      /cannot be withdrawn/,
    );
  });
});
