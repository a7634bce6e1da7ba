import { Recorded } from '@access-ledger/core';
import { projectBatch } from '@access-ledger/read-store';
import { UserEvent } from '@access-ledger/directory';
import { appliedTwice } from '../testing/applied-twice';
import { appendHistory } from '../testing/append-history';
import { incrementalAndRebuilt } from '../testing/incremental-and-rebuilt';
import { ManagedUser, UserCounts, manageUsersCountsProjection, manageUsersProjection } from './manage-users.projection';

let position = 0;
const recorded = <E extends UserEvent>(event: E, occurredAt: string): Recorded<E> => ({
  ...event,
  eventId: `e${(position += 1)}`,
  streamId: `user-${event.data.userId}`,
  revision: position,
  position,
  metadata: { occurredAt, actor: { id: 'a', email: 'a@b.org', roles: [] }, correlationId: 'c', causationId: 'c', commandId: 'c', schemaVersion: 1 },
});
const ids = { userId: 'u1', organisationId: 'o1' };
const added = recorded(
  { type: 'UserAdded', data: { ...ids, firstName: 'Jane', lastName: 'Doe', email: 'jane@nhs.net', clinician: true, permissionLevel: 'recorder', spoc: false, professional: false, addedAt: 't1' } },
  '2026-01-01T00:00:00.000Z',
);
const later: Recorded<UserEvent>[] = [
  recorded({ type: 'UserPermissionLevelChanged', data: { ...ids, from: 'recorder', to: 'administrator', userStatus: 'active', changedAt: 't2' } }, '2026-01-02T00:00:00.000Z'),
  recorded({ type: 'UserDesignationsChanged', data: { ...ids, spoc: true, professional: true, changedAt: 't3' } }, '2026-01-03T00:00:00.000Z'),
  recorded({ type: 'UserClinicianStatusChanged', data: { ...ids, clinician: false, changedAt: 't4' } }, '2026-01-04T00:00:00.000Z'),
  recorded({ type: 'UserDeactivated', data: { ...ids, permissionLevel: 'administrator', reason: 'left', deactivatedAt: 't5' } }, '2026-01-05T00:00:00.000Z'),
];
const reactivated = recorded({ type: 'UserReactivated', data: { ...ids, permissionLevel: 'administrator', reason: null, reactivatedAt: 't6' } }, '2026-01-06T00:00:00.000Z');
/** Downstream's reports on the account, after the add, the deactivation and the reactivation. */
const outcomes: Recorded<UserEvent>[] = [
  recorded({ type: 'UserAccountProvisioningFailed', data: { ...ids, detail: 'HTTP 503', failedAt: 't7' } }, '2026-01-07T00:00:00.000Z'),
  recorded({ type: 'UserAccountProvisioned', data: { ...ids, detail: 'uid=jdoe', provisionedAt: 't8' } }, '2026-01-08T00:00:00.000Z'),
  recorded({ type: 'UserAccountDisabled', data: { ...ids, detail: null, disabledAt: 't9' } }, '2026-01-09T00:00:00.000Z'),
];

const run = (events: Recorded<UserEvent>[], start: ManagedUser | null = null) =>
  events.reduce<ManagedUser | null>((doc, e) => manageUsersProjection.evolve(doc, e), start);

describe('manage-users projection', () => {
  it('makes a row from UserAdded', () => {
    expect(run([added])).toEqual({
      id: 'u1',
      organisationId: 'o1',
      firstName: 'Jane',
      lastName: 'Doe',
      email: 'jane@nhs.net',
      clinician: true,
      permissionLevel: 'recorder',
      spoc: false,
      professional: false,
      status: 'active',
      account: { status: 'pending', detail: null, at: '2026-01-01T00:00:00.000Z' },
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    });
  });

  it('shows the account as downstream last reported it, pending again after a deactivation or reactivation', () => {
    const [failed, provisioned, disabled] = outcomes;
    expect(run([added, failed])).toMatchObject({ account: { status: 'failed', detail: 'HTTP 503', at: failed.metadata.occurredAt }, updatedAt: failed.metadata.occurredAt });
    expect(run([added, failed, provisioned])).toMatchObject({ status: 'active', account: { status: 'provisioned', detail: 'uid=jdoe', at: provisioned.metadata.occurredAt } });
    expect(run([added, provisioned, ...later])).toMatchObject({ status: 'deactivated', account: { status: 'pending', detail: null, at: '2026-01-05T00:00:00.000Z' } });
    expect(run([added, provisioned, ...later, disabled])).toMatchObject({ status: 'deactivated', account: { status: 'disabled', detail: null, at: disabled.metadata.occurredAt } });
    expect(run([added, provisioned, ...later, disabled, reactivated])).toMatchObject({ status: 'active', account: { status: 'pending', at: '2026-01-06T00:00:00.000Z' } });
  });

  it('gives the same rows rebuilt from the log as processed live, account outcomes included', async () => {
    const other = (event: Recorded<UserEvent>) => ({ ...event, eventId: `${event.eventId}-u2`, streamId: 'user-u2', data: { ...event.data, userId: 'u2' } }) as Recorded<UserEvent>;
    const history = [added, other(added), outcomes[1], ...later, other(outcomes[0]), outcomes[2], reactivated, other(outcomes[1])];
    const { incremental, rebuilt } = await incrementalAndRebuilt(manageUsersProjection, (store) => appendHistory(store, history));
    expect(rebuilt).toEqual(incremental);
    expect(incremental.map((u) => [u.id, (u as ManagedUser).status, (u as ManagedUser).account.status])).toEqual([
      ['u1', 'active', 'pending'],
      ['u2', 'active', 'provisioned'],
    ]);
  });

  it('follows rights, clinician status and deactivation, stamping updatedAt', () => {
    expect(run([added, ...later])).toMatchObject({
      permissionLevel: 'administrator',
      spoc: true,
      professional: true,
      clinician: false,
      status: 'deactivated',
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-05T00:00:00.000Z',
    });
    expect(run([added, ...later, reactivated])).toMatchObject({ status: 'active', updatedAt: '2026-01-06T00:00:00.000Z' });
  });

  const everyType = [added, ...later, reactivated, ...outcomes];
  it.each(everyType.map((e) => [e.type, e] as const))('is idempotent when %s is applied twice', (_type, event) => {
    const before = run(everyType.filter((e) => e.position < event.position));
    const once = manageUsersProjection.evolve(before, event);
    // The runner keeps one change per document per batch, stamped with the last position, and the
    // store ignores a change at or below the position a document has: replaying gives the same row.
    const [change] = projectBatch(manageUsersProjection, new Map(before ? [['u1', before]] : []), [event]);
    expect(change).toMatchObject({ op: 'upsert', id: 'u1', position: event.position, doc: once });
    expect(manageUsersProjection.evolve(once, event)).toEqual(once);
  });

  it.each(everyType.map((e) => [e.type, e] as const))('gives the same row when %s is delivered twice through the store', async (_type, event) => {
    const { once, twice } = await appliedTwice(manageUsersProjection, everyType.filter((e) => e.position < event.position), event);
    expect(once).toHaveLength(1);
    expect(twice).toEqual(once);
  });

  it('ignores changes for a user it never saw added', () => {
    expect(run(later)).toBeNull();
  });

  it('refuses a stored event its catalogue cannot read, naming it, rather than writing a row from it', () => {
    const { email: _email, ...withoutEmail } = added.data;
    expect(() => projectBatch(manageUsersProjection, new Map(), [{ ...added, data: withoutEmail }])).toThrow(
      new RegExp(`^Stored event user-u1@${added.revision} \\(type UserAdded, position ${added.position}\\) cannot be read as user stream events: data\\.email should be string, is missing`),
    );
  });
});

describe('manage-users counters', () => {
  const counts = (events: Recorded<UserEvent>[]) =>
    events.reduce<UserCounts | null>((doc, e) => manageUsersCountsProjection.evolve(doc, e), null);
  const second = recorded(
    { type: 'UserAdded', data: { userId: 'u2', organisationId: 'o1', firstName: 'Lee', lastName: 'Lead', email: 'lee@nhs.net', clinician: false, permissionLevel: 'lead_administrator', spoc: false, professional: false, addedAt: 't1' } },
    '2026-01-01T00:00:00.000Z',
  );

  it('count users per status and level as they are added, change level and are (de)activated', () => {
    expect(counts([added, second])).toEqual({ id: 'o1', 'active:recorder': 1, 'active:lead_administrator': 1 });
    expect(counts([added, second, ...later])).toEqual({ id: 'o1', 'active:recorder': 0, 'active:administrator': 0, 'deactivated:administrator': 1, 'active:lead_administrator': 1 });
    expect(counts([added, second, ...later, reactivated])).toMatchObject({ 'active:administrator': 1, 'deactivated:administrator': 0 });
  });

  it.each([added, ...later, reactivated, ...outcomes].map((e) => [e.type, e] as const))('count the same when %s is delivered twice through the store', async (_type, event) => {
    const { once, twice } = await appliedTwice(manageUsersCountsProjection, [added, second, ...later, reactivated, ...outcomes].filter((e) => e.position < event.position), event);
    expect(once).toHaveLength(1);
    expect(twice).toEqual(once);
  });

  it('ignore events that change no count', () => {
    const designation = later.find((e) => e.type === 'UserDesignationsChanged')!;
    const before = counts([added]);
    expect(manageUsersCountsProjection.evolve(before, designation)).toBe(before);
    for (const outcome of outcomes) expect(manageUsersCountsProjection.evolve(before, outcome)).toBe(before);
  });
});
