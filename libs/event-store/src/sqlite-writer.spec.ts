import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppendTooLargeError, DuplicateEventIdError, WrongExpectedRevisionError, toArray } from './event-store';
import { SqliteEventStore } from './sqlite-event-store';
import { checkStreamChains } from './stream-chain';
import { anEvent } from './testing/event-store.contract';

/**
 * The embedded store's writer (sqlite-writer-thread.ts) beyond the contract suite: what group
 * commit in another thread, and other processes on the same file, must not cost.
 */
const CHILD = join(__dirname, 'testing', 'sqlite-append-child.ts');
const REGISTER = join(__dirname, 'testing', 'register-ts.js');

interface Ack {
  readonly streamId: string;
  readonly revision: number;
  readonly position: number;
  readonly eventId: string;
}

/** A child process appending to `file` (testing/sqlite-append-child.ts), its acknowledgements as they arrive. */
const appender = (file: string, label: string, writers: number, appends: number | 'forever') => {
  const child: ChildProcess = spawn(process.execPath, ['-r', REGISTER, CHILD, file, label, String(writers), String(appends)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const acks: Ack[] = [];
  let stderr = '';
  let partial = '';
  const listeners = new Set<() => void>();
  child.stdout!.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      const [word, streamId, revision, position, eventId] = line.split(' ');
      if (word === 'ack') acks.push({ streamId, revision: Number(revision), position: Number(position), eventId });
    }
    listeners.forEach((listener) => listener());
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  /** Resolves once `count` appends were acknowledged; rejects if the child ends first. */
  const acknowledged = (count: number) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (acks.length < count) return;
        listeners.delete(check);
        resolve();
      };
      listeners.add(check);
      check();
      void exited.then(({ code, signal }) => reject(new Error(`the child ended (code ${code}, signal ${signal}) after ${acks.length} acks: ${stderr}`)));
    });
  return { child, acks, exited, acknowledged, stderr: () => stderr };
};

describe('SqliteEventStore writer thread', () => {
  let dir: string;
  /** Run after each test, also one that timed out (a subscription left running would keep jest alive). */
  const cleanups: (() => Promise<void> | void)[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'al-es-writer-'));
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loses no acknowledged append when its process is killed with SIGKILL while it commits', async () => {
    const file = join(dir, 'events.db');
    const writing = appender(file, 'killed', 16, 'forever');
    cleanups.push(() => void writing.child.kill('SIGKILL'));
    // Many commits in, with 16 appends always waiting: the kill lands while a group commit is under way.
    await writing.acknowledged(600);
    writing.child.kill('SIGKILL');
    expect(await writing.exited).toEqual({ code: null, signal: 'SIGKILL' });
    const acked = [...writing.acks];
    expect(acked.length).toBeGreaterThanOrEqual(600);

    const store = new SqliteEventStore({ file });
    try {
      const stored = new Map((await toArray(store.readAll())).map((event) => [event.eventId, event]));
      const missing = acked.filter((ack) => {
        const event = stored.get(ack.eventId);
        return !event || event.streamId !== ack.streamId || event.revision !== ack.revision || event.position !== ack.position;
      });
      expect(missing).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it.each(['thread', 'event-loop'] as const)('fails a failing append alone inside one group commit, with its own error class (%s writer)', async (writer) => {
    const store = new SqliteEventStore({ file: join(dir, 'events.db'), writer, maxAppendBytes: 4096 });
    try {
      const retried = [anEvent('First'), anEvent('Second')];
      await store.appendToStream('taken', retried, { expectedRevision: 'no_stream' });
      const head = await store.headPosition();
      // Made in one turn, so the writer takes them as one batch: one transaction.
      const outcomes = await Promise.allSettled([
        store.appendToStream('a', [anEvent()], { expectedRevision: 'no_stream' }),
        store.appendToStream('b', [anEvent()], { expectedRevision: 3 }),
        store.appendToStream('c', [anEvent(), anEvent()], { expectedRevision: 'no_stream' }),
        store.appendToStream('d', [anEvent('Big', { text: 'x'.repeat(5000) })], { expectedRevision: 'no_stream' }),
        // Part of an earlier append (its second event) with a new one: a partial overlap.
        store.appendToStream('taken', [retried[1], anEvent()], { expectedRevision: 'any' }),
        store.appendToStream('e', [anEvent()], { expectedRevision: 'no_stream' }),
      ]);
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'rejected', 'fulfilled']);
      const reason = (i: number) => (outcomes[i] as PromiseRejectedResult).reason;
      expect(reason(1)).toBeInstanceOf(WrongExpectedRevisionError);
      expect(reason(1)).toMatchObject({ streamId: 'b', expected: 3, actual: -1 });
      expect(reason(3)).toBeInstanceOf(AppendTooLargeError);
      expect(reason(3)).toMatchObject({ streamId: 'd', maxSize: 4096 });
      expect(reason(4)).toBeInstanceOf(DuplicateEventIdError);
      // The others are stored, in the order they were made, and a refused one leaves no gap.
      const after = await toArray(store.readAll({ fromPosition: head + 1 }));
      expect(after.map((event) => [event.streamId, event.position])).toEqual([
        ['a', head + 1],
        ['c', head + 2],
        ['c', head + 3],
        ['e', head + 4],
      ]);
      expect((outcomes[2] as PromiseFulfilledResult<unknown>).value).toEqual({ nextExpectedRevision: 1, position: head + 3 });
      expect(await store.readStream('b')).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('sees the appends of another writer on the same file to the same stream, whichever writer runs where', async () => {
    const file = join(dir, 'events.db');
    // Two stores, two writer connections (each store's thread, or the event loop): what one appends, the other must check against.
    for (const [oneWriter, twoWriter] of [['thread', 'thread'], ['event-loop', 'thread'], ['thread', 'event-loop']] as const) {
      const one = new SqliteEventStore({ file, writer: oneWriter });
      const two = new SqliteEventStore({ file, writer: twoWriter });
      cleanups.push(() => one.close(), () => two.close());
      const stream = `shared-${oneWriter}-${twoWriter}`;
      expect(await one.appendToStream(stream, [anEvent('A')], { expectedRevision: 'no_stream' })).toMatchObject({ nextExpectedRevision: 0 });
      expect(await two.appendToStream(stream, [anEvent('B')], { expectedRevision: 0 })).toMatchObject({ nextExpectedRevision: 1 });
      // `one` last wrote revision 0: the stream has moved on since.
      await expect(one.appendToStream(stream, [anEvent('C')], { expectedRevision: 0 })).rejects.toMatchObject({ name: WrongExpectedRevisionError.name, actual: 1 });
      expect(await one.appendToStream(stream, [anEvent('C')], { expectedRevision: 1 })).toMatchObject({ nextExpectedRevision: 2 });
      expect(await two.appendToStream(stream, [anEvent('D')], { expectedRevision: 'any' })).toMatchObject({ nextExpectedRevision: 3 });
      expect(await one.appendToStream(stream, [anEvent('E'), anEvent('F')], { expectedRevision: 'any' })).toMatchObject({ nextExpectedRevision: 5 });
      const events = await one.readStream(stream);
      expect(events.map((event) => [event.revision, event.type])).toEqual(['A', 'B', 'C', 'D', 'E', 'F'].map((type, revision) => [revision, type]));
      // One chain, each event's hash from the one before it, whichever connection wrote it.
      expect(await checkStreamChains(one.readAll({ filter: { streamPrefixes: [stream] } }))).toEqual({ events: 6, streams: 1, unhashed: 0, breaks: 0 });
    }
  });

  it('keeps positions gap-free for a subscriber while two processes append to one file', async () => {
    const file = join(dir, 'events.db');
    const subscriber = new SqliteEventStore({ file, pollIntervalMs: 10 });
    const controller = new AbortController();
    cleanups.push(() => subscriber.close(), () => controller.abort());
    const writers = 8;
    const appends = 60;
    const total = 2 * writers * appends;
    const seen: number[] = [];
    const watching = (async () => {
      for await (const event of subscriber.subscribeToAll({ fromPosition: 0, signal: controller.signal })) {
        seen.push(event.position);
        if (event.position >= total) return;
      }
    })();
    const one = appender(file, 'one', writers, appends);
    const two = appender(file, 'two', writers, appends);
    cleanups.push(() => void one.child.kill('SIGKILL'), () => void two.child.kill('SIGKILL'));
    const [first, second] = await Promise.all([one.exited, two.exited]);
    expect([first, second, one.stderr(), two.stderr()]).toEqual([{ code: 0, signal: null }, { code: 0, signal: null }, '', '']);
    await watching;
    // Every position once, in order, none missing: what each process acknowledged is where it said.
    expect(seen).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(await subscriber.headPosition()).toBe(total);
    const stored = new Map((await toArray(subscriber.readAll())).map((event) => [event.position, event.eventId]));
    const acks = [...one.acks, ...two.acks];
    expect(acks).toHaveLength(total);
    expect(acks.filter((ack) => stored.get(ack.position) !== ack.eventId)).toEqual([]);
  });
});
