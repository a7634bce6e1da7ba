import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordedEvent } from '@access-ledger/core';
import { SqliteEventStore } from '@access-ledger/event-store';
import { Projection, SqliteReadStore } from '@access-ledger/read-store';
import { anEvent } from '../../event-store/src/testing/event-store.contract';
import { ParkedEvents, ProjectionRunner, Sleep, waitForCheckpoints } from './index';

interface Tally extends Record<string, unknown> {
  stream: string;
  kinds: string[];
}

/** A read model with a bug: it cannot handle one shape of event. */
const tally: Projection<Tally> = {
  name: 'tally',
  collection: { name: 'tally', fields: ['stream'] },
  handles: ['Counted'],
  parse: (e) => e,
  documentId: (e: RecordedEvent) => e.streamId,
  evolve: (doc, e) => {
    if (e.data.kind === 'odd') throw new TypeError("Cannot read properties of undefined (reading 'name')");
    return { stream: e.streamId, kinds: [...(doc?.kinds ?? []), String(e.data.kind)] };
  },
};

describe('ProjectionRunner with an evolve that throws on one event', () => {
  let dir: string;
  let events: SqliteEventStore;
  let reads: SqliteReadStore;
  let runner: ProjectionRunner;
  const pauses: number[] = [];
  const recordPause: Sleep = async (ms) => {
    pauses.push(ms);
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'al-parking-'));
    events = new SqliteEventStore({ file: join(dir, 'events.db'), pollIntervalMs: 10 });
    reads = new SqliteReadStore({ file: join(dir, 'read.db') });
  });
  afterEach(async () => {
    await runner?.stop();
    await events.close();
    await reads.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const count = (stream: string, kind: string) => events.appendToStream(stream, [anEvent('Counted', { kind })], { expectedRevision: 'any' });

  it('parks that event after its attempts and keeps projecting the others, later ones of the same document included', async () => {
    await count('a-1', 'k0');
    const odd = await count('a-1', 'odd');
    await count('b-1', 'k0');
    await count('a-1', 'k1');
    runner = new ProjectionRunner(events, reads, [tally], { retry: { maxAttempts: 3, initialDelayMs: 50 }, sleep: recordPause });
    await runner.start();
    expect(await waitForCheckpoints(reads, ['tally'], await events.headPosition(), 10_000)).toBe(true);
    expect(await reads.get('tally', 'a-1')).toEqual({ stream: 'a-1', kinds: ['k0', 'k1'] });
    expect(await reads.get('tally', 'b-1')).toEqual({ stream: 'b-1', kinds: ['k0'] });
    expect(pauses).toEqual([50, 100]);
    expect(await new ParkedEvents(reads).get('tally', odd.position)).toMatchObject({
      consumer: 'tally',
      kind: 'projection',
      position: odd.position,
      type: 'Counted',
      streamId: 'a-1',
      attempts: 3,
      error: "Cannot read properties of undefined (reading 'name')",
    });
    // And live, after it.
    await count('b-1', 'k1');
    expect(await waitForCheckpoints(reads, ['tally'], await events.headPosition(), 10_000)).toBe(true);
    expect(await reads.get('tally', 'b-1')).toEqual({ stream: 'b-1', kinds: ['k0', 'k1'] });
    expect(await new ParkedEvents(reads).counts()).toEqual({ tally: 1 });
  });
});
