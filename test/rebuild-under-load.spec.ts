import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mintToken } from '@access-ledger/auth';
import { RecordedEvent, newId } from '@access-ledger/core';
import { SqliteEventStore, toArray } from '@access-ledger/event-store';
import { rebuildTargets, waitForCheckpoints } from '@access-ledger/projection-runner';
import { Document, Projection, SqliteReadStore, projectBatch } from '@access-ledger/read-store';
import { spocOverviewCountsProjection, spocOverviewProjection } from '@access-ledger/projections';
import { freePort } from './support/ports';

/**
 * `projections:rebuild` while the service takes writes, both as production runs them: the
 * built service (API + in-process projection runner) is one process writing read.db, each
 * rebuild is a second process (the CLI) writing the same file. npm test builds first; when
 * running this file alone, run `npm run build` before.
 */
const SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';
const WRITERS = 16;
const REBUILDS: readonly Projection<any>[] = [spocOverviewProjection, spocOverviewCountsProjection, spocOverviewProjection, spocOverviewCountsProjection];
/** Events already in the log before the service starts, so that every rebuild commits many batches. */
const SEEDED_REQUESTS = 4_000;

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}
const run = (child: ChildProcess) =>
  new Promise<Exit>((resolve) => {
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.once('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });

/** The read model a from-scratch fold of the whole log produces. */
function fromScratch(projection: Projection<Document>, log: readonly RecordedEvent[]): Document[] {
  return projectBatch(projection, new Map(), log)
    .flatMap((change) => (change.op === 'upsert' ? [change.doc] : []))
    .sort((a, b) => String(a.id).localeCompare(String(b.id)));
}

describe('projections:rebuild while the service takes writes', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'al-rebuild-load-'));
  // Rate limits off: 16 writers from 16 accounts into one organisation are the load here, not an abuse.
  const env = (port: number) => ({ ...process.env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn', AUTH_JWT_SECRET: SECRET, RATE_LIMITS: 'off' });
  let port: number;
  let service: ChildProcess;
  let serviceOutput = '';
  let organisationId: string;

  const call = async (path: string, token: string, body?: unknown) => {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await response.json()) as Record<string, unknown>;
    if (response.status >= 300) throw new Error(`${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
  const rebuild = (name: string) =>
    run(spawn(process.execPath, ['dist/apps/projector/src/rebuild.js', name], { env: env(port), stdio: ['ignore', 'pipe', 'pipe'] }));
  /** Reads the files as a third process would: its own connections, after the writes stopped. */
  const withStores = async <T>(fn: (events: SqliteEventStore, reads: SqliteReadStore) => Promise<T>): Promise<T> => {
    const events = new SqliteEventStore({ file: join(dataDir, 'events.db') });
    const reads = new SqliteReadStore({ file: join(dataDir, 'read.db') });
    try {
      return await fn(events, reads);
    } finally {
      await reads.close();
      await events.close();
    }
  };
  const liveDocuments = (reads: SqliteReadStore, projection: Projection<Document>) =>
    reads.find<Document>(projection.collection.name, { sort: [{ field: 'id', direction: 'asc' }], pageSize: 1_000_000 }).then((page) =>
      page.items.sort((a, b) => String(a.id).localeCompare(String(b.id))),
    );

  beforeAll(async () => {
    port = await freePort();
    // A log with some history, written before the service starts (the service is then its only writer).
    await withStores(async (events) => {
      const metadata = { occurredAt: '2026-01-01T00:00:00.000Z', actor: { id: 'seed', email: 'seed@example.org', roles: [] }, correlationId: 's', causationId: 's', commandId: 's', schemaVersion: 1 };
      const org = newId();
      await Promise.all(
        Array.from({ length: SEEDED_REQUESTS }, (_, i) => {
          const requestId = newId();
          const requester = { id: `seed-${i % 50}`, email: `seed${i % 50}@example.org`, name: i % 3 === 0 ? null : `Seed ${i % 50}` };
          const created = { requestId, organisationId: org, application: `app-${i % 7}`, justification: null, requester, createdAt: metadata.occurredAt };
          const submitted = { requestId, organisationId: org, application: created.application, requester, previousStatus: 'created', requestedAt: metadata.occurredAt };
          return events.appendToStream(
            `request-${requestId}`,
            [
              { eventId: newId(), type: 'RequestCreated', data: created, metadata },
              ...(i % 2 === 0 ? [{ eventId: newId(), type: 'ApprovalRequested', data: submitted, metadata }] : []),
            ],
            { expectedRevision: 'no_stream' },
          );
        }),
      );
    });
    service = spawn(process.execPath, ['dist/apps/api/src/main.js'], { env: env(port), stdio: ['ignore', 'pipe', 'pipe'] });
    service.stdout!.on('data', (d) => (serviceOutput += d));
    service.stderr!.on('data', (d) => (serviceOutput += d));
    for (let i = 0; i < 1000 && !serviceOutput.includes('listening on'); i += 1) {
      if (service.exitCode !== null) throw new Error(`service exited: ${serviceOutput}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    if (!serviceOutput.includes('listening on')) throw new Error(`service did not start: ${serviceOutput}`);
    const admin = await mintToken(SECRET, { email: 'ops@platform.example', roles: ['platform_admin'] });
    organisationId = String((await call('/organisations', admin, { name: 'Busy Practice' })).id);
  }, 90_000);

  afterAll(async () => {
    if (service && service.exitCode === null && service.signalCode === null) {
      const exited = new Promise((r) => service.once('exit', r));
      service.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('succeeds four times in a row while 16 writers write, and the rebuilt read models equal a from-scratch projection of the log', async () => {
    let writing = true;
    let written = 0;
    const writerErrors: string[] = [];
    const writer = async (n: number) => {
      const token = await mintToken(SECRET, { sub: `writer-${n}`, email: `writer${n}@example.org`, name: `Writer ${n}` });
      while (writing) {
        try {
          const { id } = await call('/requests', token, { organisationId, application: `app-${n % 5}` });
          written += 1;
          if (written % 2 === 0) {
            await call(`/requests/${id}/submit`, token, {});
            written += 1;
          }
        } catch (error) {
          writerErrors.push(String(error));
        }
      }
    };
    const writers = Array.from({ length: WRITERS }, (_, n) => writer(n));

    const results: { name: string; exit: Exit; writesDuring: number }[] = [];
    try {
      for (const projection of REBUILDS) {
        const before = written;
        const exit = await rebuild(projection.name);
        results.push({ name: projection.name, exit, writesDuring: written - before });
      }
    } finally {
      writing = false;
      await Promise.all(writers);
    }

    for (const { name, exit, writesDuring } of results) {
      expect({ name, code: exit.code, stderr: exit.stderr.split('\n').filter((l) => /fail|locked|error/i.test(l)) }).toEqual({ name, code: 0, stderr: [] });
      expect(exit.stdout).toContain(`Rebuilt ${name}:`);
      // The rebuild really ran while the service was writing.
      expect(writesDuring).toBeGreaterThan(0);
    }
    expect(writerErrors).toEqual([]);
    expect(serviceOutput).not.toMatch(/database is locked|SQLITE_BUSY/);

    // Writes stopped: once the service's runner has caught up, the live read models are what the whole log folds to.
    await withStores(async (events, reads) => {
      const head = await events.headPosition();
      expect(await waitForCheckpoints(reads, [spocOverviewProjection.name, spocOverviewCountsProjection.name], head, 20_000)).toBe(true);
      const log = await toArray(events.readAll({ fromPosition: 0, maxCount: 1_000_000 }));
      expect(log.length).toBeGreaterThan(SEEDED_REQUESTS + written / 2);
      for (const projection of [spocOverviewProjection, spocOverviewCountsProjection]) {
        const live = await liveDocuments(reads, projection);
        expect(live.length).toBeGreaterThan(0);
        expect(live).toEqual(fromScratch(projection, log));
      }
    });
  }, 180_000);

  it('leaves the live read model unchanged when killed mid-way, and the next run cleans up and succeeds', async () => {
    const projection = spocOverviewProjection;
    const targets = rebuildTargets(projection);
    await withStores(async (events, reads) => {
      expect(await waitForCheckpoints(reads, [projection.name], await events.headPosition(), 20_000)).toBe(true);
      const before = { docs: await liveDocuments(reads, projection), checkpoint: await reads.getCheckpoint(projection.name) };

      const child = spawn(process.execPath, ['dist/apps/projector/src/rebuild.js', projection.name], { env: env(port), stdio: ['ignore', 'pipe', 'pipe'] });
      const exited = run(child);
      // Killed once it has committed a batch of its own, long before it could promote.
      while ((await reads.getCheckpoint(targets.checkpoint)) < 0 && child.exitCode === null) await new Promise((r) => setTimeout(r, 2));
      child.kill('SIGKILL');
      expect((await exited).signal).toBe('SIGKILL');
      expect(await reads.getCheckpoint(targets.checkpoint)).toBeGreaterThan(0);
      expect(await reads.getCheckpoint(targets.checkpoint)).toBeLessThan(before.checkpoint);
      expect({ docs: await liveDocuments(reads, projection), checkpoint: await reads.getCheckpoint(projection.name) }).toEqual(before);

      const again = await rebuild(projection.name);
      expect(again.code).toBe(0);
      expect(await reads.getCheckpoint(targets.checkpoint)).toBe(-1);
      await expect(reads.find(targets.collection)).rejects.toThrow(/Unknown collection/);
      expect(await reads.getCheckpoint(projection.name)).toBe(before.checkpoint);
      expect(await liveDocuments(reads, projection)).toEqual(before.docs);
    });
  }, 90_000);
});
