import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordedEvent } from '@access-ledger/core';
import { SqliteEventStore } from '@access-ledger/event-store';
import { Projection, SqliteReadStore } from '@access-ledger/read-store';
import { anEvent } from '../../event-store/src/testing/event-store.contract';
import { ParkedEvents, ProjectionRunner, waitForCheckpoints } from './index';

/** A read model whose store write fails once, as a locked or briefly unreachable read store would. */
const seen: Projection<{ id: string }> = {
  name: 'seen',
  collection: { name: 'seen', fields: [] },
  handles: ['Seen'],
  parse: (e) => e,
  documentId: (e: RecordedEvent) => e.streamId,
  evolve: (_doc, e) => ({ id: e.streamId }),
};

describe('ProjectionRunner after a failed batch', () => {
  let dir: string;
  let events: SqliteEventStore;
  let reads: SqliteReadStore;
  let runner: ProjectionRunner;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'al-retry-'));
    // A long poll interval: the subscription would notice nothing new for a long while on its own.
    events = new SqliteEventStore({ file: join(dir, 'events.db'), pollIntervalMs: 60_000 });
    reads = new SqliteReadStore({ file: join(dir, 'read.db') });
  });
  afterEach(async () => {
    await runner?.stop();
    await events.close();
    await reads.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('retries it within the retry delay on an idle store, without waiting for another event', async () => {
    const apply = reads.applyChanges.bind(reads);
    let failures = 0;
    reads.applyChanges = async (...args) => {
      if (args[1].length > 0 && failures === 0) {
        failures += 1;
        throw new Error('database is locked');
      }
      return apply(...args);
    };
    runner = new ProjectionRunner(events, reads, [seen], { retryDelayMs: 20 });
    await runner.start();
    const { position } = await events.appendToStream('thing-1', [anEvent('Seen', {})], { expectedRevision: 'no_stream' });
    // Nothing else is appended: only a retry of the failed batch can bring the checkpoint there.
    expect(await waitForCheckpoints(reads, ['seen'], position, 3000)).toBe(true);
    expect(failures).toBe(1);
    expect(await reads.get('seen', 'thing-1')).toEqual({ id: 'thing-1' });
  });

  it('retries a store write that keeps failing for longer than an event gets attempts, and parks nothing: it is not the event\'s fault', async () => {
    const apply = reads.applyChanges.bind(reads);
    let failures = 0;
    reads.applyChanges = async (...args) => {
      if (args[0] === 'seen' && failures < 8) {
        failures += 1;
        throw new Error('database is locked');
      }
      return apply(...args);
    };
    runner = new ProjectionRunner(events, reads, [seen], { retryDelayMs: 5, retry: { maxAttempts: 2, initialDelayMs: 1 } });
    await runner.start();
    const { position } = await events.appendToStream('thing-2', [anEvent('Seen', {})], { expectedRevision: 'no_stream' });
    expect(await waitForCheckpoints(reads, ['seen'], position, 5000)).toBe(true);
    expect(failures).toBe(8);
    expect(await reads.get('seen', 'thing-2')).toEqual({ id: 'thing-2' });
    expect(await new ParkedEvents(reads).counts()).toEqual({});
  });
});
