import { Change } from '@access-ledger/read-store';
import { ManagedUser, OverviewRow, manageUsersProjection, spocOverviewProjection } from '@access-ledger/projections';
import { newId } from '@access-ledger/core';
import { TestApi, bearer, startApi } from './support/api';
import { OrgFixture, addUser, registerOrg } from './support/directory';

/** Paging of the list endpoints over real HTTP: cursors at any depth, bounded offsets and totals. */
describe('Paging the lists', () => {
  let api: TestApi;
  let admin: string;
  let auditor: string;
  let org: OrgFixture;
  let other: OrgFixture;
  let spoc: string;
  let requester: string;
  let last = 0;
  const userIds: string[] = [];
  const requestIds: string[] = [];
  const mine: string[] = [];

  beforeAll(async () => {
    api = await startApi();
    admin = await api.token({ email: 'ops@platform.example', roles: ['platform_admin'] });
    auditor = await api.token({ email: 'audit@platform.example', roles: ['auditor'] });
    org = await registerOrg(api, admin, 'Paging Practice');
    other = await registerOrg(api, admin, 'Other Practice');
    userIds.push(org.leadId);
    // Names that tie (case and accents fold together), so that the id decides between them.
    const lastNames = ['Smith', 'smith', 'Jones', 'Émond', 'emond', 'Zola', 'Adams'];
    for (let i = 0; i < 30; i += 1) {
      const user = await addUser(api, org, { firstName: `F${i % 4}`, lastName: lastNames[i % lastNames.length], spoc: i === 0 });
      userIds.push(user.id);
      last = Math.max(last, user.position);
      if (i === 0) spoc = await api.token({ email: user.email });
    }
    requester = await api.token({ sub: 'sub-paula', email: 'paula@example.org', name: 'Paula Pager' });
    const requesters = await Promise.all(['Ann', 'Bob', 'ann', 'Cy'].map((name, i) => api.token({ sub: `sub-${i}`, email: `r${i}@example.org`, name })));
    for (let i = 0; i < 33; i += 1) {
      const token = i % 3 === 0 ? requester : requesters[i % 4];
      const response = await api.http.post('/requests').set(bearer(token)).send({ organisationId: org.orgId, application: ['reporting', 'care-portal', 'Reporting'][i % 3] });
      if (response.status !== 201) throw new Error(`create: ${response.status} ${JSON.stringify(response.body)}`);
      requestIds.push(response.body.id);
      if (token === requester) mine.push(response.body.id);
      last = Math.max(last, response.body.position);
    }
  }, 60_000);
  afterAll(() => api.close());

  const get = (path: string, token: string) => api.http.get(path).set(bearer(token)).set('X-Min-Position', String(last));
  const join = (path: string, query: string) => `${path}${path.includes('?') ? '&' : '?'}${query}`;

  /** Follows nextCursor from the first page to the last; returns the ids page by page. */
  async function walk(path: string, token: string, pageSize: number): Promise<string[][]> {
    const pages: string[][] = [];
    let response = await get(join(path, `pageSize=${pageSize}`), token);
    for (;;) {
      expect(response.status).toBe(200);
      pages.push(response.body.items.map((item: { id: string }) => item.id));
      if (response.body.nextCursor === null) return pages;
      expect(pages.length).toBeLessThan(100);
      expect(response.body.page === null || pages.length === 1).toBe(true);
      response = await get(join(path, `pageSize=${pageSize}&after=${encodeURIComponent(response.body.nextCursor)}`), token);
    }
  }

  const expectProblem = (response: { status: number; headers: Record<string, string>; body: { type?: string } }, code: string) => {
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body.type).toBe(`urn:access-ledger:problem:${code}`);
  };

  describe('walking every page with nextCursor', () => {
    it.each([
      ['manage-users by last name', () => `/organisations/${org.orgId}/users?sort=lastName`, () => org.leadToken, () => userIds],
      ['manage-users, most recently updated first', () => `/organisations/${org.orgId}/users?sort=-updatedAt`, () => org.leadToken, () => userIds],
      ['the overview, most recently updated first', () => `/organisations/${org.orgId}/requests`, () => spoc, () => requestIds],
      ['the overview by requester', () => `/organisations/${org.orgId}/requests?sort=requester`, () => spoc, () => requestIds],
      ['the overview by application, descending, two statuses', () => `/organisations/${org.orgId}/requests?sort=-application&status=created,approval_requested`, () => spoc, () => requestIds],
      ['my own requests', () => '/requests?mine=true&sort=createdAt', () => requester, () => mine],
    ])('%s: no duplicates, no gaps, the order of one big page', async (_label, path, token, expected) => {
      const whole = await get(join(path(), 'pageSize=100'), token());
      expect(whole.status).toBe(200);
      expect(whole.body.nextCursor).toBeNull();
      const order: string[] = whole.body.items.map((item: { id: string }) => item.id);
      expect([...order].sort()).toEqual([...expected()].sort());
      for (const pageSize of [7, 1]) {
        const pages = await walk(path(), token(), pageSize);
        expect(pages.flat()).toEqual(order);
        expect(pages.slice(0, -1).every((p) => p.length === pageSize)).toBe(true);
      }
    });

    it('hands out a cursor on numbered pages too, which continues right after them', async () => {
      const path = `/organisations/${org.orgId}/users?sort=email`;
      const whole = (await get(join(path, 'pageSize=100'), org.leadToken)).body.items.map((u: { id: string }) => u.id);
      const third = await get(join(path, 'page=3&pageSize=5'), org.leadToken);
      expect(third.body).toMatchObject({ page: 3, pageSize: 5, total: 31, totalIsLowerBound: false });
      const next = await get(join(path, `pageSize=5&after=${third.body.nextCursor}`), org.leadToken);
      expect(next.body.page).toBeNull();
      expect(next.body.total).toBe(31);
      expect([...third.body.items, ...next.body.items].map((u: { id: string }) => u.id)).toEqual(whole.slice(10, 20));
    });
  });

  describe('a cursor that is not one this list handed out for this query', () => {
    let cursor: string;
    beforeAll(async () => {
      cursor = (await get(`/organisations/${org.orgId}/users?sort=lastName&pageSize=5`, org.leadToken)).body.nextCursor;
      expect(typeof cursor).toBe('string');
    });
    const users = (query: string, token = org.leadToken, orgId = org.orgId) => get(`/organisations/${orgId}/users?${query}`, token);

    it('is refused when tampered with', async () => {
      const flipped = cursor.slice(0, 10) + (cursor[10] === 'A' ? 'B' : 'A') + cursor.slice(11);
      expectProblem(await users(`sort=lastName&after=${flipped}`), 'invalid-cursor');
      const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString());
      const edited = Buffer.from(JSON.stringify({ ...decoded, v: ['aaa'] })).toString('base64url');
      expectProblem(await users(`sort=lastName&after=${edited}`), 'invalid-cursor');
      expectProblem(await users('sort=lastName&after=not-a-cursor'), 'invalid-cursor');
      expectProblem(await users('sort=lastName&after=%7B%7D'), 'invalid-cursor');
    });

    it('is refused with another sort, filter or search, on another organisation and on another list', async () => {
      expectProblem(await users(`sort=-lastName&after=${cursor}`), 'invalid-cursor');
      expectProblem(await users(`sort=lastName&status=active&after=${cursor}`), 'invalid-cursor');
      expectProblem(await users(`sort=lastName&q=sm&after=${cursor}`), 'invalid-cursor');
      expectProblem(await users(`sort=lastName&after=${cursor}`, auditor, other.orgId), 'invalid-cursor');
      expectProblem(await get(`/organisations/${org.orgId}/requests?after=${cursor}`, spoc), 'invalid-cursor');
      expectProblem(await get(`/requests?mine=true&after=${cursor}`, requester), 'invalid-cursor');
    });

    it('is refused beside a page number', async () => {
      expectProblem(await users(`sort=lastName&page=2&after=${cursor}`), 'page-and-after');
    });
  });

  describe('page numbers reach the first 10,000 rows', () => {
    it.each([
      ['manage-users', () => `/organisations/${org.orgId}/users`, () => org.leadToken],
      ['the overview', () => `/organisations/${org.orgId}/requests`, () => spoc],
      ['my own requests', () => '/requests?mine=true', () => requester],
    ])('%s: beyond them, a problem that says to use after', async (_label, path, token) => {
      const deepest = await get(join(path(), 'page=100&pageSize=100'), token());
      expect(deepest.status).toBe(200);
      expect(deepest.body.items).toEqual([]);
      for (const query of ['page=101&pageSize=100', 'page=401', 'page=100000&pageSize=1']) {
        const response = await get(join(path(), query), token());
        expectProblem(response, 'use-cursor');
        expect(response.body.detail).toMatch(/after/);
      }
    });
  });

  describe('totals of a search are counted up to 1,000', () => {
    let bulk: OrgFixture;
    const SEEDED = 10_050;

    beforeAll(async () => {
      // More rows than a test can write through the API in reasonable time: written straight into
      // the read models, under a checkpoint of their own (the live projections never touch these ids).
      bulk = await registerOrg(api, admin, 'Bulk Practice');
      const users: Change[] = Array.from({ length: SEEDED }, (_, i) => {
        const id = newId();
        const doc: ManagedUser = {
          id, organisationId: bulk.orgId, firstName: 'Bulk', lastName: `Bulkley${String(i).padStart(5, '0')}`, email: `bulk${i}@example.org`,
          clinician: false, permissionLevel: 'recorder', spoc: false, professional: false, status: 'active', account: { status: 'pending', detail: null, at: '2026-01-01T00:00:00.000Z' },
          createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z',
        };
        return { op: 'upsert', collection: manageUsersProjection.collection.name, id, doc, position: 1 };
      });
      const requests: Change[] = Array.from({ length: SEEDED }, (_, i) => {
        const id = newId();
        const at = new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString();
        const doc: OverviewRow = {
          id, organisationId: bulk.orgId, requester: { id: `bulk-${i}`, email: `bulk${i}@example.org`, name: null }, requesterId: `bulk-${i}`, requesterEmail: `bulk${i}@example.org`,
          requesterName: null, requesterLabel: `bulk${i}@example.org`, application: 'bulk-app', status: 'created', createdAt: at, updatedAt: at, completedAt: null, provisioning: null,
        };
        return { op: 'upsert', collection: spocOverviewProjection.collection.name, id, doc, position: 1 };
      });
      await api.reads.applyChanges('pagination_test_seed', [...users, ...requests], 0);
    }, 60_000);

    it('reports total: 1000 with totalIsLowerBound for a search with more matches, and exact totals up to that', async () => {
      const many = await get(`/organisations/${bulk.orgId}/users?q=bulk&pageSize=10`, bulk.leadToken);
      expect(many.status).toBe(200);
      expect(many.body).toMatchObject({ total: 1000, totalIsLowerBound: true, page: 1 });
      expect(many.body.items.map((u: { lastName: string }) => u.lastName)).toEqual(Array.from({ length: 10 }, (_, i) => `Bulkley${String(i).padStart(5, '0')}`));
      const few = await get(`/organisations/${bulk.orgId}/users?q=bulkley0000&pageSize=10`, bulk.leadToken);
      expect(few.body).toMatchObject({ total: 10, totalIsLowerBound: false });
      // Bulkley00000 … Bulkley00999: exactly as many as the bound, so still exact.
      const atTheBound = await get(`/organisations/${bulk.orgId}/users?q=bulkley00&pageSize=10`, bulk.leadToken);
      expect(atTheBound.body).toMatchObject({ total: 1000, totalIsLowerBound: false });
      const auditorToken = auditor;
      const overview = await get(`/organisations/${bulk.orgId}/requests?q=bulk-app&pageSize=10`, auditorToken);
      expect(overview.status).toBe(200);
      expect(overview.body).toMatchObject({ total: 1000, totalIsLowerBound: true });
      expect(overview.body.items).toHaveLength(10);
      const byRequester = await get(`/organisations/${bulk.orgId}/requests?q=bulk1&sort=requester&pageSize=10`, auditorToken);
      // bulk1, bulk10…bulk19, bulk100…bulk199, bulk1000…bulk1999, bulk10000…bulk10049: 1,161 requesters, by their label (the e-mail).
      const labels = Array.from({ length: SEEDED }, (_, i) => `bulk${i}@example.org`).filter((e) => e.startsWith('bulk1')).sort();
      expect(labels).toHaveLength(1161);
      expect(byRequester.body).toMatchObject({ total: 1000, totalIsLowerBound: true });
      expect(byRequester.body.items.map((r: { requester: { email: string } }) => r.requester.email)).toEqual(labels.slice(0, 10));
      // Without a search the totals come from the counters: exact, whatever their size.
      const plain = await get(`/organisations/${org.orgId}/users`, org.leadToken);
      expect(plain.body).toMatchObject({ total: 31, totalIsLowerBound: false });
    });

    it('serves such a search by cursor beyond its first page, and refuses its page numbers', async () => {
      const path = `/organisations/${bulk.orgId}/users?q=bulk&sort=lastName&pageSize=50`;
      const first = await get(path, bulk.leadToken);
      const second = await get(`${path}&after=${first.body.nextCursor}`, bulk.leadToken);
      expect(second.status).toBe(200);
      const names = [...first.body.items, ...second.body.items].map((u: { lastName: string }) => u.lastName);
      expect(names).toEqual(Array.from({ length: 100 }, (_, i) => `Bulkley${String(i).padStart(5, '0')}`));
      const response = await get(`${path}&page=2`, bulk.leadToken);
      expectProblem(response, 'use-cursor');
      expect(response.body.detail).toMatch(/after/);
    });
  });
});
