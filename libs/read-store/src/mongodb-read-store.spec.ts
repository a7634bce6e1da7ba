import { MongoClient } from 'mongodb';
import { MongoReadStore } from './mongodb-read-store';
import { describeReadStoreContract } from './testing/read-store.contract';

/**
 * Runs the read-store contract against a MongoDB server when MONGODB_URI is set. The
 * database is MONGODB_DB when given (used as is and left in place, so point it at a
 * disposable database: the contract uses fixed checkpoint names), otherwise a unique
 * throw-away database dropped after the suite.
 */
const uri = process.env.MONGODB_URI;
const givenDb = process.env.MONGODB_DB;
const dbName = givenDb || `access_ledger_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
// Fail with the driver's own error rather than jest's 30 s timeout when the server is unreachable.
const clientOptions = { serverSelectionTimeoutMS: 10_000 };

describeReadStoreContract(
  'mongodb',
  uri
    ? {
        open: async () => MongoReadStore.connect({ uri, dbName, clientOptions }),
        ...(givenDb
          ? {}
          : {
              dispose: async () => {
                const client = new MongoClient(uri, clientOptions);
                try {
                  await client.db(dbName).dropDatabase();
                } finally {
                  await client.close();
                }
              },
            }),
      }
    : null,
  'MONGODB_URI is not set (e.g. MONGODB_URI=mongodb://localhost:27017 to run it; MONGODB_DB picks the database, default a throw-away one)',
);
