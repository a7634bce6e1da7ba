import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointInUseError, ParkedProvisioning, ProvisioningStore } from './store';

describe('the provisioning checkpoint store (SQLite in DATA_DIR)', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'al-prov-store-'));
    file = join(dir, 'nested', 'provisioning.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const entry: ParkedProvisioning = {
    eventId: 'e-1',
    position: 12,
    type: 'UserAdded',
    event: { position: 12, eventId: 'e-1', type: 'UserAdded', streamId: 'user-u1', revision: 0, occurredAt: 'x', correlationId: 'c', causationId: 'c', data: { userId: 'u1', organisationId: 'o1' } },
    attempts: 8,
    error: 'webhook answered 500',
    parkedAt: '2025-01-01T00:00:00.000Z',
    lastAttemptAt: '2025-01-01T00:00:00.000Z',
  };

  it('starts at 0 and keeps its checkpoint and parked events across a reopen', () => {
    const store = ProvisioningStore.open(file);
    expect(store.checkpoint()).toBe(0);
    store.saveCheckpoint(41, '2025-01-01T00:00:00.000Z');
    store.park(entry);
    store.close();
    const reopened = ProvisioningStore.open(file);
    expect(reopened.checkpoint()).toBe(41);
    expect(reopened.parked('e-1')).toEqual(entry);
    expect(reopened.listParked()).toEqual([entry]);
    reopened.close();
  });

  it('parks an event again by updating its attempts and error, and unparks it', () => {
    const store = ProvisioningStore.open(file);
    store.park(entry);
    store.park({ ...entry, attempts: 9, error: 'again', lastAttemptAt: '2025-01-02T00:00:00.000Z', parkedAt: 'later' });
    expect(store.parked('e-1')).toEqual({ ...entry, attempts: 9, error: 'again', lastAttemptAt: '2025-01-02T00:00:00.000Z' });
    expect(store.countParked()).toBe(1);
    store.unpark('e-1');
    expect(store.countParked()).toBe(0);
    store.close();
  });

  it('refuses a second consumer of the same file while the first holds it', () => {
    const first = ProvisioningStore.open(file);
    expect(() => ProvisioningStore.open(file)).toThrow(CheckpointInUseError);
    first.close();
    ProvisioningStore.open(file).close();
  });
});
