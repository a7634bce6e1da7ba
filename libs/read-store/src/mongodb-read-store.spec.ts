import { MongoClient } from 'mongodb';
import { MongoReadStore, MongoReadStoreOptions } from './mongodb-read-store';
import { CollectionSpec } from './read-store';
import { describeReadStoreContract } from './testing/read-store.contract';

/**
 * Runs the read-store contract against a MongoDB server when MONGODB_URI is set; the server
 * must be a replica set (one node will do) or a sharded cluster, which the adapter needs for
 * its transactions. The database is MONGODB_DB when given (used as is and left in place, so
 * point it at a disposable database: the contract uses fixed checkpoint names), otherwise a
 * unique throw-away database dropped after the suite.
 */
const uri = process.env.MONGODB_URI;
const givenDb = process.env.MONGODB_DB;
const dbName = givenDb || `access_ledger_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
// Fail with the driver's own error rather than jest's 30 s timeout when the server is unreachable.
const clientOptions = { serverSelectionTimeoutMS: 10_000 };
const skipReason =
  'MONGODB_URI is not set (e.g. MONGODB_URI=mongodb://localhost:27017/?replicaSet=rs0 to run it, a replica set; MONGODB_DB picks the database, default a throw-away one)';

const dropDatabase = async () => {
  const client = new MongoClient(uri!, clientOptions);
  try {
    await client.db(dbName).dropDatabase();
  } finally {
    await client.close();
  }
};

describeReadStoreContract(
  'mongodb',
  uri ? { open: async () => MongoReadStore.connect({ uri, dbName, clientOptions }), ...(givenDb ? {} : { dispose: dropDatabase }) } : null,
  skipReason,
);

/** What only the MongoDB adapter has: collections that promotes replace, and several processes each looking collections up. */
(uri ? describe : describe.skip)('MongoReadStore against a server', () => {
  const run = `m${Math.random().toString(36).slice(2, 8)}`;
  let n = 0;
  const spec = (): CollectionSpec => ({ name: `${run}_c${(n += 1)}`, fields: ['org'], searchable: ['name'] });
  const open = (options: Partial<MongoReadStoreOptions> = {}) => MongoReadStore.connect({ uri: uri!, dbName, clientOptions, ...options });
  let inspector: MongoClient;
  const collectionNames = async () => (await inspector.db(dbName).listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);

  beforeAll(async () => {
    inspector = await new MongoClient(uri!, clientOptions).connect();
  });
  afterAll(async () => {
    await inspector.close();
    if (!givenDb) await dropDatabase();
  });

  /** A live collection and its rebuild, promoted by `promoter`; returns the live collection's MongoDB collection before the promote. */
  const promoted = async (promoter: MongoReadStore) => {
    const live = spec();
    const rebuilt = { ...spec() };
    await promoter.ensureCollection(live);
    await promoter.ensureCollection(rebuilt);
    const before = (await collectionNames()).filter((name) => name.startsWith(`${live.name}-`));
    await promoter.applyChanges(`${live.name}_p`, [{ op: 'upsert', collection: live.name, id: 'x', doc: { gen: 'old' }, position: 1 }], 1);
    await promoter.applyChanges(`${live.name}_r`, [{ op: 'upsert', collection: rebuilt.name, id: 'x', doc: { gen: 'new' }, position: 1 }], 1);
    await promoter.promote({ from: rebuilt.name, to: live.name, fromProjection: `${live.name}_r`, toProjection: `${live.name}_p` });
    return { live: live.name, before };
  };

  it('keeps the collection a promote replaced for the grace period, for the reads still on it, and drops it after', async () => {
    const keeping = await open({ retiredGraceMs: 3_600_000 });
    const dropping = await open({ retiredGraceMs: 0 });
    try {
      const kept = await promoted(keeping);
      expect(kept.before).toHaveLength(1);
      expect(await collectionNames()).toContain(kept.before[0]);
      const dropped = await promoted(dropping);
      expect(await collectionNames()).not.toContain(dropped.before[0]);
      expect(await dropping.get(dropped.live, 'x')).toEqual({ gen: 'new' });
    } finally {
      await keeping.close();
      await dropping.close();
    }
  });

  it('reads what a promote in another process (the rebuild) put in place, from the next read on', async () => {
    const reader = await open();
    const rebuilder = await open();
    try {
      const live = spec();
      const rebuilt = spec();
      await reader.ensureCollection(live);
      await reader.applyChanges(`${live.name}_p`, [{ op: 'upsert', collection: live.name, id: 'x', doc: { gen: 'old', name: 'Ada' }, position: 1 }], 1);
      expect(await reader.get(live.name, 'x')).toEqual({ gen: 'old', name: 'Ada' });
      await rebuilder.ensureCollection(rebuilt);
      await rebuilder.applyChanges(`${live.name}_r`, [{ op: 'upsert', collection: rebuilt.name, id: 'x', doc: { gen: 'new', name: 'Ada' }, position: 1 }], 1);
      await rebuilder.promote({ from: rebuilt.name, to: live.name, fromProjection: `${live.name}_r`, toProjection: `${live.name}_p` });
      expect(await reader.get(live.name, 'x')).toEqual({ gen: 'new', name: 'Ada' });
      expect((await reader.find(live.name, { search: { fields: ['name'], prefix: 'ad' } })).items).toEqual([{ gen: 'new', name: 'Ada' }]);
      await expect(reader.get(rebuilt.name, 'x')).rejects.toThrow(`Unknown collection ${rebuilt.name}`);
    } finally {
      await reader.close();
      await rebuilder.close();
    }
  });
});
