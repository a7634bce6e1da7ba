import { Change, CheckpointMovedError, CollectionReplacedError, CollectionSpec, FindQuery, InvalidKeysetError, InvalidQueryValueError, Keyset, ReadStore } from '../read-store';

export interface ReadStoreHarness {
  open(): Promise<ReadStore>;
  dispose?(): Promise<void>;
}

interface Person extends Record<string, unknown> {
  id: string;
  org: string;
  firstName: string;
  lastName: string;
  email: string;
  active: boolean;
  updatedAt: string;
}

const people: Person[] = [
  { id: 'p1', org: 'o1', firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.org', active: true, updatedAt: '2026-01-03' },
  { id: 'p2', org: 'o1', firstName: 'Émile', lastName: 'zola', email: 'emile@example.org', active: false, updatedAt: '2026-01-01' },
  { id: 'p3', org: 'o1', firstName: 'Grace', lastName: 'Hopper', email: 'grace@example.org', active: true, updatedAt: '2026-01-02' },
  { id: 'p4', org: 'o2', firstName: 'Alan', lastName: 'Turing', email: 'alan@example.org', active: true, updatedAt: '2026-01-04' },
  { id: 'p5', org: 'o1', firstName: 'Adele', lastName: 'Goldberg', email: 'zz@example.org', active: true, updatedAt: '2026-01-05' },
];

export function describeReadStoreContract(adapter: string, harness: ReadStoreHarness | null, skipReason?: string): void {
  const d = harness ? describe : describe.skip;
  if (!harness) {
    // eslint-disable-next-line no-console
    console.warn(`[contract] ${adapter} read store suite skipped: ${skipReason}`);
  }
  d(`ReadStore contract: ${adapter}`, () => {
    const run = `c${Math.random().toString(36).slice(2, 8)}`;
    let store: ReadStore;
    let n = 0;
    const spec = (): CollectionSpec => ({
      name: `${run}_people_${(n += 1)}`,
      fields: ['org', 'active', 'updatedAt', 'lastName', 'email'],
      searchable: ['firstName', 'lastName', 'email'],
      indexes: [['org', 'active', 'lastName'], ['org', 'updatedAt']],
    });
    const upserts = (collection: string, docs: Person[], position = 1): Change[] =>
      docs.map((doc, i) => ({ op: 'upsert', collection, id: doc.id, doc, position: position + i }));
    const seeded = async () => {
      const s = spec();
      await store.ensureCollection(s);
      await store.applyChanges(`${s.name}_projection`, upserts(s.name, people), people.length);
      return s.name;
    };

    beforeAll(async () => {
      store = await harness!.open();
    });
    afterAll(async () => {
      await store.close();
      await harness!.dispose?.();
    });

    it('stores documents with their checkpoint and reads them back by id', async () => {
      const s = spec();
      await store.ensureCollection(s);
      await store.ensureCollection(s);
      expect(await store.getCheckpoint('fresh-projection')).toBe(-1);
      await store.applyChanges('p', upserts(s.name, people.slice(0, 2)), 2);
      expect(await store.getCheckpoint('p')).toBe(2);
      expect(await store.get(s.name, 'p1')).toEqual(people[0]);
      expect(await store.get(s.name, 'nope')).toBeNull();
      const many = await store.getMany<Person>(s.name, ['p1', 'p2', 'missing']);
      expect([...many.keys()].sort()).toEqual(['p1', 'p2']);
      expect(await store.getMany(s.name, [])).toEqual(new Map());
    });

    it('reads many documents by id, named twice or missing among them, beyond what one statement asks for', async () => {
      const s = spec();
      await store.ensureCollection(s);
      const stored = Array.from({ length: 700 }, (_, i) => ({ ...people[0], id: `m${i}` }));
      await store.applyChanges('m', upserts(s.name, stored), 1);
      for (const count of [1, 2, 5, 17, 64, 300, 650]) {
        const ids = [...stored.slice(0, count).map((p) => p.id), 'missing', 'm0'];
        const many = await store.getMany<Person>(s.name, ids);
        expect([count, [...many.keys()].sort()]).toEqual([count, stored.slice(0, count).map((p) => p.id).sort()]);
        expect(many.get('m0')).toEqual(stored[0]);
      }
    });

    it('patches and deletes, and ignores a change at or below the position a document already has', async () => {
      const s = spec();
      await store.ensureCollection(s);
      await store.applyChanges('q', upserts(s.name, [people[0]], 10), 10);
      await store.applyChanges('q', [{ op: 'patch', collection: s.name, id: 'p1', set: { lastName: 'King' }, position: 11 }], 11);
      expect((await store.get<Person>(s.name, 'p1'))?.lastName).toBe('King');
      // Re-applying an older batch after a crash changes nothing.
      await store.applyChanges('q', upserts(s.name, [people[0]], 10), 11);
      await store.applyChanges('q', [{ op: 'patch', collection: s.name, id: 'p1', set: { lastName: 'Old' }, position: 11 }], 11);
      expect((await store.get<Person>(s.name, 'p1'))?.lastName).toBe('King');
      await store.applyChanges('q', [{ op: 'delete', collection: s.name, id: 'p1', position: 12 }], 12);
      expect(await store.get(s.name, 'p1')).toBeNull();
      expect(await store.getCheckpoint('q')).toBe(12);
    });

    it('filters by equality and in, sorts, and pages with a total', async () => {
      const name = await seeded();
      const active = await store.find<Person>(name, { where: { org: 'o1', active: true }, sort: [{ field: 'lastName', direction: 'asc' }] });
      expect(active.items.map((p) => p.id)).toEqual(['p5', 'p3', 'p1']);
      expect(active.total).toBe(3);
      const byDate = await store.find<Person>(name, { where: { org: { in: ['o1', 'o2'] } }, sort: [{ field: 'updatedAt', direction: 'desc' }], page: 2, pageSize: 2 });
      expect(byDate).toMatchObject({ total: 5, page: 2, pageSize: 2 });
      expect(byDate.items.map((p) => p.id)).toEqual(['p1', 'p3']);
      const uncounted = await store.find<Person>(name, { where: { org: 'o1' }, sort: [{ field: 'updatedAt', direction: 'asc' }], pageSize: 2, skipTotal: true });
      expect(uncounted).toMatchObject({ total: -1, items: [{ id: 'p2' }, { id: 'p3' }] });
      const none = await store.find(name, { where: { org: { in: [] } } });
      expect(none.total).toBe(0);
    });

    it('sorts searchable text case-insensitively', async () => {
      const name = await seeded();
      const page = await store.find<Person>(name, { where: { org: 'o1' }, sort: [{ field: 'lastName', direction: 'desc' }] });
      expect(page.items.map((p) => p.lastName)).toEqual(['zola', 'Lovelace', 'Hopper', 'Goldberg']);
    });

    it('searches a case-insensitive prefix over several fields, including non-ASCII letters', async () => {
      const name = await seeded();
      const ad = await store.find<Person>(name, { search: { fields: ['firstName', 'lastName', 'email'], prefix: 'AD' }, sort: [{ field: 'email', direction: 'asc' }] });
      expect(ad.items.map((p) => p.id)).toEqual(['p1', 'p5']);
      const e = await store.find<Person>(name, { search: { fields: ['firstName'], prefix: 'émi' } });
      expect(e.items.map((p) => p.id)).toEqual(['p2']);
      const zz = await store.find<Person>(name, { where: { org: 'o1' }, search: { fields: ['lastName', 'email'], prefix: 'Z' } });
      expect(zz.items.map((p) => p.id).sort()).toEqual(['p2', 'p5']);
      const literal = await store.find<Person>(name, { search: { fields: ['email'], prefix: '.*' } });
      expect(literal.total).toBe(0);
    });

    it('refuses a batch, writing nothing, when the checkpoint moved under the writer', async () => {
      const s = spec();
      await store.ensureCollection(s);
      await store.applyChanges('moved', upserts(s.name, [people[0]], 1), 1, { expectedCheckpoint: -1 });
      await expect(
        store.applyChanges('moved', upserts(s.name, [people[1]], 2), 2, { expectedCheckpoint: 0 }),
      ).rejects.toBeInstanceOf(CheckpointMovedError);
      expect(await store.get(s.name, 'p2')).toBeNull();
      expect(await store.getCheckpoint('moved')).toBe(1);
      await store.applyChanges('moved', upserts(s.name, [people[1]], 2), 2, { expectedCheckpoint: 1 });
      expect(await store.getCheckpoint('moved')).toBe(2);
    });

    it('matches null in an in-list as null or missing, in items and total alike', async () => {
      const s = spec();
      await store.ensureCollection(s);
      const docs = [people[0], { ...people[1], org: null }, (({ org: _org, ...rest }) => rest)(people[2]), people[3]] as Person[];
      await store.applyChanges(`${s.name}_p`, upserts(s.name, docs), docs.length);
      for (const sort of [undefined, [{ field: 'updatedAt', direction: 'asc' as const }]]) {
        const page = await store.find<Person>(s.name, { where: { org: { in: ['o1', null] } }, sort, pageSize: 10 });
        expect(page.total).toBe(3);
        expect(page.items.map((p) => p.id).sort()).toEqual(['p1', 'p2', 'p3']);
      }
    });

    it('refuses, as a programming error and without querying, a condition that is neither a value nor { in: values }, and an id that is not a string', async () => {
      const name = await seeded();
      const wrong: unknown[] = [{ $ne: null }, { in: ['o1'], $ne: null }, ['o1'], { in: 'o1' }, { in: [{ $gt: '' }] }, { in: [['o1']] }, new Date(0), Number.NaN, () => 'o1'];
      for (const condition of wrong) {
        await expect(store.find(name, { where: { org: condition as never } })).rejects.toThrow(InvalidQueryValueError);
        await expect(store.find(name, { where: { org: condition as never }, search: { fields: ['email'], prefix: 'a' } })).rejects.toThrow(InvalidQueryValueError);
        await expect(store.countBy(name, 'active', { org: condition as never })).rejects.toThrow(InvalidQueryValueError);
      }
      for (const id of [{ $ne: null }, ['p1'], 1]) {
        await expect(store.get(name, id as never)).rejects.toThrow(InvalidQueryValueError);
        await expect(store.getMany(name, ['p1', id as never])).rejects.toThrow(InvalidQueryValueError);
      }
      // What our code builds still works, in every form.
      expect((await store.find(name, { where: { org: { in: ['o1', null] }, active: true } })).total).toBe(3);
      expect((await store.find(name, { where: { org: 'o2' }, sort: [{ field: 'lastName', direction: 'asc' }] })).total).toBe(1);
    });

    it('counts documents per value of a field', async () => {
      const name = await seeded();
      expect(await store.countBy(name, 'active', { org: 'o1' })).toEqual({ true: 3, false: 1 });
    });

    describe('keyset paging (after)', () => {
      // Ties on every sort key (so the id decides), case variants, a missing and a null name.
      const crowd = (): Person[] =>
        Array.from({ length: 23 }, (_, i) => ({
          id: `k${String((i * 7) % 23).padStart(2, '0')}`,
          org: i % 4 === 3 ? 'o2' : 'o1',
          firstName: ['Ada', 'ada', 'Émile', 'Grace'][i % 4],
          lastName: [null, 'smith', 'Smith', 'Jones', 'Émond', undefined][i % 6] as string,
          email: `p${i}@example.org`,
          active: i % 3 !== 0,
          updatedAt: `2026-01-0${1 + (i % 3)}`,
        }));
      const crowded = async () => {
        const s = spec();
        await store.ensureCollection(s);
        const docs = crowd().map((p) => JSON.parse(JSON.stringify(p)) as Person);
        await store.applyChanges(`${s.name}_p`, upserts(s.name, docs), docs.length);
        return s.name;
      };
      const walk = async (name: string, query: FindQuery, pageSize: number) => {
        const pages: string[][] = [];
        let after: Keyset | undefined;
        for (let guard = 0; guard < 100; guard += 1) {
          const page = await store.find<Person>(name, { ...query, pageSize, after });
          pages.push(page.items.map((p) => p.id));
          if (page.next === null) return pages;
          after = page.next;
        }
        throw new Error('next never became null');
      };
      const queries: [string, FindQuery][] = [
        ['lastName ascending', { where: { org: 'o1' }, sort: [{ field: 'lastName', direction: 'asc' }] }],
        ['lastName descending', { where: { org: 'o1' }, sort: [{ field: 'lastName', direction: 'desc' }] }],
        ['updatedAt descending over an in-list', { where: { org: { in: ['o1', 'o2'] } }, sort: [{ field: 'updatedAt', direction: 'desc' }] }],
        ['two keys, updatedAt then lastName', { sort: [{ field: 'updatedAt', direction: 'asc' }, { field: 'lastName', direction: 'asc' }] }],
        ['a search prefix, by email', { search: { fields: ['firstName', 'lastName'], prefix: 'SM' }, sort: [{ field: 'email', direction: 'asc' }] }],
        ['a search prefix, lastName descending', { where: { active: true }, search: { fields: ['firstName', 'lastName'], prefix: 'a' }, sort: [{ field: 'lastName', direction: 'desc' }] }],
        ['no sort (by id)', { where: { org: 'o1' } }],
      ];

      it.each(queries)('pages via next concatenate to exactly the full sorted list: %s', async (_label, query) => {
        const name = await crowded();
        const full = (await store.find<Person>(name, { ...query, pageSize: 1000 })).items.map((p) => p.id);
        expect(full.length).toBeGreaterThan(2);
        for (const pageSize of [1, 2, 5]) {
          const pages = await walk(name, query, pageSize);
          expect(pages.flat()).toEqual(full);
          // Full pages, except the last.
          expect(pages.slice(0, -1).every((p) => p.length === pageSize)).toBe(true);
        }
      });

      it('answers next: null on the last page, also when it is exactly full', async () => {
        const name = await crowded();
        const all = await store.find<Person>(name, { pageSize: 23 });
        expect(all.items).toHaveLength(23);
        expect(all.next).toBeNull();
        const first = await store.find<Person>(name, { pageSize: 22 });
        expect(first.next).not.toBeNull();
        const rest = await store.find<Person>(name, { pageSize: 22, after: first.next! });
        expect(rest.items.map((p) => p.id)).toEqual([all.items[22].id]);
        expect(rest.next).toBeNull();
      });

      it('gives page-number pages a next that continues where they end', async () => {
        const name = await crowded();
        const query: FindQuery = { sort: [{ field: 'lastName', direction: 'asc' }] };
        const full = (await store.find<Person>(name, { ...query, pageSize: 1000 })).items.map((p) => p.id);
        const second = await store.find<Person>(name, { ...query, page: 2, pageSize: 4 });
        const after = await store.find<Person>(name, { ...query, pageSize: 4, after: second.next! });
        expect([...second.items, ...after.items].map((p) => p.id)).toEqual(full.slice(4, 12));
      });

      it('refuses an after that does not fit the query, or comes with a page number', async () => {
        const name = await crowded();
        const sort = [{ field: 'lastName', direction: 'asc' as const }];
        const { next } = await store.find<Person>(name, { sort, pageSize: 2 });
        await expect(store.find(name, { sort: [...sort, { field: 'email', direction: 'asc' }], after: next! })).rejects.toBeInstanceOf(InvalidKeysetError);
        await expect(store.find(name, { sort, after: next!, page: 2 })).rejects.toBeInstanceOf(InvalidKeysetError);
        await expect(store.find(name, { sort, after: { values: [{}] as never, id: 'x' } })).rejects.toBeInstanceOf(InvalidKeysetError);
      });
    });

    it('counts up to countLimit and says when the total is a lower bound', async () => {
      const name = await seeded();
      const search = { fields: ['firstName', 'lastName', 'email'], prefix: 'a' };
      expect(await store.find(name, { where: { org: 'o1' }, countLimit: 2 })).toMatchObject({ total: 2, totalIsLowerBound: true });
      expect(await store.find(name, { where: { org: 'o1' }, countLimit: 4 })).toMatchObject({ total: 4, totalIsLowerBound: false });
      expect(await store.find(name, { search, countLimit: 2 })).toMatchObject({ total: 2, totalIsLowerBound: true });
      expect(await store.find(name, { search, countLimit: 3 })).toMatchObject({ total: 3, totalIsLowerBound: false });
      expect(await store.find(name, { search })).toMatchObject({ total: 3, totalIsLowerBound: false });
    });

    it('a broad search: exact total up to countLimit, then the bound as a lower bound; pages full and in order, by cursor to the end', async () => {
      const s = spec();
      await store.ensureCollection(s);
      // 40 people, 30 of whom match "mar" (by first name, last name or e-mail), in no particular order of names.
      const crowd: Person[] = Array.from({ length: 40 }, (_, i) => ({
        id: `m${String((i * 17) % 40).padStart(2, '0')}`,
        org: 'o1',
        firstName: i % 4 === 0 ? 'Zoe' : i % 4 === 1 ? 'Mary' : 'Ann',
        lastName: i % 4 === 2 ? `Marsh${i}` : `Lee${i}`,
        email: i % 4 === 3 ? `mark${i}@example.org` : `x${i}@example.org`,
        active: true,
        updatedAt: `2026-01-${String(1 + (i % 28)).padStart(2, '0')}`,
      }));
      await store.applyChanges(`${s.name}_projection`, upserts(s.name, crowd), crowd.length);
      const search = { fields: ['firstName', 'lastName', 'email'], prefix: 'MAR' };
      const sort = [{ field: 'lastName', direction: 'desc' as const }];
      const expected = crowd
        .filter((p) => p.firstName !== 'Zoe')
        .sort((a, b) => (a.lastName.toLowerCase() < b.lastName.toLowerCase() ? 1 : a.lastName.toLowerCase() > b.lastName.toLowerCase() ? -1 : a.id < b.id ? 1 : -1))
        .map((p) => p.id);
      expect(expected).toHaveLength(30);
      const first = await store.find<Person>(s.name, { where: { org: 'o1' }, search, sort, pageSize: 4, countLimit: 10 });
      expect(first).toMatchObject({ total: 10, totalIsLowerBound: true });
      expect(first.items.map((p) => p.id)).toEqual(expected.slice(0, 4));
      expect(await store.find(s.name, { where: { org: 'o1' }, search, sort, pageSize: 4, countLimit: 30 })).toMatchObject({ total: 30, totalIsLowerBound: false });
      expect(await store.find(s.name, { where: { org: 'o1' }, search, sort, pageSize: 4, countLimit: 29 })).toMatchObject({ total: 29, totalIsLowerBound: true });
      expect(await store.find(s.name, { search, sort, pageSize: 4, skipTotal: true })).toMatchObject({ total: -1, totalIsLowerBound: false });
      const seen: string[] = [];
      let after: Keyset | undefined;
      for (let guard = 0; guard < 20; guard += 1) {
        const page = await store.find<Person>(s.name, { where: { org: 'o1' }, search, sort, pageSize: 4, after, countLimit: 10 });
        seen.push(...page.items.map((p) => p.id));
        if (!page.next) break;
        after = page.next;
      }
      expect(seen).toEqual(expected);
      expect((await store.find<Person>(s.name, { where: { org: 'o1' }, search, sort, page: 3, pageSize: 4 })).items.map((p) => p.id)).toEqual(expected.slice(8, 12));
    });

    it('promotes a rebuilt collection and its checkpoint in place of the live one', async () => {
      const live = spec();
      const rebuilt = spec();
      await store.ensureCollection(live);
      await store.ensureCollection(rebuilt);
      await store.applyChanges('live', upserts(live.name, [people[0]]), 1);
      await store.applyChanges('live_rebuild', upserts(rebuilt.name, people), 40);
      await store.promote({ from: rebuilt.name, to: live.name, fromProjection: 'live_rebuild', toProjection: 'live' });
      expect((await store.find(live.name)).total).toBe(people.length);
      expect(await store.getCheckpoint('live')).toBe(40);
      expect(await store.getCheckpoint('live_rebuild')).toBe(-1);
      await store.ensureCollection(live);
      const page = await store.find<Person>(live.name, { where: { org: 'o1', active: true }, sort: [{ field: 'lastName', direction: 'asc' }] });
      expect(page.items.map((p) => p.id)).toEqual(['p5', 'p3', 'p1']);
    });

    describe('a promote beside a live runner and readers', () => {
      /** A live collection at checkpoint `liveCheckpoint` holding every person, and its rebuild at 1000 that no longer holds p2 (a delete leaves no tombstone). */
      const liveAndRebuild = async (liveCheckpoint = 5) => {
        const live = spec();
        const rebuilt = spec();
        const names = { live: `${live.name}_projection`, rebuilt: `${live.name}_projection__rebuild` };
        await store.ensureCollection(live);
        await store.ensureCollection(rebuilt);
        await store.applyChanges(names.live, upserts(live.name, people), liveCheckpoint);
        await store.applyChanges(names.rebuilt, upserts(rebuilt.name, people.filter((p) => p.id !== 'p2')), 1000);
        const promote = () => store.promote({ from: rebuilt.name, to: live.name, fromProjection: names.rebuilt, toProjection: names.live });
        return { live: live.name, names, promote };
      };

      it('applies nothing of a batch whose checkpoint the promote moved, also when the promote lands while the batch is being written', async () => {
        for (let round = 0; round < 5; round += 1) {
          const { live, names, promote } = await liveAndRebuild();
          // The live runner writes batch after batch (each touching p2, which the rebuild deleted, and a new document) until one is refused.
          const runner = (async () => {
            let checkpoint = 5;
            for (let k = 0; k < 10_000; k += 1) {
              const position = 2000 + k;
              const changes: Change[] = [
                { op: 'upsert', collection: live, id: 'p2', doc: { ...people[1], lastName: `live${k}` }, position },
                { op: 'upsert', collection: live, id: `live${k}`, doc: { ...people[0], id: `live${k}` }, position },
              ];
              try {
                await store.applyChanges(names.live, changes, position, { expectedCheckpoint: checkpoint });
              } catch (error) {
                if (error instanceof CheckpointMovedError) return error.actual;
                throw error;
              }
              checkpoint = position;
            }
            throw new Error('the promote never moved the checkpoint');
          })();
          await store.applyChanges(`${names.live}_other`, [], 1); // lets the runner's first batches start
          await promote();
          expect(await runner).toBe(1000);
          // Exactly the rebuild: nothing the runner wrote under its former checkpoint, in the old collection or the promoted one.
          const page = await store.find<Person>(live, { pageSize: 100 });
          expect(page.items.map((p) => p.id)).toEqual(['p1', 'p3', 'p4', 'p5']);
          expect(await store.get(live, 'p2')).toBeNull();
          expect(await store.getCheckpoint(names.live)).toBe(1000);
        }
        // On a server, the promote may have to start again a few times while batches keep taking the checkpoint.
      }, 120_000);

      it('refuses a batch built on documents read before a promote whose checkpoint equals the live one', async () => {
        // Both caught up to the same head: the live collection still holds p2, the rebuild (from a corrected projection) does not.
        const { live: liveName, names, promote } = await liveAndRebuild(1000);
        const live = { name: liveName };
        // The live runner reads what its next batch builds on ...
        const generation = await store.generation(live.name);
        const current = await store.getMany<Person>(live.name, ['p2']);
        expect(current.get('p2')?.lastName).toBe('zola');
        // ... a promote lands ...
        await promote();
        expect(await store.getCheckpoint(names.live)).toBe(1000);
        // ... and the batch, built on the replaced collection's p2, would bring it back: refused, nothing applied.
        const batch: Change[] = [
          { op: 'upsert', collection: live.name, id: 'p2', doc: { ...current.get('p2')!, active: true }, position: 1001 },
          { op: 'upsert', collection: live.name, id: 'p6', doc: { ...people[0], id: 'p6' }, position: 1001 },
        ];
        const refused = store.applyChanges(names.live, batch, 1001, { expectedCheckpoint: 1000, expectedGenerations: { [live.name]: generation } });
        await expect(refused).rejects.toBeInstanceOf(CollectionReplacedError);
        await expect(refused).rejects.toBeInstanceOf(CheckpointMovedError);
        expect(await store.get(live.name, 'p2')).toBeNull();
        expect(await store.get(live.name, 'p6')).toBeNull();
        expect(await store.getCheckpoint(names.live)).toBe(1000);
        // Read again from the promoted collection, the same batch goes through.
        const again = await store.generation(live.name);
        await store.applyChanges(names.live, batch.slice(1), 1001, { expectedCheckpoint: 1000, expectedGenerations: { [live.name]: again } });
        expect(await store.get(live.name, 'p6')).not.toBeNull();
        expect(await store.getCheckpoint(names.live)).toBe(1001);
      });

      it("keeps a collection's generation through writes and ensureCollection, and moves it to a new one at each promote", async () => {
        const live = spec();
        await store.ensureCollection(live);
        const first = await store.generation(live.name);
        await store.applyChanges(`${live.name}_projection`, upserts(live.name, people), 5);
        await store.ensureCollection(live);
        expect(await store.generation(live.name)).toBe(first);
        const seen = [first];
        for (let round = 0; round < 3; round += 1) {
          // Each rebuild starts from a fresh collection of the same name, as the rebuild does.
          const rebuilt = { ...spec(), name: `${live.name}__rebuild` };
          await store.dropCollection(rebuilt.name);
          await store.ensureCollection(rebuilt);
          await store.applyChanges(`${live.name}_projection__rebuild`, upserts(rebuilt.name, people), 10 + round);
          await store.promote({ from: rebuilt.name, to: live.name, fromProjection: `${live.name}_projection__rebuild`, toProjection: `${live.name}_projection` });
          const now = await store.generation(live.name);
          expect(seen).not.toContain(now);
          seen.push(now);
          // A restart's ensureCollection keeps it (an earlier generation coming back would let a stale batch through).
          await store.ensureCollection({ ...live });
          expect(await store.generation(live.name)).toBe(now);
        }
      });

      it('lets reads in flight during a promote see the old collection or the new one, whole, and never fail', async () => {
        const live = spec();
        const rebuilt = spec();
        await store.ensureCollection(live);
        await store.ensureCollection(rebuilt);
        // More documents than one statement or one cursor batch returns, so that a read takes several round trips.
        const generation = (gen: string, count: number, collection: string): Change[] =>
          Array.from({ length: count }, (_, i) => ({ op: 'upsert', collection, id: `g${String(i).padStart(4, '0')}`, doc: { ...people[i % people.length], id: `g${i}`, gen }, position: i + 1 }));
        await store.applyChanges(`${live.name}_p`, generation('old', 1500, live.name), 1500);
        await store.applyChanges(`${live.name}_p__rebuild`, generation('new', 1200, rebuilt.name), 1200);
        const ids = Array.from({ length: 1500 }, (_, i) => `g${String(i).padStart(4, '0')}`);
        const expected = { old: 1500, new: 1200 } as Record<string, number>;
        const seen: string[] = [];
        let promoted = false;
        const reader = async () => {
          // Until the promote is done, then once more.
          for (let reads = 0, after = 0; after < 2 && reads < 10_000; reads += 1, after += promoted ? 1 : 0) {
            const page = await store.find<Person & { gen: string }>(live.name, { sort: [{ field: 'updatedAt', direction: 'asc' }], pageSize: 2000 });
            const gens = new Set(page.items.map((p) => p.gen));
            expect(gens.size).toBe(1);
            const [gen] = [...gens];
            expect([page.total, page.items.length]).toEqual([expected[gen], expected[gen]]);
            const many = await store.getMany<Person & { gen: string }>(live.name, ids);
            const manyGens = new Set([...many.values()].map((p) => p.gen));
            expect(manyGens.size).toBe(1);
            const [manyGen] = [...manyGens];
            expect(many.size).toBe(expected[manyGen]);
            seen.push(gen, manyGen);
          }
        };
        const readers = [reader(), reader(), reader()];
        await store.getCheckpoint(`${live.name}_p`); // lets the readers start
        await store.promote({ from: rebuilt.name, to: live.name, fromProjection: `${live.name}_p__rebuild`, toProjection: `${live.name}_p` });
        promoted = true;
        await Promise.all(readers);
        expect(seen[seen.length - 1]).toBe('new');
        expect((await store.find(live.name)).total).toBe(1200);
      });
    });

    it('backfills a field that becomes searchable on a collection that already holds documents', async () => {
      const s = spec();
      const before: CollectionSpec = { ...s, searchable: ['email'] };
      await store.ensureCollection(before);
      await store.applyChanges(`${s.name}_p`, upserts(s.name, people), people.length);
      // The next version of the read model searches and sorts by names too.
      await store.ensureCollection(s);
      const z = await store.find<Person>(s.name, { search: { fields: ['lastName'], prefix: 'Z' } });
      expect(z.items.map((p) => p.id)).toEqual(['p2']);
      const ad = await store.find<Person>(s.name, { search: { fields: ['firstName'], prefix: 'ad' }, sort: [{ field: 'firstName', direction: 'asc' }] });
      expect(ad.items.map((p) => p.id)).toEqual(['p1', 'p5']);
      const byName = await store.find<Person>(s.name, { sort: [{ field: 'lastName', direction: 'asc' }] });
      expect(byName.items.map((p) => p.lastName)).toEqual(['Goldberg', 'Hopper', 'Lovelace', 'Turing', 'zola']);
      // Documents written afterwards are found alongside, and the change is kept at the next start.
      await store.applyChanges(`${s.name}_p`, upserts(s.name, [{ ...people[0], id: 'p6', firstName: 'Adrian', lastName: 'Young' }], 6), 6);
      await store.ensureCollection(s);
      const again = await store.find<Person>(s.name, { search: { fields: ['firstName'], prefix: 'AD' }, sort: [{ field: 'lastName', direction: 'desc' }] });
      expect(again.items.map((p) => p.id)).toEqual(['p6', 'p1', 'p5']);
    });

    it('backfills every document of a larger collection, read and written a chunk at a time', async () => {
      const s = spec();
      await store.ensureCollection({ ...s, searchable: [] });
      const docs = Array.from({ length: 2345 }, (_, i) => ({ ...people[(i + 1) % people.length], id: `b${i}` }));
      await store.applyChanges(`${s.name}_p`, upserts(s.name, docs), docs.length);
      await store.ensureCollection(s);
      const ad = await store.find<Person>(s.name, { search: { fields: ['firstName'], prefix: 'Ad' }, pageSize: 1 });
      expect(ad.total).toBe(docs.filter((p) => p.firstName.startsWith('Ad')).length);
      const first = await store.find<Person>(s.name, { sort: [{ field: 'firstName', direction: 'asc' }], pageSize: 1 });
      expect(first.items[0].firstName).toBe('Ada');
    });
  });
}
