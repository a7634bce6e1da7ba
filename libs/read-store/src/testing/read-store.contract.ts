import { Change, CheckpointMovedError, CollectionSpec, InvalidQueryValueError, ReadStore } from '../read-store';

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
  });
}
