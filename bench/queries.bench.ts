/**
 * npm run bench:queries — p50/p99 of the two screens' queries on the embedded store:
 * manage-users over an organisation with 100,000 users, the SPOC overview over one with
 * 1,000,000 requests; in process (query handler on the read store) and over HTTP.
 * Baseline in the same run: the primary-key lookup of one document in the same table.
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newId, RecordedEvent } from '@access-ledger/core';
import { Document, Projection, SqliteReadStore, projectBatch } from '@access-ledger/read-store';
import { manageUsersCountsProjection, manageUsersProjection, spocOverviewCountsProjection, spocOverviewProjection } from '@access-ledger/projections';
import { PermissionLevel } from '@access-ledger/directory';
import { ListUsersHandler, ListUsersQuery } from '../apps/api/src/directory/queries';
import { OverviewHandler, OverviewQuery } from '../apps/api/src/access-requests/queries';
import { ListUsersQueryDto } from '../apps/api/src/directory/directory.dto';
import { OverviewQueryDto } from '../apps/api/src/access-requests/access-requests.dto';
import { machine, measure, ms, rng } from './support';

const USERS = Number(process.env.BENCH_USERS ?? 100_000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 1_000_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 2_000);
const LEVELS: PermissionLevel[] = ['recorder', 'administrator', 'lead_administrator'];
const NAMES = ['Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Wilson', 'Johnson', 'Davies', 'Robinson', 'Wright', 'Thompson', 'Evans', 'Walker', 'White', 'Roberts', 'Green'];
const FIRST = ['Ada', 'Grace', 'Alan', 'Emile', 'Adele', 'John', 'Mary', 'Priya', 'Omar', 'Lena'];
const STATUSES = ['created', 'approval_requested', 'approved_rae', 'rejected', 'withdrawn'] as const;

const metadata = (at: string) => ({ occurredAt: at, actor: { id: 'bench', email: 'bench@example.org', roles: [] }, correlationId: 'b', causationId: 'b', commandId: 'b', schemaVersion: 1 });

/** Feeds synthetic events through the real projections, in batches, into the read store. */
async function seed(store: SqliteReadStore, projections: readonly Projection<Document>[], events: Iterable<RecordedEvent>) {
  for (const projection of projections) await store.ensureCollection(projection.collection);
  let batch: RecordedEvent[] = [];
  const flush = async () => {
    for (const projection of projections) {
      const ids = [...new Set(batch.map((e) => projection.documentId(e)!))];
      const current = await store.getMany<Document>(projection.collection.name, ids);
      await store.applyChanges(projection.name, projectBatch(projection, current, batch), batch[batch.length - 1].position);
    }
    batch = [];
  };
  for (const event of events) {
    batch.push(event);
    if (batch.length >= 5000) await flush();
  }
  if (batch.length) await flush();
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'al-bench-q-'));
  const store = new SqliteReadStore({ file: join(dir, 'read.db') });
  const random = rng(42);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
  const lines: string[] = [];
  const report = (line: string) => {
    lines.push(line);
    process.stdout.write(`${line}\n`);
  };
  report(`machine: ${machine()}`);

  // ---- manage-users --------------------------------------------------------------
  const org = newId();
  let position = 0;
  const userIds: string[] = [];
  let started = Date.now();
  await seed(store, [manageUsersProjection, manageUsersCountsProjection], (function* () {
    for (let i = 0; i < USERS; i += 1) {
      const userId = newId();
      userIds.push(userId);
      const at = new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
      const lastName = `${pick(NAMES)}${i % 97}`;
      const level = pick(LEVELS);
      yield {
        eventId: newId(), type: 'UserAdded', streamId: `user-${userId}`, revision: 0, position: (position += 1), metadata: metadata(at),
        data: { userId, organisationId: org, firstName: pick(FIRST), lastName, email: `${lastName.toLowerCase()}.${i}@example.org`, clinician: random() < 0.3, permissionLevel: level, spoc: false, professional: false, addedAt: at },
      };
      if (i % 10 === 0) {
        yield { eventId: newId(), type: 'UserDeactivated', streamId: `user-${userId}`, revision: 1, position: (position += 1), metadata: metadata(at), data: { userId, organisationId: org, permissionLevel: level, reason: null, deactivatedAt: at } };
      }
    }
  })());
  report(`seeded ${USERS} users in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const lead = { userId: 'lead', platformRoles: [], membership: { organisationId: org, permissionLevel: 'lead_administrator' as const, spoc: true, professional: false, active: true }, user: null, rights: null };
  const users = new ListUsersHandler(store);
  const userFilters: Partial<ListUsersQueryDto>[] = [
    { status: 'active', sort: 'lastName' },
    { status: 'active', permissionLevel: 'recorder', sort: 'lastName' },
    { sort: '-updatedAt' },
    { status: 'active', q: 'wil', sort: 'lastName' },
    { status: 'deactivated', sort: 'email' },
  ];
  const pkUser = await measure(SAMPLES, (i) => store.get('directory_users', userIds[(i * 7919) % userIds.length]));
  report(`baseline  get one user by id                         p50 ${ms(pkUser.p50)}  p99 ${ms(pkUser.p99)}`);
  for (const filter of userFilters) {
    const result = await measure(SAMPLES, (i) => users.execute(new ListUsersQuery(lead, org, { ...filter, page: 1 + (i % 40), pageSize: 25 } as ListUsersQueryDto)));
    report(`manage-users ${JSON.stringify(filter).padEnd(60)} p50 ${ms(result.p50)}  p99 ${ms(result.p99)}`);
  }

  // ---- SPOC overview -------------------------------------------------------------
  const rOrg = newId();
  const requestIds: string[] = [];
  started = Date.now();
  const requestEvents = function* () {
    for (let i = 0; i < REQUESTS; i += 1) {
      const requestId = newId();
      requestIds.push(requestId);
      const at = new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString();
      const requester = { id: `sub-${i % 5000}`, email: `${pick(NAMES).toLowerCase()}${i % 5000}@example.org`, name: `${pick(FIRST)} ${pick(NAMES)}` };
      const application = pick(['vaccination-recorder', 'reporting', 'stock.manager', 'care-portal']);
      yield { eventId: newId(), type: 'RequestCreated', streamId: `request-${requestId}`, revision: 0, position: (position += 1), metadata: metadata(at), data: { requestId, organisationId: rOrg, application, justification: null, requester, createdAt: at } };
      const target = pick(STATUSES);
      if (target === 'created') continue;
      yield { eventId: newId(), type: 'ApprovalRequested', streamId: `request-${requestId}`, revision: 1, position: (position += 1), metadata: metadata(at), data: { requestId, organisationId: rOrg, application, requester, previousStatus: 'created', requestedAt: at } };
      if (target === 'approval_requested') continue;
      const type = target === 'approved_rae' ? 'RequestApproved' : target === 'rejected' ? 'RequestRejected' : 'RequestWithdrawn';
      yield { eventId: newId(), type, streamId: `request-${requestId}`, revision: 2, position: (position += 1), metadata: metadata(at), data: { requestId, organisationId: rOrg, application, requester, comment: null, reason: 'x', previousStatus: 'approval_requested', approvedAt: at, rejectedAt: at, withdrawnAt: at } };
    }
  };
  await seed(store, [spocOverviewProjection, spocOverviewCountsProjection], requestEvents());
  report(`seeded ${REQUESTS} requests in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const spoc = { id: 'spoc', email: 'spoc@example.org', spocOf: rOrg, platformAdmin: false, auditor: false };
  const overview = new OverviewHandler(store);
  const pkRequest = await measure(SAMPLES, (i) => store.get('spoc_overview', requestIds[(i * 7919) % requestIds.length]));
  report(`baseline  get one request by id                      p50 ${ms(pkRequest.p50)}  p99 ${ms(pkRequest.p99)}`);
  const overviewFilters: Partial<OverviewQueryDto>[] = [
    {},
    { status: ['created', 'approval_requested'] },
    { status: ['rejected'], sort: '-createdAt' },
    { sort: 'requester' },
    { sort: 'application' },
    { q: 'wil' },
  ];
  for (const filter of overviewFilters) {
    const result = await measure(SAMPLES, (i) => overview.execute(new OverviewQuery(spoc, rOrg, { ...filter, page: 1 + (i % 40), pageSize: 25 } as OverviewQueryDto)));
    report(`overview ${JSON.stringify(filter).padEnd(64)} p50 ${ms(result.p50)}  p99 ${ms(result.p99)}`);
  }
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
