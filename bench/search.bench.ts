/**
 * npm run bench:search — the screens' searches (`q=`) for a prefix that matches about a tenth of
 * the rows: manage-users over an organisation of 100,000 users, the SPOC overview over one of
 * 1,000,000 requests. In process: the real query handlers on the embedded read store, sequential
 * calls after a warm-up (better-sqlite3 is synchronous: a call's time is the time it holds the
 * event loop).
 *
 * Baselines in the same run, on the same data:
 * - the same request without `q` (the screen's plain page, totals from the counters);
 * - before: the read path as it was before this change, on its own connection to the same file:
 *   a store with the first try and the field-by-field plan off (`searchWindowRows: 0`,
 *   `searchFieldRows: 0`), asked what the handlers asked then (totals counted up to 10,000, the
 *   overview searching the requester's name rather than its label).
 *
 * Seeding: synthetic events through the real projections in batches of 200,000 events, one
 * transaction each, into collections whose indexes are built once at the end (bench/support.ts
 * `seed` with `indexesLast`).
 */
import 'reflect-metadata';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { newId, RecordedEvent } from '@access-ledger/core';
import { FindQuery, SqliteReadStore } from '@access-ledger/read-store';
import { manageUsersCountsProjection, manageUsersProjection, spocOverviewCountsProjection, spocOverviewProjection } from '@access-ledger/projections';
import { PermissionLevel } from '@access-ledger/directory';
import { ListUsersHandler, ListUsersQuery } from '../apps/api/src/directory/queries/list-users.query';
import { ListUsersQueryDto } from '../apps/api/src/directory/queries/list-users.dto';
import { OverviewHandler, OverviewQuery } from '../apps/api/src/access-requests/queries/overview.query';
import { OverviewQueryDto } from '../apps/api/src/access-requests/queries/overview.dto';
import { sortOf } from '../apps/api/src/access-requests/queries/overview-rows';
import { cpuTime, LatencySummary, machine, measure, ms, rng, seed, table, writeDocsSection } from './support';

const USERS = Number(process.env.BENCH_USERS ?? 100_000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 1_000_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 2_000);
const BEFORE_SAMPLES = Number(process.env.BENCH_BEFORE_SAMPLES ?? 200);
/** Ten first names and ten last names, so that one name's prefix matches about a tenth of the rows. */
const FIRST = ['Ada', 'Grace', 'Alan', 'Emile', 'Adele', 'John', 'Mary', 'Priya', 'Omar', 'Lena'];
const LAST = ['Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Davies', 'Evans', 'Thomas', 'Roberts', 'Green'];
const LEVELS: PermissionLevel[] = ['recorder', 'administrator', 'lead_administrator'];
const STATUSES = ['created', 'approval_requested', 'approved_rae', 'rejected', 'withdrawn'] as const;
/** What the handlers counted a search's matches up to before (TOTAL_COUNT_LIMIT). */
const BEFORE_COUNT_LIMIT = 10_000;

const metadata = (at: string) => ({ occurredAt: at, actor: { id: 'bench', email: 'bench@example.org', roles: [] }, correlationId: 'b', causationId: 'b', commandId: 'b', schemaVersion: 1 });

async function main() {
  const started = Date.now();
  const load = loadavg().map((l) => l.toFixed(1)).join(', ');
  // BENCH_DATA_DIR: seed there once and reuse it on the next runs (kept); otherwise a temporary folder.
  const keep = process.env.BENCH_DATA_DIR;
  const dir = keep ?? mkdtempSync(join(tmpdir(), 'al-bench-search-'));
  const marker = join(dir, 'seeded.json');
  const reused = keep !== undefined && existsSync(marker);
  const file = join(dir, 'read.db');
  mkdirSync(dir, { recursive: true });
  const store = new SqliteReadStore({ file });
  const random = rng(7);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
  const log = (line: string) => process.stdout.write(`${line}\n`);
  log(`machine: ${machine()}; load average ${load}`);
  let position = 0;

  // ---- seeding ---------------------------------------------------------------------
  /**
   * Two organisations of USERS users, 10 % deactivated. `named`: e-mails as most organisations
   * give them (first.last); `surnameFirst`: e-mails that start with the last name, as in
   * bench:queries, so that a last-name prefix also matches the e-mails of the same users.
   */
  const orgs = { named: '0b9c3a52-0000-4000-8000-000000000001', surnameFirst: '0b9c3a52-0000-4000-8000-000000000002' };
  const userEvents = function* (): Generator<RecordedEvent> {
    for (const [kind, org] of Object.entries(orgs)) {
      for (let i = 0; i < USERS; i += 1) {
        const userId = newId();
        const at = new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
        const firstName = pick(FIRST);
        const lastName = `${pick(LAST)}${i % 97}`;
        const email = kind === 'named' ? `${firstName}.${lastName}.${i}@example.org`.toLowerCase() : `${lastName}.${i}@example.org`.toLowerCase();
        const level = pick(LEVELS);
        yield {
          eventId: newId(), type: 'UserAdded', streamId: `user-${userId}`, revision: 0, position: (position += 1), metadata: metadata(at),
          data: { userId, organisationId: org, firstName, lastName, email, clinician: random() < 0.3, permissionLevel: level, spoc: false, professional: false, addedAt: at },
        };
        if (i % 10 === 0) {
          yield { eventId: newId(), type: 'UserDeactivated', streamId: `user-${userId}`, revision: 1, position: (position += 1), metadata: metadata(at), data: { userId, organisationId: org, permissionLevel: level, reason: null, deactivatedAt: at } };
        }
      }
    }
  };
  let t = Date.now();
  if (!reused) await seed(store, [manageUsersProjection, manageUsersCountsProjection], userEvents(), { batchEvents: 200_000, indexesLast: true });
  const seededUsers = reused ? (JSON.parse(readFileSync(marker, 'utf8')) as string[])[0] : `seeded 2 × ${USERS.toLocaleString('en')} users in ${((Date.now() - t) / 1000).toFixed(1)} s`;
  log(seededUsers);

  /** REQUESTS requests of 5,000 requesters (first-name last-name, first.last e-mail), four applications, statuses evenly. */
  const rOrg = '0b9c3a52-0000-4000-8000-000000000003';
  const requesters = Array.from({ length: 5000 }, (_, n) => {
    const first = pick(FIRST);
    const last = pick(LAST);
    return { id: `sub-${n}`, email: `${first}.${last}${n}@example.org`.toLowerCase(), name: `${first} ${last}` };
  });
  const requestEvents = function* (): Generator<RecordedEvent> {
    for (let i = 0; i < REQUESTS; i += 1) {
      const requestId = newId();
      const at = new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString();
      const requester = pick(requesters);
      const application = pick(['vaccination-recorder', 'reporting', 'stock.manager', 'care-portal']);
      const event = (revision: number, type: string, data: Record<string, unknown>): RecordedEvent => ({
        eventId: newId(), type, streamId: `request-${requestId}`, revision, position: (position += 1), metadata: metadata(at), data: { requestId, organisationId: rOrg, application, requester, ...data },
      });
      yield event(0, 'RequestCreated', { justification: null, createdAt: at });
      const target = pick(STATUSES);
      if (target === 'created') continue;
      yield event(1, 'ApprovalRequested', { previousStatus: 'created', requestedAt: at });
      if (target === 'approval_requested') continue;
      const type = target === 'approved_rae' ? 'RequestApproved' : target === 'rejected' ? 'RequestRejected' : 'RequestWithdrawn';
      yield event(2, type, { comment: null, reason: 'x', previousStatus: 'approval_requested', approvedAt: at, rejectedAt: at, withdrawnAt: at });
    }
  };
  t = Date.now();
  if (!reused) await seed(store, [spocOverviewProjection, spocOverviewCountsProjection], requestEvents(), { batchEvents: 200_000, indexesLast: true });
  const seededRequests = reused ? (JSON.parse(readFileSync(marker, 'utf8')) as string[])[1] : `seeded ${REQUESTS.toLocaleString('en')} requests in ${((Date.now() - t) / 1000).toFixed(1)} s`;
  log(seededRequests);
  if (keep && !reused) writeFileSync(marker, JSON.stringify([seededUsers, seededRequests]));

  // A reused folder gets the indexes its collections' specs have gained since it was seeded.
  if (reused) for (const projection of [manageUsersProjection, manageUsersCountsProjection, spocOverviewProjection, spocOverviewCountsProjection]) await store.ensureCollection(projection.collection);

  // ---- the handlers, now and before --------------------------------------------------
  const before = new SqliteReadStore({ file, searchWindowRows: 0, searchFieldRows: 0 });
  const users = new ListUsersHandler(store);
  const overview = new OverviewHandler(store);
  const leadOf = (org: string) => ({ userId: 'lead', platformRoles: [], membership: { organisationId: org, permissionLevel: 'lead_administrator' as const, spoc: true, professional: false, active: true }, user: null, rights: null });
  const spoc = { id: 'spoc', email: 'spoc@example.org', spocOf: rOrg, platformAdmin: false, auditor: false };
  const listUsers = (org: string, filter: Partial<ListUsersQueryDto>) => users.execute(new ListUsersQuery(leadOf(org), org, filter as ListUsersQueryDto));
  const listRequests = (filter: Partial<OverviewQueryDto>) => overview.execute(new OverviewQuery(spoc, rOrg, filter as OverviewQueryDto));
  /** The read the handlers made before, on the store as it was. */
  const usersBefore = (org: string, q: string, sort = 'lastName', after?: FindQuery['after']) =>
    before.find('directory_users', {
      where: { organisationId: org },
      search: { fields: ['firstName', 'lastName', 'email'], prefix: q },
      sort: [{ field: sort.replace(/^-/, ''), direction: sort.startsWith('-') ? 'desc' : 'asc' }],
      pageSize: 25,
      after,
      countLimit: BEFORE_COUNT_LIMIT,
    });
  const requestsBefore = (q: string, sort = '-updatedAt', after?: FindQuery['after']) =>
    before.find('spoc_overview', { where: { organisationId: rOrg }, search: { fields: ['requesterEmail', 'requesterName', 'application'], prefix: q }, sort: sortOf(sort), pageSize: 25, after, countLimit: BEFORE_COUNT_LIMIT });

  /** Follows nextCursor from the first page to the last and around again: pages at every depth. */
  const follower = <P extends { nextCursor: string | null }>(call: (after: string | undefined) => Promise<P>) => {
    let after: string | undefined;
    return async () => {
      const page = await call(after);
      after = page.nextCursor ?? undefined;
      return page;
    };
  };
  const followerBefore = (call: (after: FindQuery['after']) => ReturnType<SqliteReadStore['find']>) => {
    let after: FindQuery['after'];
    return async () => {
      const page = await call(after);
      after = page.next ?? undefined;
      return page;
    };
  };

  interface Row {
    readonly screen: string;
    readonly request: string;
    readonly matches: string;
    readonly total: string;
    readonly now: LatencySummary;
    /** CPU time of this process per call (what the call cost, without the time the machine gave others meanwhile). */
    readonly cpu: { p50: number; p99: number };
    readonly plain: LatencySummary | null;
    readonly before: LatencySummary | null;
  }
  const rows: Row[] = [];
  const cell = (r: Pick<LatencySummary, 'p50' | 'p99'> | null) => (r ? `${ms(r.p50)} / ${ms(r.p99)}` : '–');
  const row = async (
    screen: string,
    request: string,
    first: () => Promise<{ total: number; totalIsLowerBound: boolean; items: unknown[] }>,
    now: () => Promise<unknown>,
    plain: (() => Promise<unknown>) | null,
    previous: (() => Promise<unknown>) | null,
    exact: () => Promise<number>,
  ) => {
    const page = await first();
    const matches = await exact();
    const result: Row = {
      screen,
      request,
      matches: `${matches.toLocaleString('en')} (${((100 * matches) / (screen === 'overview' ? REQUESTS : USERS)).toFixed(1)} %)`,
      total: `${page.total.toLocaleString('en')}${page.totalIsLowerBound ? '+' : ''}, ${page.items.length} items`,
      now: await measure(SAMPLES, now),
      cpu: await cpuTime(SAMPLES, now),
      plain: plain ? await measure(SAMPLES, plain) : null,
      before: previous ? await measure(BEFORE_SAMPLES, previous, 20) : null,
    };
    rows.push(result);
    log(`${screen.padEnd(12)} ${request.padEnd(58)} matches ${result.matches.padEnd(16)} now ${cell(result.now)} (CPU ${cell(result.cpu)})  without q ${cell(result.plain)}  before ${cell(result.before)}`);
  };
  const countUsers = (org: string, q: string) => store.find('directory_users', { where: { organisationId: org }, search: { fields: ['firstName', 'lastName', 'email'], prefix: q }, pageSize: 1 }).then((p) => p.total);
  const countRequests = (q: string) => store.find('spoc_overview', { where: { organisationId: rOrg }, search: { fields: ['requesterEmail', 'requesterLabel', 'application'], prefix: q }, pageSize: 1 }).then((p) => p.total);

  for (const [kind, org] of Object.entries(orgs) as [keyof typeof orgs, string][]) {
    const label = kind === 'named' ? 'e-mails first.last' : 'e-mails last name first';
    const cases: [string, Partial<ListUsersQueryDto>][] = [
      ['q=pri (first name Priya)', { q: 'pri' }],
      ['q=wil (last name Williams)', { q: 'wil' }],
      ['q=pri&sort=-updatedAt', { q: 'pri', sort: '-updatedAt' }],
      ['q=wil&sort=-updatedAt', { q: 'wil', sort: '-updatedAt' }],
      ['status=active&q=wil', { q: 'wil', status: 'active' }],
    ];
    for (const [request, filter] of kind === 'named' ? cases : cases.slice(1, 2)) {
      const { q, ...rest } = filter;
      await row(
        'manage-users',
        `${request}, first page (${label})`,
        () => listUsers(org, filter),
        () => listUsers(org, filter),
        () => listUsers(org, rest),
        filter.status ? null : () => usersBefore(org, q!, filter.sort),
        () => countUsers(org, q!),
      );
    }
    await row(
      'manage-users',
      `q=wil, every page by cursor (${label})`,
      () => listUsers(org, { q: 'wil' }),
      follower((after) => listUsers(org, { q: 'wil', ...(after ? { after } : {}) })),
      follower((after) => listUsers(org, after ? { after } : {})),
      followerBefore((after) => usersBefore(org, 'wil', 'lastName', after)),
      () => countUsers(org, 'wil'),
    );
  }
  const overviewCases: [string, Partial<OverviewQueryDto>][] = [
    ['q=pri (requester Priya), default sort -updatedAt', { q: 'pri' }],
    ['q=pri&sort=requester', { q: 'pri', sort: 'requester' }],
    ['q=pri&sort=application', { q: 'pri', sort: 'application' }],
    ['q=rep&sort=application (application reporting: 25 %)', { q: 'rep', sort: 'application' }],
    ['q=pri&status=rejected', { q: 'pri', status: ['rejected'] }],
  ];
  for (const [request, filter] of overviewCases) {
    const { q, ...rest } = filter;
    await row(
      'overview',
      `${request}, first page`,
      () => listRequests(filter),
      () => listRequests(filter),
      () => listRequests(rest),
      filter.status ? null : () => requestsBefore(q!, filter.sort),
      () => countRequests(q!),
    );
  }
  await row(
    'overview',
    'q=pri, pages by cursor (default sort)',
    () => listRequests({ q: 'pri' }),
    follower((after) => listRequests({ q: 'pri', ...(after ? { after } : {}) })),
    follower((after) => listRequests(after ? { after } : {})),
    followerBefore((after) => requestsBefore('pri', '-updatedAt', after)),
    () => countRequests('pri'),
  );
  await row(
    'overview',
    'q=pri&sort=requester, pages by cursor',
    () => listRequests({ q: 'pri', sort: 'requester' }),
    follower((after) => listRequests({ q: 'pri', sort: 'requester', ...(after ? { after } : {}) })),
    follower((after) => listRequests({ sort: 'requester', ...(after ? { after } : {}) })),
    followerBefore((after) => requestsBefore('pri', 'requester', after)),
    () => countRequests('pri'),
  );

  const seconds = Math.round((Date.now() - started) / 1000);
  const goal = rows.filter((r) => r.request.startsWith('q=pri (') || r.request.startsWith('q=wil (last name Williams), first page (e-mails first'));
  const verdict = goal.every((r) => r.now.p99 < 5) ? 'met' : goal.every((r) => r.cpu.p99 < 5) ? 'met in CPU time; not in wall-clock time on this run (see the load average)' : 'not met';
  const section = `
## Searches — \`npm run bench:search\`

Machine: ${machine()}; load average ${load} at the start. Run took ${seconds} s. ${seededUsers}; ${seededRequests} (synthetic events through the real projections, 200,000 events per transaction, indexes built after the load).

In process: the real query handler (\`ListUsersHandler\`, \`OverviewHandler\`) on the embedded read store, ${SAMPLES.toLocaleString('en')} sequential calls per cell after a warm-up (before: ${BEFORE_SAMPLES}), then as many again for the CPU time of each call (\`process.cpuUsage\`); pages of 25. Names drawn from ten first names and ten last names, so that a name's prefix matches about a tenth of the rows. Baselines in the same run on the same data: **without q** (the same request without the search: the screen's plain page) and **before** (the read path before this change on its own connection, the handlers' old query: totals counted to 10,000; the overview searching \`requesterName\`). p50 / p99.

${table(
  ['screen', 'request', 'matches', 'total answered', 'now', 'now, CPU time', 'without q', 'before'],
  rows.map((r) => [r.screen, r.request, r.matches, r.total, cell(r.now), cell(r.cpu), cell(r.plain), cell(r.before)]),
)}

Goal: p99 under 5 ms in process for a prefix matching a tenth of the rows (manage-users over 100,000 users, the overview over 1,000,000 requests, their default sorts) — **${verdict}** (p99 wall / CPU: ${goal.map((r) => `${r.screen} ${r.request.split(',')[0]}: ${ms(r.now.p99)} / ${ms(r.cpu.p99)}`).join('; ')}).
`;
  writeDocsSection('search', section);
  await before.close();
  await store.close();
  if (!keep) rmSync(dir, { recursive: true, force: true });
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
