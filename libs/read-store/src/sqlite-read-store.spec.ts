import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteReadStore } from './sqlite-read-store';
import { describeReadStoreContract } from './testing/read-store.contract';

const dir = mkdtempSync(join(tmpdir(), 'al-rs-'));

describeReadStoreContract('sqlite', {
  open: async () => new SqliteReadStore({ file: join(dir, 'read.db') }),
  dispose: async () => rmSync(dir, { recursive: true, force: true }),
});
