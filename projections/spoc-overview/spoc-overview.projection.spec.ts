import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Recorded } from '@access-ledger/core';
import { AccessRequestEvent, Requester } from '@access-ledger/access-requests';
import { SqliteReadStore, projectBatch } from '@access-ledger/read-store';
import { appliedTwice } from '../testing/applied-twice';
import { appendHistory } from '../testing/append-history';
import { incrementalAndRebuilt } from '../testing/incremental-and-rebuilt';
import { OverviewCounts, OverviewRow, spocOverviewCountsProjection, spocOverviewProjection } from './spoc-overview.projection';

let position = 0;
const at = (day: number) => `2026-02-0${day}T00:00:00.000Z`;
const recorded = (event: AccessRequestEvent, day: number): Recorded<AccessRequestEvent> => ({
  ...event,
  eventId: `e${(position += 1)}`,
  streamId: `request-${event.data.requestId}`,
  revision: position,
  position,
  metadata: { occurredAt: at(day), actor: { id: 'a', email: 'a@b.org', roles: [] }, correlationId: 'c', causationId: 'c', commandId: 'c', schemaVersion: 1 },
});
const requester: Requester = { id: 'sub-1', email: 'rita@example.org', name: null };
const ids = (requestId: string) => ({ requestId, organisationId: 'o1' });
const created = (id: string, day = 1) =>
  recorded({ type: 'RequestCreated', data: { ...ids(id), application: 'app', justification: null, requester, createdAt: at(day) } }, day);
const submitted = (id: string, day = 2) =>
  recorded({ type: 'ApprovalRequested', data: { ...ids(id), application: 'app', requester, previousStatus: 'created', requestedAt: at(day) } }, day);
const approved = (id: string, day = 3) =>
  recorded({ type: 'RequestApproved', data: { ...ids(id), application: 'app', requester, comment: null, previousStatus: 'approval_requested', decidedAs: 'spoc', approvedAt: at(day) } }, day);
const rejected = (id: string, day = 3) => recorded({ type: 'RequestRejected', data: { ...ids(id), reason: 'no', previousStatus: 'created', decidedAs: 'spoc', rejectedAt: at(day) } }, day);
const withdrawn = (id: string, day = 4) =>
  recorded({ type: 'RequestWithdrawn', data: { ...ids(id), reason: null, previousStatus: 'approval_requested', withdrawnAt: at(day) } }, day);
const provisioned = (id: string, day = 5, detail: string | null = null) => recorded({ type: 'AccountProvisioned', data: { ...ids(id), detail, provisionedAt: at(day) } }, day);
const failed = (id: string, day = 4, detail: string | null = 'HTTP 503') => recorded({ type: 'AccountProvisioningFailed', data: { ...ids(id), detail, failedAt: at(day) } }, day);

const row = (events: Recorded<AccessRequestEvent>[]) => events.reduce<OverviewRow | null>((doc, e) => spocOverviewProjection.evolve(doc, e), null);

describe('SPOC overview projection', () => {
  it('shows a new request as created, labelled by e-mail when there is no name, with no completion or provisioning', () => {
    expect(row([created('r1')])).toMatchObject({
      id: 'r1',
      status: 'created',
      requesterLabel: 'rita@example.org',
      createdAt: at(1),
      updatedAt: at(1),
      completedAt: null,
      provisioning: null,
    });
  });

  it('stamps updatedAt on every change and completedAt on a decision; approval sets provisioning pending', () => {
    expect(row([created('r1'), submitted('r1')])).toMatchObject({ status: 'approval_requested', updatedAt: at(2), completedAt: null });
    expect(row([created('r1'), submitted('r1'), approved('r1')])).toMatchObject({
      status: 'approved_rae',
      updatedAt: at(3),
      completedAt: at(3),
      provisioning: { status: 'pending', detail: null, at: at(3) },
    });
    expect(row([created('r1'), rejected('r1')])).toMatchObject({ status: 'rejected', completedAt: at(3), provisioning: null });
    expect(row([created('r1'), submitted('r1'), withdrawn('r1')])).toMatchObject({ status: 'withdrawn', completedAt: at(4) });
  });

  it('shows the last provisioning outcome reported, with its detail and when, and stamps updatedAt', () => {
    expect(row([created('r1'), approved('r1'), failed('r1')])).toMatchObject({
      status: 'approved_rae',
      completedAt: at(3),
      updatedAt: at(4),
      provisioning: { status: 'failed', detail: 'HTTP 503', at: at(4) },
    });
    expect(row([created('r1'), approved('r1'), failed('r1'), provisioned('r1', 5, 'account vr-1042')])).toMatchObject({
      updatedAt: at(5),
      provisioning: { status: 'provisioned', detail: 'account vr-1042', at: at(5) },
    });
  });

  it.each([
    ['RequestCreated', [], created('r9')],
    ['ApprovalRequested', [created('r9')], submitted('r9')],
    ['RequestApproved', [created('r9'), submitted('r9')], approved('r9')],
    ['RequestWithdrawn', [created('r9'), submitted('r9')], withdrawn('r9')],
    ['AccountProvisioningFailed', [created('r9'), approved('r9')], failed('r9')],
    ['AccountProvisioned', [created('r9'), approved('r9'), failed('r9')], provisioned('r9')],
  ] as const)('is idempotent when %s is applied twice', (_type, before, event) => {
    const once = spocOverviewProjection.evolve(row([...before]), event);
    expect(spocOverviewProjection.evolve(once, event)).toEqual(once);
  });

  const everyType = [
    ['RequestCreated', [], created('r8')],
    ['ApprovalRequested', [created('r8')], submitted('r8')],
    ['RequestApproved', [created('r8'), submitted('r8')], approved('r8')],
    ['RequestRejected', [created('r8')], rejected('r8')],
    ['RequestWithdrawn', [created('r8'), submitted('r8')], withdrawn('r8')],
    ['AccountProvisioningFailed', [created('r8'), approved('r8')], failed('r8')],
    ['AccountProvisioned', [created('r8'), approved('r8'), failed('r8')], provisioned('r8')],
  ] as const;

  it('gives the same rows rebuilt from the log as processed live, provisioning outcomes included', async () => {
    const history = [
      created('p1'), created('p2'), created('p3'), submitted('p1'), approved('p1'), approved('p2'),
      failed('p1'), rejected('p3'), provisioned('p1', 5, 'retried'), failed('p2', 5, 'timeout'),
    ];
    const { incremental, rebuilt } = await incrementalAndRebuilt(spocOverviewProjection, (store) => appendHistory(store, history));
    expect(rebuilt).toEqual(incremental);
    expect(incremental.map((r) => [r.id, (r as OverviewRow).provisioning?.status ?? null])).toEqual([['p1', 'provisioned'], ['p2', 'failed'], ['p3', null]]);
  });

  it.each(everyType)('gives the same row when %s is delivered twice through the store', async (_type, before, event) => {
    const { once, twice } = await appliedTwice(spocOverviewProjection, before, event);
    expect(once).toHaveLength(1);
    expect(twice).toEqual(once);
  });

  it.each(everyType)('counts the same when %s is delivered twice through the store', async (_type, before, event) => {
    const { once, twice } = await appliedTwice(spocOverviewCountsProjection, before, event);
    expect(once).toHaveLength(1);
    expect(twice).toEqual(once);
  });

  describe('per-organisation counters', () => {
    const dir = mkdtempSync(join(tmpdir(), 'al-counts-'));
    const store = new SqliteReadStore({ file: join(dir, 'read.db') });
    afterAll(async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const apply = async (events: Recorded<AccessRequestEvent>[]) => {
      const current = await store.getMany<OverviewCounts>('spoc_overview_counts', ['o1']);
      await store.applyChanges('counts', projectBatch(spocOverviewCountsProjection, current, events), events[events.length - 1].position);
    };

    it('are not moved by provisioning outcomes: the request stays approved', () => {
      const counts = [created('x'), approved('x')].reduce<OverviewCounts | null>((doc, e) => spocOverviewCountsProjection.evolve(doc, e), null);
      expect(spocOverviewCountsProjection.evolve(counts, failed('x'))).toBe(counts);
      expect(spocOverviewCountsProjection.evolve(counts, provisioned('x'))).toBe(counts);
    });

    it('move a request from the status it leaves to the one it enters, and a replayed batch counts nothing twice', async () => {
      await store.ensureCollection(spocOverviewCountsProjection.collection);
      const first = [created('a'), created('b'), created('c'), submitted('a'), submitted('b')];
      const second = [approved('a'), rejected('c'), withdrawn('b')];
      await apply(first);
      expect(await store.get('spoc_overview_counts', 'o1')).toMatchObject({ created: 1, approval_requested: 2, approved_rae: 0 });
      await apply(second);
      await apply(second); // a crash between the writes and the checkpoint makes the runner apply the batch again
      await apply(first);
      expect(await store.get('spoc_overview_counts', 'o1')).toEqual({ id: 'o1', created: 0, approval_requested: 0, approved_rae: 1, rejected: 1, withdrawn: 1 });
    });
  });
});
