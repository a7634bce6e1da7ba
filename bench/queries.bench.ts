/**
 * npm run bench:queries — p50/p99 of the two screens' queries on the embedded store:
 * manage-users over an organisation with 100,000 users, the SPOC overview over one with
 * 1,000,000 requests; in process (query handler on the read store) and over HTTP.
 * Baseline in the same run: the primary-key lookup of one document in the same table.
 *
 * Then the worst cases of paging (deep pages, cursor pages at every depth, searches with
 * many matches and their totals), each beside the same request answered as before keyset
 * paging and bounded counts (`LegacyFind`, the old read path on its own connection). The
 * latency of one call is the time it holds the event loop: better-sqlite3 is synchronous.
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newId } from '@access-ledger/core';
import { SqliteReadStore } from '@access-ledger/read-store';
import { manageUsersCountsProjection, manageUsersProjection, spocOverviewCountsProjection, spocOverviewProjection } from '@access-ledger/projections';
import { PermissionLevel } from '@access-ledger/directory';
import { ListUsersHandler, ListUsersQuery } from '../apps/api/src/directory/queries/list-users.query';
import { OverviewHandler, OverviewQuery } from '../apps/api/src/access-requests/queries/overview.query';
import { ListUsersQueryDto } from '../apps/api/src/directory/queries/list-users.dto';
import { OverviewQueryDto } from '../apps/api/src/access-requests/queries/overview.dto';
import { LegacyFind } from './legacy-find';
import { machine, measure, ms, rng, seed } from './support';

const USERS = Number(process.env.BENCH_USERS ?? 100_000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 1_000_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 2_000);
/** Calls per worst-case row measured the old way (each may take a second at 1,000,000 requests). */
const LEGACY_SAMPLES = Number(process.env.BENCH_LEGACY_SAMPLES ?? 20);
const LEVELS: PermissionLevel[] = ['recorder', 'administrator', 'lead_administrator'];
const NAMES = ['Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Wilson', 'Johnson', 'Davies', 'Robinson', 'Wright', 'Thompson', 'Evans', 'Walker', 'White', 'Roberts', 'Green'];
const FIRST = ['Ada', 'Grace', 'Alan', 'Emile', 'Adele', 'John', 'Mary', 'Priya', 'Omar', 'Lena'];
const STATUSES = ['created', 'approval_requested', 'approved_rae', 'rejected', 'withdrawn'] as const;

const metadata = (at: string) => ({ occurredAt: at, actor: { id: 'bench', email: 'bench@example.org', roles: [] }, correlationId: 'b', causationId: 'b', commandId: 'b', schemaVersion: 1 });

/**
 * A call that follows nextCursor: each call fetches the page after the previous one, from
 * the first page to the last and then around again, so the samples cover every depth.
 */
function follower<F>(call: (filter: F) => Promise<{ nextCursor: string | null }>, filter: F): () => Promise<unknown> {
  let after: string | null = null;
  return async () => {
    const page = await call({ ...filter, ...(after ? { after } : {}) });
    after = page.nextCursor;
    return page;
  };
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
  /** One row: the new answer, and the old one for the same request on the same data. */
  const worst = async (label: string, now: (i: number) => Promise<unknown>, before: ((i: number) => unknown) | null, samples = SAMPLES, legacySamples = LEGACY_SAMPLES) => {
    const a = await measure(samples, now, 5);
    const b = before ? await measure(legacySamples, async (i) => before(i), 1) : null;
    const cell = (r: { p50: number; p99: number; max: number }) => `p50 ${ms(r.p50)}  p99 ${ms(r.p99)}  max ${ms(r.max)}`;
    report(`  ${label}`);
    report(`      now     ${cell(a)}  (${samples} calls)`);
    if (b) report(`      before  ${cell(b)}  (${legacySamples} calls)`);
  };

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
  const walkUsers = (filter: Partial<ListUsersQueryDto>, pageSize: number) =>
    follower((f: Partial<ListUsersQueryDto>) => users.execute(new ListUsersQuery(lead, org, f as ListUsersQueryDto)), { ...filter, pageSize });
  const userFilters: Partial<ListUsersQueryDto>[] = [
    { status: 'active', sort: 'lastName' },
    { status: 'active', permissionLevel: 'recorder', sort: 'lastName' },
    { sort: '-updatedAt' },
    { status: 'active', q: 'wil', sort: 'lastName' },
    { status: 'deactivated', sort: 'email' },
  ];
  const legacy = new LegacyFind(join(dir, 'read.db'));
  const userSearch = (q: string) => ({ fields: ['firstName', 'lastName', 'email'], prefix: q });
  const pkUser = await measure(SAMPLES, (i) => store.get('directory_users', userIds[(i * 7919) % userIds.length]));
  report(`baseline  get one user by id                         p50 ${ms(pkUser.p50)}  p99 ${ms(pkUser.p99)}`);
  for (const filter of userFilters) {
    // A search beyond 10,000 matches serves only its first page by number (its cursor pages are measured below).
    const pageOf = (i: number) => (filter.q ? 1 : 1 + (i % 40));
    const result = await measure(SAMPLES, (i) => users.execute(new ListUsersQuery(lead, org, { ...filter, page: pageOf(i), pageSize: 25 } as ListUsersQueryDto)));
    // The old handler: the old read path, and the counters for the total when there is no search.
    const sort = filter.sort ?? 'lastName';
    const before = await measure(SAMPLES, async (i) => {
      legacy.find('directory_users', {
        where: { organisationId: org, ...(filter.status ? { status: filter.status } : {}), ...(filter.permissionLevel ? { permissionLevel: filter.permissionLevel } : {}) },
        search: filter.q ? userSearch(filter.q) : undefined,
        sort: [{ field: sort.replace(/^-/, ''), direction: sort.startsWith('-') ? 'desc' : 'asc' }],
        page: pageOf(i),
        pageSize: 25,
        skipTotal: !filter.q,
      });
      if (!filter.q) await store.get('directory_user_counts', org);
    });
    report(`manage-users ${JSON.stringify(filter).padEnd(60)} p50 ${ms(result.p50)}  p99 ${ms(result.p99)}   before: p50 ${ms(before.p50)}  p99 ${ms(before.p99)}`);
  }

  const usersWhere = { organisationId: org };
  const byLastName = [{ field: 'lastName', direction: 'asc' as const }];
  report('');
  report('worst cases, manage-users (new | before, same data):');
  await worst(
    'page=400&pageSize=25 (offset 9,975: the deepest page number)',
    () => users.execute(new ListUsersQuery(lead, org, { page: 400, pageSize: 25 } as ListUsersQueryDto)),
    () => legacy.find('directory_users', { where: usersWhere, sort: byLastName, page: 400, pageSize: 25, skipTotal: true }),
  );
  await worst(
    'every page of 100 by cursor, sort=lastName | the same depths by page number',
    walkUsers({}, 100),
    (i) => legacy.find('directory_users', { where: usersWhere, sort: byLastName, page: 1 + ((i * 7919) % Math.ceil(USERS / 100)), pageSize: 100, skipTotal: true }),
  );
  await worst(
    'q=g: every page of 100 by cursor | page=900&pageSize=100 (refused now: 400 use-cursor)',
    walkUsers({ q: 'g' }, 100),
    () => legacy.find('directory_users', { where: usersWhere, search: userSearch('g'), sort: byLastName, page: 900, pageSize: 100 }),
  );
  for (const q of ['a', 'wil', 'smith']) {
    await worst(
      `q=${q}&sort=lastName, first page with its total (bounded | exact)`,
      () => users.execute(new ListUsersQuery(lead, org, { q, sort: 'lastName' } as ListUsersQueryDto)),
      () => legacy.find('directory_users', { where: usersWhere, search: userSearch(q), sort: byLastName, pageSize: 25 }),
    );
  }
  await worst('q=wil&sort=lastName, every page by cursor (a search beyond 10,000 matches walks the index)', walkUsers({ q: 'wil', sort: 'lastName' }, 25), null);

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
  const requestSearch = (q: string) => ({ fields: ['requesterEmail', 'requesterName', 'application'], prefix: q });
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
    const pageOf = (i: number) => (filter.q ? 1 : 1 + (i % 40));
    const result = await measure(SAMPLES, (i) => overview.execute(new OverviewQuery(spoc, rOrg, { ...filter, page: pageOf(i), pageSize: 25 } as OverviewQueryDto)));
    const sortKey = (filter.sort ?? '-updatedAt').replace(/^-/, '');
    const before = await measure(Math.min(SAMPLES, filter.q ? LEGACY_SAMPLES : SAMPLES), async (i) => {
      await store.get('spoc_overview_counts', rOrg);
      legacy.find('spoc_overview', {
        where: { organisationId: rOrg, ...(filter.status ? { status: { in: filter.status } } : {}) },
        search: filter.q ? requestSearch(filter.q) : undefined,
        sort: [{ field: sortKey === 'requester' ? 'requesterLabel' : sortKey, direction: (filter.sort ?? '-updatedAt').startsWith('-') ? 'desc' : 'asc' }],
        page: pageOf(i),
        pageSize: 25,
        skipTotal: !filter.q,
      });
    });
    report(`overview ${JSON.stringify(filter).padEnd(64)} p50 ${ms(result.p50)}  p99 ${ms(result.p99)}   before: p50 ${ms(before.p50)}  p99 ${ms(before.p99)}`);
  }
  const overviewWhere = { organisationId: rOrg };
  const byUpdated = [{ field: 'updatedAt', direction: 'desc' as const }];
  const walkOverview = (filter: Partial<OverviewQueryDto>, pageSize: number) =>
    follower((f: Partial<OverviewQueryDto>) => overview.execute(new OverviewQuery(spoc, rOrg, f as OverviewQueryDto)), { ...filter, pageSize });
  const deepest = Math.ceil(REQUESTS / 100);
  report('');
  report('worst cases, SPOC overview (new | before, same data):');
  await worst(
    'page=400&pageSize=25, status=created,approval_requested (deepest page number, two index ranges merged)',
    () => overview.execute(new OverviewQuery(spoc, rOrg, { page: 400, pageSize: 25, status: ['created', 'approval_requested'] } as OverviewQueryDto)),
    () => legacy.find('spoc_overview', { where: { ...overviewWhere, status: { in: ['approval_requested', 'created'] } }, sort: byUpdated, page: 400, pageSize: 25, skipTotal: true }),
  );
  await worst(
    'every page of 100 by cursor, default sort | the same depths by page number',
    walkOverview({}, 100),
    (i) => legacy.find('spoc_overview', { where: overviewWhere, sort: byUpdated, page: 1 + ((i * 7919) % deepest), pageSize: 100, skipTotal: true }),
    Math.min(SAMPLES * 5, deepest),
  );
  await worst(
    'status=created,approval_requested: pages of 100 by cursor | page numbers down to a tenth of the rows',
    walkOverview({ status: ['created', 'approval_requested'] } as Partial<OverviewQueryDto>, 100),
    (i) => legacy.find('spoc_overview', { where: { ...overviewWhere, status: { in: ['approval_requested', 'created'] } }, sort: byUpdated, page: 1 + ((i * 7919) % Math.ceil(deepest * 0.1)), pageSize: 100, skipTotal: true }),
    SAMPLES,
    Math.ceil(LEGACY_SAMPLES / 4),
  );
  for (const [q, sort] of [['wil', undefined], ['a', 'requester'], ['rep', 'application']] as const) {
    const search = requestSearch(q);
    await worst(
      `q=${q}${sort ? `&sort=${sort}` : ''}, first page with its total (bounded | exact)`,
      () => overview.execute(new OverviewQuery(spoc, rOrg, { q, ...(sort ? { sort } : {}) } as OverviewQueryDto)),
      () => legacy.find('spoc_overview', { where: overviewWhere, search, sort: sort === 'requester' ? [{ field: 'requesterLabel', direction: 'asc' }] : sort === 'application' ? [{ field: 'application', direction: 'asc' }] : byUpdated, pageSize: 25 }),
      SAMPLES,
      Math.ceil(LEGACY_SAMPLES / 4),
    );
    await worst(`q=${q}${sort ? `&sort=${sort}` : ''}, pages by cursor`, walkOverview({ q, ...(sort ? { sort } : {}) }, 25), null);
  }
  legacy.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
