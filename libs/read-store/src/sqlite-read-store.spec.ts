import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteReadStore } from './sqlite-read-store';
import { describeReadStoreContract } from './testing/read-store.contract';

const dir = mkdtempSync(join(tmpdir(), 'al-rs-'));

describeReadStoreContract('sqlite', {
  open: async () => new SqliteReadStore({ file: join(dir, 'read.db') }),
  dispose: async () => rmSync(dir, { recursive: true, force: true }),
});

describe('SqliteReadStore: its page cache', () => {
  const folder = mkdtempSync(join(tmpdir(), 'al-rs-cache-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));
  const cacheOf = (store: SqliteReadStore) => (store as unknown as { db: Database.Database }).db.pragma('cache_size', { simple: true });

  it('holds up to 64 MiB of pages unless told otherwise', async () => {
    const kept = new SqliteReadStore({ file: join(folder, 'default.db') });
    const small = new SqliteReadStore({ file: join(folder, 'small.db'), cacheMb: 8 });
    expect([cacheOf(kept), cacheOf(small)]).toEqual([-64 * 1024, -8 * 1024]);
    await Promise.all([kept.close(), small.close()]);
  });
});
