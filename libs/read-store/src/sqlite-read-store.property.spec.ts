import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CursorRequiredError, FindQuery, Keyset } from './read-store';
import { SqliteReadStore, searchKey } from './sqlite-read-store';

/** The SQLite read store answers every query exactly as a plain in-memory reference would. */
interface Row extends Record<string, unknown> {
  id: string;
  org: string;
  active: boolean;
  name: string;
  alias: string;
  rank: number;
}

const letters = fc.constantFrom('a', 'B', 'é', 'É', 'z', 'ß');
const row = fc.record({
  org: fc.constantFrom('o1', 'o2', 'o3'),
  active: fc.boolean(),
  name: fc.string({ unit: letters, minLength: 0, maxLength: 4 }),
  alias: fc.string({ unit: letters, minLength: 0, maxLength: 3 }),
  rank: fc.integer({ min: 0, max: 5 }),
});
const query = fc.record({
  org: fc.option(fc.constantFrom('o1', 'o2', 'o3'), { nil: undefined }),
  orgs: fc.option(fc.subarray(['o1', 'o2', 'o3']), { nil: undefined }),
  active: fc.option(fc.boolean(), { nil: undefined }),
  prefix: fc.option(fc.string({ unit: letters, maxLength: 2 }), { nil: undefined }),
  sort: fc.constantFrom('name', 'rank'),
  direction: fc.constantFrom('asc' as const, 'desc' as const),
  page: fc.integer({ min: 1, max: 4 }),
  pageSize: fc.integer({ min: 1, max: 7 }),
});

/** Fewer filters and non-empty prefixes: searches that match more than the tiny sort limit below. */
const broadQuery = fc.record({
  org: fc.option(fc.constantFrom('o1', 'o2', 'o3'), { nil: undefined, freq: 2 }),
  orgs: fc.option(fc.subarray(['o1', 'o2', 'o3'], { minLength: 2 }), { nil: undefined, freq: 2 }),
  active: fc.option(fc.boolean(), { nil: undefined, freq: 2 }),
  prefix: fc.option(fc.constantFrom('a', 'B', 'é', 'É', 'z', 'ß', 'ab'), { nil: undefined, freq: 4 }),
  sort: fc.constantFrom('name', 'rank'),
  direction: fc.constantFrom('asc' as const, 'desc' as const),
  page: fc.constant(1),
  pageSize: fc.integer({ min: 1, max: 7 }),
});

const compare = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);

type Query = typeof query extends fc.Arbitrary<infer T> ? T : never;

function reference(rows: Row[], q: Query) {
  const prefix = q.prefix ? searchKey(q.prefix)! : '';
  const matching = rows
    .filter((r) => q.org === undefined || r.org === q.org)
    .filter((r) => q.orgs === undefined || q.orgs.includes(r.org))
    .filter((r) => q.active === undefined || r.active === q.active)
    .filter((r) => prefix === '' || searchKey(r.name)!.startsWith(prefix) || searchKey(r.alias)!.startsWith(prefix));
  const key = (r: Row) => (q.sort === 'name' ? searchKey(r.name)! : r.rank);
  // Ties are broken by id in the direction of the sort.
  const sorted = [...matching].sort((a, b) => (q.direction === 'asc' ? compare(key(a), key(b)) || compare(a.id, b.id) : compare(key(b), key(a)) || compare(b.id, a.id)));
  return { total: matching.length, ids: sorted.slice((q.page - 1) * q.pageSize, q.page * q.pageSize).map((r) => r.id) };
}

describe('SqliteReadStore find (property)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'al-rs-prop-'));
  const store = new SqliteReadStore({ file: join(dir, 'read.db') });
  let n = 0;
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('filters, searches, sorts and pages like the reference', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(row, { maxLength: 30 }), query, async (data, q) => {
        const collection = `prop_${(n += 1)}`;
        await store.ensureCollection({ name: collection, fields: ['org', 'active', 'rank'], searchable: ['name', 'alias'], indexes: [['org', 'name']] });
        const rows: Row[] = data.map((d, i) => ({ id: `r${String(i).padStart(2, '0')}`, ...d }));
        await store.applyChanges(collection, rows.map((doc, i) => ({ op: 'upsert', collection, id: doc.id, doc, position: i + 1 })), rows.length);
        const where: FindQuery['where'] = {
          ...(q.org !== undefined ? { org: q.org } : {}),
          ...(q.active !== undefined ? { active: q.active } : {}),
        };
        const found = await store.find<Row>(collection, {
          where: q.orgs !== undefined ? { ...where, org: { in: q.orgs } } : where,
          search: q.prefix !== undefined ? { fields: ['name', 'alias'], prefix: q.prefix } : undefined,
          sort: [{ field: q.sort, direction: q.direction }],
          page: q.page,
          pageSize: q.pageSize,
        });
        // `in` replaces the equality on org when both are drawn: the reference sees the same.
        const expected = reference(rows, q.orgs !== undefined ? { ...q, org: undefined } : q);
        expect({ total: found.total, ids: found.items.map((r) => r.id) }).toEqual(expected);
        await store.dropCollection(collection);
      }),
      { numRuns: 200 },
    );
  });

  it.each([
    [0, 0],
    [5, 0],
    [0, 2],
    [5, 2],
  ])('walks to exactly the reference order via next, also when a broad search is answered a bounded stretch at a time (first try over %i rows, field by field up to %i matches)', async (searchWindowRows, searchFieldRows) => {
    // Tiny limits, so that small data takes every path: field by field (when on), the first try
    // over the first rows of the sort order (when on), sorted matches, and the walk along the
    // sort order with short (even empty) pages.
    const tiny = new SqliteReadStore({ file: join(dir, 'read.db'), searchSortLimit: 3, searchWalkRows: 4, searchWindowRows, searchFieldRows });
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(row, { minLength: 4, maxLength: 40, size: 'medium' }), broadQuery, async (data, q) => {
          const collection = `walk_${(n += 1)}`;
          await tiny.ensureCollection({ name: collection, fields: ['org', 'active', 'rank'], searchable: ['name', 'alias'], indexes: [['org', 'name']] });
          const rows: Row[] = data.map((d, i) => ({ id: `r${String(i).padStart(2, '0')}`, ...d }));
          await tiny.applyChanges(collection, rows.map((doc, i) => ({ op: 'upsert', collection, id: doc.id, doc, position: i + 1 })), rows.length);
          const where: FindQuery['where'] = {
            ...(q.orgs !== undefined ? { org: { in: q.orgs } } : q.org !== undefined ? { org: q.org } : {}),
            ...(q.active !== undefined ? { active: q.active } : {}),
          };
          const find: FindQuery = {
            where,
            search: q.prefix !== undefined ? { fields: ['name', 'alias'], prefix: q.prefix } : undefined,
            sort: [{ field: q.sort, direction: q.direction }],
            pageSize: q.pageSize,
          };
          const expected = reference(rows, { ...(q.orgs !== undefined ? { ...q, org: undefined } : q), page: 1, pageSize: rows.length || 1 });
          const seen: string[] = [];
          let after: Keyset | undefined;
          for (let guard = 0; guard <= rows.length + 1; guard += 1) {
            const page = await tiny.find<Row>(collection, { ...find, after, countLimit: 3 });
            expect(page.items.length).toBeLessThanOrEqual(q.pageSize);
            // Exact up to the bound, then the bound and a flag, on every page and every path.
            if (after === undefined) expect({ total: page.total, lower: page.totalIsLowerBound }).toEqual({ total: Math.min(expected.total, 3), lower: expected.total > 3 });
            seen.push(...page.items.map((r) => r.id));
            if (page.next === null) break;
            after = page.next;
          }
          expect(seen).toEqual(expected.ids);
          const broad = q.prefix !== undefined && searchKey(q.prefix) !== '' && expected.total > 3;
          const second = tiny.find<Row>(collection, { ...find, page: 2 });
          if (broad) await expect(second).rejects.toBeInstanceOf(CursorRequiredError);
          else await second;
          await tiny.dropCollection(collection);
        }),
        { numRuns: 200 },
      );
    } finally {
      await tiny.close();
    }
  });
});
