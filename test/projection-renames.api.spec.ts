import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newId } from '@access-ledger/core';
import { userStream } from '@access-ledger/directory';
import { SqliteEventStore } from '@access-ledger/event-store';
import { SqliteReadStore } from '@access-ledger/read-store';
import { DIRECTORY_USER_COUNTS, DIRECTORY_USERS, projections } from '@access-ledger/projections';
import { TestApi, bearer, startApi } from './support/api';
import { OrgFixture, addUser, registerOrg } from './support/directory';

/**
 * The manage-users read models were renamed to their collections' names (`manage_users` →
 * `directory_users`, `manage_users_counts` → `directory_user_counts`). A data folder written
 * before keeps its documents under the same collections and its checkpoints under the old
 * names; on start the new names take those checkpoints over, so the runner resumes where it
 * was rather than replaying the log into documents that already count it.
 */
describe('A data folder from before the projection renames', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'al-renames-'));
  let api: TestApi | null = null;
  let org: OrgFixture;

  /** The service on `dataDir`, which outlives it (startApi leaves a DATA_DIR it was given). */
  const start = async () => (api = await startApi({ DATA_DIR: dataDir }));
  const stop = async () => {
    const running = api;
    api = null;
    await running?.close();
  };
  afterAll(async () => {
    await stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const usersTotal = async (position: number) => {
    const response = await api!.http.get(`/organisations/${org.orgId}/users`).set(bearer(org.leadToken)).set('X-Min-Position', String(position));
    expect(response.status).toBe(200);
    return { total: response.body.total as number, listed: response.body.items.length as number };
  };

  it('has every projection named as its collection', () => {
    expect(projections.map((p) => p.name)).toEqual(projections.map((p) => p.collection.name));
    expect(new Set(projections.map((p) => p.name)).size).toBe(projections.length);
  });

  it('resumes the renamed read models from their old checkpoints: nothing is counted twice, nothing is missed', async () => {
    const admin = await (await start()).token({ email: 'ops@platform.example', roles: ['platform_admin'] });
    org = await registerOrg(api!, admin);
    let last = 0;
    for (let i = 0; i < 3; i += 1) last = (await addUser(api!, org)).position;
    expect(await usersTotal(last)).toEqual({ total: 4, listed: 4 });
    await stop();

    // As the code before the rename left it: the same documents, the checkpoints under the old names.
    const db = new Database(join(dataDir, 'read.db'));
    const rename = db.prepare('UPDATE _checkpoints SET projection = ? WHERE projection = ?');
    rename.run('manage_users', DIRECTORY_USERS);
    rename.run('manage_users_counts', DIRECTORY_USER_COUNTS);
    db.close();
    const before = new SqliteReadStore({ file: join(dataDir, 'read.db') });
    const oldCheckpoint = await before.getCheckpoint('manage_users_counts');
    expect(await before.getCheckpoint(DIRECTORY_USER_COUNTS)).toBe(-1);
    await before.close();

    // Users added while the read models were behind (by the old code, or before the projector started).
    const events = new SqliteEventStore({ file: join(dataDir, 'events.db') });
    for (let i = 0; i < 2; i += 1) {
      const userId = newId();
      const added = await events.appendToStream(
        userStream(userId),
        [
          {
            eventId: newId(),
            type: 'UserAdded',
            data: { userId, organisationId: org.orgId, firstName: 'Late', lastName: `Comer${i}`, email: `late${i}-${userId}@example.org`, clinician: false, permissionLevel: 'recorder', spoc: false, professional: false, addedAt: new Date().toISOString() },
            metadata: { occurredAt: new Date().toISOString(), actor: { id: 'sub-lead', email: org.leadEmail, roles: ['lead_administrator'] }, correlationId: newId(), causationId: newId(), commandId: newId(), schemaVersion: 1 },
          },
        ],
        { expectedRevision: 'no_stream' },
      );
      last = added.position;
    }
    await events.close();

    await start();
    expect(await usersTotal(last)).toEqual({ total: 6, listed: 6 });
    const reads = new SqliteReadStore({ file: join(dataDir, 'read.db') });
    expect(await reads.getCheckpoint(DIRECTORY_USER_COUNTS)).toBeGreaterThanOrEqual(last);
    expect(await reads.getCheckpoint('manage_users_counts')).toBe(oldCheckpoint);
    await reads.close();
    await stop();
  });
});
