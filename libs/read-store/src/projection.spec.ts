import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteReadStore } from './sqlite-read-store';
import { adoptFormerCheckpoint } from './projection';

describe('adoptFormerCheckpoint', () => {
  let dir: string;
  let store: SqliteReadStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'al-adopt-'));
    store = new SqliteReadStore({ file: join(dir, 'read.db') });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const renamed = { name: 'new_name', formerNames: ['old_name'] };

  it('gives a read model that has no checkpoint yet the checkpoint of its former name', async () => {
    await store.applyChanges('old_name', [], 41);
    expect(await adoptFormerCheckpoint(store, renamed)).toBe(41);
    expect(await store.getCheckpoint('new_name')).toBe(41);
    expect(await store.getCheckpoint('old_name')).toBe(41);
  });

  it('leaves a read model that has a checkpoint of its own as it is (it ran, or was rebuilt, under the new name)', async () => {
    await store.applyChanges('old_name', [], 41);
    await store.applyChanges('new_name', [], 7);
    expect(await adoptFormerCheckpoint(store, renamed)).toBeNull();
    expect(await store.getCheckpoint('new_name')).toBe(7);
  });

  it('does nothing without a former checkpoint, or without former names', async () => {
    expect(await adoptFormerCheckpoint(store, renamed)).toBeNull();
    expect(await adoptFormerCheckpoint(store, { name: 'plain' })).toBeNull();
    expect(await store.getCheckpoint('new_name')).toBe(-1);
  });

  it('lets one of two processes starting at once take it over, the other finding it taken', async () => {
    await store.applyChanges('old_name', [], 41);
    const other = new SqliteReadStore({ file: join(dir, 'read.db') });
    try {
      const results = await Promise.all([adoptFormerCheckpoint(store, renamed), adoptFormerCheckpoint(other, renamed)]);
      expect(results.filter((r) => r === 41)).toHaveLength(1);
      expect(results.filter((r) => r === null)).toHaveLength(1);
      expect(await store.getCheckpoint('new_name')).toBe(41);
    } finally {
      await other.close();
    }
  });
});
