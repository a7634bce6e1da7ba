import { RecordedEvent } from '@access-ledger/core';
import { AccessRequestEvent, Requester, accessRequestEvents } from './index';

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
