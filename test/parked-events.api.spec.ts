import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { RecordedEvent, deriveId } from '@access-ledger/core';
import { anEvent } from '../libs/event-store/src/testing/event-store.contract';
import { AppConfig, Consumers, loadConfig } from '@access-ledger/platform';
import { Reactor, waitForCheckpoints } from '@access-ledger/projection-runner';
import { Projection } from '@access-ledger/read-store';
import { projections } from '@access-ledger/projections';
import { createProjectorApp } from '../apps/projector/src/projector.module';
import { retryCommand } from '../apps/projector/src/retry';
import { TEST_MANAGEMENT_TOKEN, TestApi, bearer, startApi } from './support/api';

/**
 * The production layout on the embedded stores: the projector runs the projections and an
 * example reactor, the API (RUN_PROJECTIONS=false) serves on the same files; an operator reads
 * readiness and metrics and retries parked events with `reactors:retry`.
 */
describe('parked events', () => {
  let api: TestApi;
  let projector: INestApplication | undefined;
  let config: AppConfig;
  const mailServer = { refuses: new Set(['nobody@invalid']) };
  const tallyBug = { present: true };

  /** The example reactor: a notice per request, its event id derived from the request's, so the log keeps one per request. */
  const notifier: Reactor = {
    name: 'notifier',
    handles: ['Requested'],
    async react(event: RecordedEvent) {
      if (mailServer.refuses.has(event.data.to)) throw new Error(`mail server refused ${event.data.to}`);
      await api.events.appendToStream(`notice-${event.streamId}`, [{ ...anEvent('NoticeSent', { to: event.data.to }), eventId: deriveId('notice', event.eventId) }], {
        expectedRevision: 'any',
      });
    },
  };
  /** A read model with a bug on one shape of event. */
  const tally: Projection<{ kinds: string[] }> = {
    name: 'tally',
    collection: { name: 'tally', fields: [] },
    handles: ['Counted'],
    parse: (e) => e,
    documentId: (e) => e.streamId,
    evolve: (doc, e) => {
      if (e.data.kind === 'odd' && tallyBug.present) throw new TypeError("Cannot read properties of undefined (reading 'name')");
      return { kinds: [...(doc?.kinds ?? []), String(e.data.kind)] };
    },
  };
  const consumers: Consumers = { projections: [...projections, tally], reactors: [notifier] };

  const append = async (stream: string, type: string, data: Record<string, unknown>) => (await api.events.appendToStream(stream, [anEvent(type, data)], { expectedRevision: 'any' })).position;
  const ops = (app: INestApplication, path: string) => request(app.getHttpServer()).get(path).set(bearer(TEST_MANAGEMENT_TOKEN));
  const retry = async (...args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await retryCommand(args, config, { out: (l) => out.push(l), err: (l) => err.push(l) }, consumers);
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  /** Until every consumer has passed the head; the reactor's notices are events too, which they all then pass. */
  const settled = async () => {
    let head: number;
    do {
      head = await api.events.headPosition();
      expect(await waitForCheckpoints(api.reads, ['notifier', 'tally', ...projections.map((p) => p.name)], head, 15_000)).toBe(true);
    } while ((await api.events.headPosition()) !== head);
  };

  let poison: number;
  let oddWithLater: number;
  let oddAlone: number;
  beforeAll(async () => {
    api = await startApi({ RUN_PROJECTIONS: 'false' });
    config = loadConfig(
      { DATA_DIR: api.dataDir, LOG_LEVEL: 'silent', MANAGEMENT_TOKEN: TEST_MANAGEMENT_TOKEN, EVENT_RETRY_ATTEMPTS: '3', EVENT_RETRY_DELAY_MS: '5' },
      { auth: false },
    );
    projector = await createProjectorApp(config, consumers);
    await projector.listen(0, '127.0.0.1');
    await append('request-1', 'Requested', { to: 'ann@example.org' });
    poison = await append('request-2', 'Requested', { to: 'nobody@invalid' });
    await append('request-3', 'Requested', { to: 'bo@example.org' });
    await append('a-1', 'Counted', { kind: 'k0' });
    oddWithLater = await append('a-1', 'Counted', { kind: 'odd' });
    await append('a-1', 'Counted', { kind: 'k1' });
    await append('c-1', 'Counted', { kind: 'k0' });
    oddAlone = await append('c-1', 'Counted', { kind: 'odd' });
    await settled();
  });
  afterAll(async () => {
    await projector?.close();
    await api.close();
  });

  it('parks what keeps failing and goes on: the reactor with the next request, the projection with the other events', async () => {
    expect((await api.events.readStream('notice-request-1')).map((e) => e.data.to)).toEqual(['ann@example.org']);
    expect(await api.events.readStream('notice-request-2')).toEqual([]);
    expect((await api.events.readStream('notice-request-3')).map((e) => e.data.to)).toEqual(['bo@example.org']);
    expect(await api.reads.get('tally', 'a-1')).toEqual({ kinds: ['k0', 'k1'] });
    expect(await api.reads.get('tally', 'c-1')).toEqual({ kinds: ['k0'] });
  });

  it('shows them per consumer on the projector’s /health/ready and /metrics, which stay ready', async () => {
    const ready = await ops(projector!, '/health/ready');
    expect(ready.status).toBe(200);
    const head = await api.events.headPosition();
    expect(ready.body.info.reactors.notifier).toEqual({ checkpoint: head, lagEvents: 0, lagSeconds: 0, parked: 1 });
    expect(ready.body.info.projections.tally).toEqual({ checkpoint: head, lagEvents: 0, lagSeconds: 0, parked: 2 });
    expect(ready.body.info.projections.directory_users).toMatchObject({ parked: 0 });
    expect(ready.body.info.parkedEvents).toEqual({ status: 'up', total: 3, byConsumer: { notifier: 1, tally: 2 } });
    const metrics = (await ops(projector!, '/metrics')).text;
    expect(metrics).toContain('parked_events{consumer="notifier"} 1');
    expect(metrics).toContain('parked_events{consumer="tally"} 2');
    expect(metrics).toContain('parked_events{consumer="directory_users"} 0');
    expect(metrics).toContain('reactor_lag_events{reactor="notifier"} 0');
  });

  it('shows them on the API’s /health/ready and /metrics too, though it runs neither consumer', async () => {
    const ready = await ops(api.app, '/health/ready');
    expect(ready.body.info.parkedEvents).toEqual({ status: 'up', total: 3, byConsumer: { notifier: 1, tally: 2 } });
    expect((await ops(api.app, '/metrics')).text).toContain('parked_events{consumer="notifier"} 1');
  });

  it('reactors:retry runs a parked event once more: exit 1 and still parked while it fails, exit 0 and removed once it goes through', async () => {
    const failing = await retry('notifier', String(poison));
    expect(failing).toMatchObject({ code: 1, out: '' });
    expect(failing.err).toBe(`notifier at position ${poison} (Requested ${(await api.events.readStream('request-2'))[0].eventId}) failed again: mail server refused nobody@invalid; it stays parked (4 attempts)`);
    expect((await ops(projector!, '/metrics')).text).toContain('parked_events{consumer="notifier"} 1');

    mailServer.refuses.clear();
    const fixed = await retry('notifier', String(poison));
    expect(fixed.code).toBe(0);
    expect(fixed.out).toMatch(/^notifier at position \d+ \(Requested [0-9a-f-]+\) went through; removed from the parked list$/);
    expect((await api.events.readStream('notice-request-2')).map((e) => e.data.to)).toEqual(['nobody@invalid']);
    expect((await ops(projector!, '/metrics')).text).toContain('parked_events{consumer="notifier"} 0');
    expect(await retry('notifier', String(poison))).toMatchObject({ code: 1, err: `notifier has no parked event at position ${poison}` });
  });

  it('re-applies a parked projection event once its bug is fixed, but not over later changes of the same document', async () => {
    tallyBug.present = false;
    const alone = await retry('tally', String(oddAlone));
    expect(alone.code).toBe(0);
    expect(alone.out).toContain('document c-1 updated; removed from the parked list');
    expect(await api.reads.get('tally', 'c-1')).toEqual({ kinds: ['k0', 'odd'] });

    const withLater = await retry('tally', String(oddWithLater));
    expect(withLater.code).toBe(1);
    expect(withLater.err).toContain(`document a-1 was changed by a later event (position ${oddWithLater + 1}, Counted)`);
    expect(withLater.err).toContain('npm run projections:rebuild -- tally');
    expect(await api.reads.get('tally', 'a-1')).toEqual({ kinds: ['k0', 'k1'] });
    const ready = await ops(projector!, '/health/ready');
    expect(ready.body.info.projections.tally.parked).toBe(1);
  });

  it('answers a wrong command line with the usage, the names it knows and a consumer’s parked events (exit 2)', async () => {
    const unknown = await retry('nope', '1');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('Usage: npm run reactors:retry -- <reactor or projection> <position>');
    expect(unknown.err).toContain('Reactors: notifier');
    expect(unknown.err).toMatch(/Projections: directory_users, .*tally/);
    const list = await retry('tally');
    expect(list.code).toBe(2);
    expect(list.err).toContain(`${oddWithLater}  Counted`);
  });

  it('reports lag on the API from the stores while the projector is down, without reading the log', async () => {
    await settled();
    await projector!.close();
    projector = undefined;
    await append('b-1', 'Counted', { kind: 'k0' });
    const readAll = api.events.readAll;
    let logReads = 0;
    api.events.readAll = (...args) => {
      logReads += 1;
      return readAll.apply(api.events, args);
    };
    try {
      for (let scrape = 0; scrape < 3; scrape += 1) {
        const ready = await ops(api.app, '/health/ready');
        expect(ready.status).toBe(200);
        expect(ready.body.info.projections.directory_users).toMatchObject({ lagEvents: 1, lagSeconds: expect.any(Number) });
        expect((await ops(api.app, '/metrics')).text).toContain('projection_lag_events{projection="directory_users"} 1');
      }
      expect(logReads).toBe(0);
    } finally {
      api.events.readAll = readAll;
    }
  });
});
