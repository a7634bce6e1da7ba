import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from './sqlite-event-store';
import { describeEventStoreContract } from './testing/event-store.contract';

const dir = mkdtempSync(join(tmpdir(), 'al-es-'));

describeEventStoreContract('sqlite', {
  open: async () => new SqliteEventStore({ file: join(dir, 'events.db'), pollIntervalMs: 20 }),
  dispose: async () => rmSync(dir, { recursive: true, force: true }),
});
