import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnyBulkWriteOperation, Document as MongoDocument } from 'mongodb';
import {
  CollectionRow,
  Stored,
  Target,
  backfillFields,
  backfillOperations,
  planBatch,
  promotedRow,
  retiredDue,
  transactionsUnsupported,
} from './mongodb-plan';
import { Change, CollectionSpec } from './read-store';
import { SqliteReadStore } from './sqlite-read-store';

/**
 * The MongoDB adapter's decisions without a server: what it writes for a batch given what its
 * transaction read, what it backfills, what a promote records. What MongoDB then does with
 * those writes is the contract suite's to show, against a server (MONGODB_URI).
 */
const people: CollectionSpec = { name: 'people', fields: ['org'], searchable: ['name'] };
const targets = new Map<string, Target>([
  ['people', { spec: people, physical: 'people-a1' }],
  ['counts', { spec: { name: 'counts', fields: [] }, physical: 'counts-b2' }],
]);
const upsert = (id: string, position: number, doc: Record<string, unknown> = { name: id }): Change => ({ op: 'upsert', collection: 'people', id, doc, position });
const stored = (entries: [string, number | null][]) => new Map([['people', new Map(entries)]]);
const kinds = (ops: AnyBulkWriteOperation<Stored>[] | undefined) => (ops ?? []).map((op) => Object.keys(op)[0]);

describe('planBatch', () => {
  it('writes a new document with its position and case-folded search keys, replacing it whole', () => {
    const plan = planBatch([upsert('p1', 7, { name: 'Émile', org: 'o1' })], targets, new Map());
    expect(plan.get('people-a1')).toEqual([
      { replaceOne: { filter: { _id: 'p1' }, replacement: { name: 'Émile', org: 'o1', _position: 7, _s: { name: 'émile' } }, upsert: true } },
    ]);
  });

  it('leaves out a change at or below the position the document has, keeps one above', () => {
    const plan = planBatch([upsert('p1', 5), upsert('p2', 4), upsert('p3', 9)], targets, stored([['p1', 5], ['p2', 6], ['p3', 8]]));
    expect((plan.get('people-a1') ?? []).map((op) => (op as { replaceOne: { filter: { _id: string } } }).replaceOne.filter._id)).toEqual(['p3']);
  });

  it('patches and deletes only a document that is there, patching its search key with the field', () => {
    const changes: Change[] = [
      { op: 'patch', collection: 'people', id: 'gone', set: { name: 'x' }, position: 3 },
      { op: 'delete', collection: 'people', id: 'gone', position: 3 },
      { op: 'patch', collection: 'people', id: 'p1', set: { name: 'ADA', org: undefined }, position: 3 },
    ];
    const plan = planBatch(changes, targets, stored([['p1', 1]]));
    expect(plan.get('people-a1')).toEqual([
      { updateOne: { filter: { _id: 'p1' }, update: { $set: { _position: 3, name: 'ADA', '_s.name': 'ada' }, $unset: { org: '' } } } },
    ]);
  });

  it('lets a later change of the batch see what an earlier one did, in order', () => {
    const changes: Change[] = [
      { op: 'delete', collection: 'people', id: 'p1', position: 4 },
      { op: 'patch', collection: 'people', id: 'p1', set: { name: 'y' }, position: 5 },
      upsert('p1', 2),
      { op: 'patch', collection: 'people', id: 'p1', set: { name: 'z' }, position: 2 },
      { op: 'patch', collection: 'people', id: 'p1', set: { name: 'w' }, position: 3 },
    ];
    // Deleted, so the patch has nothing to change; the delete left no trace, so an older upsert writes it again (as in SQLite).
    expect(kinds(planBatch(changes, targets, stored([['p1', 3]])).get('people-a1'))).toEqual(['deleteOne', 'replaceOne', 'updateOne']);
  });

  it('writes each read-store collection to the collection its row names, and refuses an unknown one or a reserved field before anything', () => {
    const plan = planBatch([upsert('p1', 1), { op: 'upsert', collection: 'counts', id: 'o1', doc: { n: 1 }, position: 1 }], targets, new Map());
    expect([...plan.keys()]).toEqual(['people-a1', 'counts-b2']);
    expect(() => planBatch([{ ...upsert('p1', 1), collection: 'nope' }], targets, new Map())).toThrow('Unknown collection nope');
    expect(() => planBatch([upsert('p1', 1, { _position: 1 })], targets, new Map())).toThrow('reserved');
    expect(() => planBatch([{ op: 'patch', collection: 'people', id: 'p1', set: { 'a.b': 1 }, position: 1 }], targets, stored([['p1', 0]]))).toThrow('Cannot patch');
  });

  /** The writes as MongoDB applies them to documents matched by `_id` (all the plan uses): enough to compare outcomes. */
  function apply(documents: Map<string, MongoDocument>, ops: AnyBulkWriteOperation<Stored>[]): void {
    for (const op of ops) {
      if ('replaceOne' in op) documents.set(op.replaceOne.filter._id as string, { ...op.replaceOne.replacement });
      else if ('deleteOne' in op) documents.delete(op.deleteOne.filter._id as string);
      else if ('updateOne' in op) {
        const id = op.updateOne.filter._id as string;
        const update = op.updateOne.update as { $set: MongoDocument; $unset?: MongoDocument };
        const doc: MongoDocument = { ...documents.get(id)!, _s: { ...(documents.get(id)!._s as MongoDocument) } };
        for (const [key, value] of Object.entries(update.$set)) {
          if (key.startsWith('_s.')) (doc._s as MongoDocument)[key.slice(3)] = value;
          else doc[key] = value;
        }
        for (const key of Object.keys(update.$unset ?? {})) delete doc[key];
        documents.set(id, doc);
      } else throw new Error(`unexpected ${Object.keys(op)[0]}`);
    }
  }

  it('ends, for any stored documents and any batch, with the documents the SQLite adapter ends with', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'al-mongo-plan-'));
    const sqlite = new SqliteReadStore({ file: join(dir, 'read.db') });
    let n = 0;
    const id = fc.constantFrom('a', 'b', 'c');
    const value = fc.constantFrom('Ada', 'émile', 'ZOLA', undefined);
    const change = fc.oneof(
      fc.record({ op: fc.constant('upsert' as const), id, position: fc.integer({ min: 1, max: 12 }), name: value, org: value }),
      fc.record({ op: fc.constant('patch' as const), id, position: fc.integer({ min: 1, max: 12 }), name: value, org: value }),
      fc.record({ op: fc.constant('delete' as const), id, position: fc.integer({ min: 1, max: 12 }) }),
    );
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(change, { maxLength: 6 }), fc.array(change, { minLength: 1, maxLength: 8 }), async (before, batch) => {
          const collection = `plan_${(n += 1)}`;
          const spec = { ...people, name: collection };
          const toChange = (c: (typeof before)[number]): Change =>
            c.op === 'delete'
              ? { op: 'delete', collection, id: c.id, position: c.position }
              : c.op === 'upsert'
                ? { op: 'upsert', collection, id: c.id, doc: { name: c.name, org: c.org }, position: c.position }
                : { op: 'patch', collection, id: c.id, set: { name: c.name, org: c.org }, position: c.position };
          await sqlite.ensureCollection(spec);
          const plannedTargets = new Map([[collection, { spec, physical: collection }]]);
          // The documents before the batch, in both: applied one change at a time.
          const mongo = new Map<string, MongoDocument>();
          for (const c of before.map(toChange)) {
            await sqlite.applyChanges(collection, [c], 0);
            const positions = new Map([...mongo].map(([key, doc]) => [key, doc._position as number]));
            apply(mongo, planBatch([c], plannedTargets, new Map([[collection, positions]])).get(collection) ?? []);
          }
          const positions = new Map([...mongo].map(([key, doc]) => [key, doc._position as number]));
          apply(mongo, planBatch(batch.map(toChange), plannedTargets, new Map([[collection, positions]])).get(collection) ?? []);
          await sqlite.applyChanges(collection, batch.map(toChange), 1);
          const fromSqlite = await sqlite.getMany(collection, ['a', 'b', 'c']);
          const plain = (doc: MongoDocument) => JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(doc).filter(([k]) => k !== '_position' && k !== '_s'))));
          expect(Object.fromEntries([...mongo].map(([key, doc]) => [key, plain(doc)]))).toEqual(Object.fromEntries(fromSqlite));
          // And every search key is the folded value of its field.
          for (const doc of mongo.values()) expect((doc._s as MongoDocument).name).toBe(typeof doc.name === 'string' ? doc.name.toLocaleLowerCase('en') : null);
          await sqlite.dropCollection(collection);
        }),
        { numRuns: 300 },
      );
    } finally {
      await sqlite.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('backfillFields', () => {
  const row = (searchable: string[], backfilling?: string[]): Pick<CollectionRow, 'spec' | 'backfilling'> => ({ spec: { ...people, searchable }, backfilling });

  it('fills the fields that became searchable since the stored spec, and those an interrupted start left half-filled', () => {
    expect(backfillFields(row(['name']), { ...people, searchable: ['name', 'email', 'city'] })).toEqual(['email', 'city']);
    expect(backfillFields(row(['name', 'email'], ['email']), { ...people, searchable: ['name', 'email'] })).toEqual(['email']);
  });

  it('fills nothing for an unchanged spec, a field no longer searchable, or a collection created now', () => {
    expect(backfillFields(row(['name']), people)).toEqual([]);
    expect(backfillFields(row(['name', 'email'], ['email']), people)).toEqual([]);
    expect(backfillFields(null, { ...people, searchable: ['name', 'email'] })).toEqual([]);
  });
});

describe('backfillOperations', () => {
  it('sets the folded keys of a document only while it is at the position it was read at', () => {
    const ops = backfillOperations([{ _id: 'p1', _position: 4, name: 'ÉMILE', city: 3 }, { _id: 'p2', name: 'Ada' }], ['name', 'city']);
    expect(ops).toEqual([
      { updateOne: { filter: { _id: 'p1', _position: 4 }, update: { $set: { '_s.name': 'émile', '_s.city': null } } } },
      { updateOne: { filter: { _id: 'p2', _position: null }, update: { $set: { '_s.name': 'ada', '_s.city': null } } } },
    ]);
  });
});

describe('promotedRow', () => {
  const at = new Date('2026-03-01T10:00:00Z');
  const rebuilt: CollectionRow = { _id: 'people__rebuild', spec: { ...people, name: 'people__rebuild' }, physical: 'people__rebuild-k2' };

  it("points the live name at the rebuilt collection, under the live name, and retires the live one's collection", () => {
    const live: CollectionRow = { _id: 'people', spec: people, physical: 'people-k1', retired: [{ physical: 'people-k0', at: new Date(0) }] };
    expect(promotedRow(rebuilt, live, 'people', at)).toEqual({
      _id: 'people',
      spec: { ...people, name: 'people' },
      physical: 'people__rebuild-k2',
      retired: [{ physical: 'people-k0', at: new Date(0) }, { physical: 'people-k1', at }],
    });
  });

  it('retires a collection from before rows named one (its own name), and nothing when there was no live collection', () => {
    expect(promotedRow(rebuilt, { _id: 'people', spec: people }, 'people', at).retired).toEqual([{ physical: 'people', at }]);
    expect(promotedRow(rebuilt, null, 'people', at).retired).toEqual([]);
  });

  it('keeps a backfill the rebuilt collection had not finished', () => {
    expect(promotedRow({ ...rebuilt, backfilling: ['name'] }, null, 'people', at).backfilling).toEqual(['name']);
  });
});

describe('retiredDue', () => {
  it('drops a replaced collection once its grace period is over, not before', () => {
    const retired = [{ physical: 'old', at: new Date(1_000) }, { physical: 'newer', at: new Date(5_000) }];
    expect(retiredDue(retired, new Date(60_999), 60_000)).toEqual([]);
    expect(retiredDue(retired, new Date(61_000), 60_000).map((r) => r.physical)).toEqual(['old']);
    expect(retiredDue(retired, new Date(5_000), 0).map((r) => r.physical)).toEqual(['old', 'newer']);
  });
});

describe('transactionsUnsupported', () => {
  it('refuses a standalone server with a line that says what to run instead', () => {
    const standalone = { isWritablePrimary: true, maxWireVersion: 21, ok: 1 };
    expect(transactionsUnsupported(standalone)).toMatch(/standalone.*replica set.*rs\.initiate\(\).*replicaSet=rs0/);
  });

  it('accepts a replica set member (one node is one) and mongos', () => {
    expect(transactionsUnsupported({ isWritablePrimary: true, setName: 'rs0', hosts: ['mongo:27017'], ok: 1 })).toBeNull();
    expect(transactionsUnsupported({ isWritablePrimary: true, msg: 'isdbgrid', ok: 1 })).toBeNull();
  });
});
