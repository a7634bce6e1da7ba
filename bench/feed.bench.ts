/**
 * npm run bench:feed — the event feed's catch-up from position 0 over a log of 100,000 events
 * (BENCH_FEED_EVENTS), beside `readAll` of the same store in the same run:
 *
 * 1. `readAll()`, every event, counting (the baseline: what reading the log costs);
 * 2. `readAll` filtered to the feed's types (what GET /events and the stream read);
 * 3. the same through the feed views and into SSE text (what the service does per event, without HTTP);
 * 4. `GET /events/stream` from position 0 over real HTTP from the real service, until the last
 *    feed event of the log has arrived (the client parses each message's id);
 * 5. `GET /events?limit=1000`, page after page, over the same HTTP.
 *
 * Each runs in a fresh child process (its peak RSS is its own; the HTTP ones report the
 * service's). The log is seeded directly with realistic events of every context (45% of them
 * of feed types), each with the stream hash appendToStream writes. Rewrites its section of
 * docs/performance.md (BENCH_NO_DOCS=1: not). BENCH_DIR: parent of the temp folder; BENCH_KEEP=1 keeps
 * the seeded folder (and prints where it is), e.g. to profile one child: `node --cpu-prof
 * dist-bench/bench/feed.bench.js feed-text <folder>`.
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { mintToken } from '@access-ledger/auth';
import { EventMetadata, NewEvent, newId } from '@access-ledger/core';
import { SqliteEventStore, chainedEvents } from '@access-ledger/event-store';
import { FEED_TYPES, feedEventOf, sseMessage } from '@access-ledger/feed';
import { forkChild, machine, maxRssMb, nextMessage, now, rng, seedingStore, table, writeDocsSection } from './support';

const SIZE = Number(process.env.BENCH_FEED_EVENTS ?? 100_000);
const SECRET = 'bench-secret-that-is-long-enough-for-hs256-0123456789';
const ORGANISATIONS = Array.from({ length: 10 }, () => newId());
const FEED_FILTER = { eventTypes: FEED_TYPES };

// ---- the workload ------------------------------------------------------------------

type Draft = { type: string; data: Record<string, unknown>; schemaVersion?: number };

/**
 * One cycle of the workload: a user's stream (6 events, 4 served), an access request's (3,
 * all served), a participant's (8, 2 served: enrolment and results requests are not), an
 * audit read (1) and an idempotency key (2): 20 events, 9 of feed types.
 */
function cycle(c: number, random: () => number, at: string): { streamId: string; drafts: Draft[] }[] {
  const organisationId = ORGANISATIONS[Math.floor(random() * ORGANISATIONS.length)];
  const [userId, requestId, workflowId, grantId, professionalId, readId] = Array.from({ length: 6 }, () => newId());
  const participantId = `sub-participant-${c}`;
  const requester = { id: `sub-requester-${c}`, email: `req.${c}@example.org`, name: 'Grace Hopper' };
  const participant = { id: participantId, email: `pat.${c}@people.example`, name: 'Pat Park' };
  const user = { userId, organisationId };
  const inWorkflow = { workflowId, organisationId, participantId };
  const results = (revision: number): Draft => ({
    type: 'ResultsAccessRequested',
    data: { ...inWorkflow, professionalId, decision: 'granted', basis: 'prior_consent', grantId, grantVersion: 1, until: '2027-01-01T00:00:00.000Z', refusal: null, decidedOnRevision: revision, requestedAt: at },
  });
  const key = `idempotency-${newId()}`;
  return [
    {
      streamId: `user-${userId}`,
      drafts: [
        { type: 'UserAdded', data: { ...user, firstName: 'Ada', lastName: `Lovelace ${c % 997}`, email: `ada.${c}@org.example`, clinician: c % 3 === 0, permissionLevel: 'recorder', spoc: false, professional: true, addedAt: at } },
        { type: 'UserPermissionLevelChanged', data: { ...user, from: 'recorder', to: 'administrator', userStatus: 'active', changedAt: at } },
        { type: 'UserDesignationsChanged', data: { ...user, spoc: true, professional: true, changedAt: at } },
        { type: 'UserClinicianStatusChanged', data: { ...user, clinician: true, changedAt: at } },
        { type: 'UserDeactivated', data: { ...user, permissionLevel: 'administrator', reason: 'Left for another practice', deactivatedAt: at } },
        { type: 'UserReactivated', data: { ...user, permissionLevel: 'administrator', reason: null, reactivatedAt: at } },
      ],
    },
    {
      streamId: `request-${requestId}`,
      drafts: [
        { type: 'RequestCreated', data: { requestId, organisationId, application: 'vaccination-recorder', justification: 'Needed for the winter clinic rota, weekdays.', requester, createdAt: at } },
        { type: 'ApprovalRequested', data: { requestId, organisationId, application: 'vaccination-recorder', requester, previousStatus: 'created', requestedAt: at } },
        { type: 'RequestApproved', schemaVersion: 2, data: { requestId, organisationId, application: 'vaccination-recorder', requester, comment: 'Welcome', previousStatus: 'approval_requested', decidedAs: 'spoc', approvedAt: at } },
      ],
    },
    {
      streamId: `participant-${newId()}`,
      drafts: [
        { type: 'ParticipantEnrolled', data: { workflowId, organisationId, participant, appendConsentAsked: true, appendConsent: false, enrolledAt: at } },
        {
          type: 'ConsentGiven',
          data: { ...inWorkflow, grantId, participant, professional: { id: professionalId, name: 'Dr Pro' }, basis: 'prior_consent', assignmentId: null, reason: 'Coaching sessions', from: at, until: '2027-01-01T00:00:00.000Z', givenAt: at },
        },
        ...[2, 3, 4, 5, 6].map(results),
        { type: 'ConsentWithdrawn', data: { ...inWorkflow, grantId, professionalId, withdrawnAt: at } },
      ],
    },
    { streamId: `auditlog-${readId}`, drafts: [{ type: 'AuditRecordRead', data: { readId, reader: { id: 'sub-auditor', email: 'audit@platform.example' }, path: `/audit/requests/${requestId}/timeline`, query: {}, organisationId, readAt: at } }] },
    {
      streamId: key,
      drafts: [
        { type: 'IdempotencyKeyClaimed', data: { fingerprint: 'f'.repeat(64), method: 'POST', path: `/organisations/${organisationId}/users`, claimedAt: at } },
        { type: 'IdempotentResponseRecorded', data: { fingerprint: 'f'.repeat(64), response: { status: 201, body: { id: userId, position: 1 }, etag: null } } },
      ],
    },
  ];
}

/**
 * The store seeded directly (seedingStore), the streams of 50 cycles at a time interleaved in
 * the log. Answers the position of the last event of a feed type, and how many there are.
 */
async function seed(dataDir: string, total: number): Promise<{ lastFeedPosition: number; feedEvents: number }> {
  const store = await seedingStore(dataDir);
  const random = rng(7);
  const at = new Date(Date.UTC(2026, 0, 1)).toISOString();
  const feed = new Set<string>(FEED_TYPES);
  let written = 0;
  let lastFeedPosition = 0;
  let feedEvents = 0;
  const writeGroup = store.inTransaction((first: number) => {
    const streams = Array.from({ length: 50 }, (_, k) => cycle(first + k, random, at)).flat().map(({ streamId, drafts }) => {
      const events: NewEvent[] = drafts.map(({ type, data, schemaVersion = 1 }) => {
        const commandId = newId();
        const metadata: EventMetadata = { occurredAt: at, actor: { id: 'sub-lead', email: 'lead@org.example', organisationId: null, roles: [] }, correlationId: commandId, causationId: commandId, commandId, schemaVersion };
        return { eventId: newId(), type, data, metadata };
      });
      return { streamId, events: chainedEvents(streamId, 0, undefined, events) };
    });
    for (let revision = 0; written < total; revision += 1) {
      const row = streams.filter((s) => s.events.length > revision);
      if (row.length === 0) break;
      for (const { streamId, events } of row) {
        if (written >= total) break;
        const event = events[revision];
        const position = store.insert(streamId, revision, event);
        written += 1;
        if (feed.has(event.type)) {
          lastFeedPosition = position;
          feedEvents += 1;
        }
      }
    }
  });
  for (let first = 0; written < total; first += 50) writeGroup(first);
  store.close();
  return { lastFeedPosition, feedEvents };
}

// ---- child processes ---------------------------------------------------------------

type Measured = { events: number; ms: number; rssMb: number };
type ChildMessage = { kind: 'ready'; port: number } | ({ kind: 'done' } & Measured) | { kind: 'rss'; rssMb: number };

/** In a child: one of the in-process reads of the whole log, counting what it gives. */
async function childRead(mode: string, dataDir: string): Promise<void> {
  const store = new SqliteEventStore({ file: join(dataDir, 'events.db') });
  const started = now();
  let events = 0;
  let bytes = 0;
  if (mode === 'readall') for await (const event of store.readAll()) events += event ? 1 : 0;
  else if (mode === 'readall-feed') for await (const event of store.readAll({ filter: FEED_FILTER })) events += event ? 1 : 0;
  else {
    for await (const event of store.readAll({ filter: FEED_FILTER })) {
      bytes += sseMessage(feedEventOf(event)!).length;
      events += 1;
    }
  }
  const ms = now() - started;
  await store.close();
  if (bytes < 0) throw new Error('unreachable');
  process.send!({ kind: 'done', events, ms, rssMb: maxRssMb() } satisfies ChildMessage);
}

/** In a child: the real service on the seeded folder (no projections, no rate limits); answers `rss` with its peak RSS. */
async function childServer(dataDir: string): Promise<void> {
  // Loaded here only: the reading children stay without NestJS, so their peak RSS is the read's.
  const [{ createApp }, { loadConfig }] = await Promise.all([import('../apps/api/src/app.factory'), import('@access-ledger/platform')]);
  const app = await createApp(loadConfig({ DATA_DIR: dataDir, AUTH_JWT_SECRET: SECRET, LOG_LEVEL: 'silent', RATE_LIMITS: 'off', RUN_PROJECTIONS: 'false' }));
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  process.on('message', (message: string) => {
    if (message === 'rss') process.send!({ kind: 'rss', rssMb: maxRssMb() } satisfies ChildMessage);
    if (message === 'stop') void app.close().then(() => process.exit(0));
  });
  process.send!({ kind: 'ready', port } satisfies ChildMessage);
}

const child = (mode: string, arg: string) => forkChild(__filename, mode, arg);
const message = <K extends ChildMessage['kind']>(of: ReturnType<typeof child>, kind: K) => nextMessage<ChildMessage, K>(of, kind);

async function inChild(mode: string, dataDir: string): Promise<Measured> {
  const reader = child(mode, dataDir);
  const done = await message(reader, 'done');
  await new Promise((r) => reader.once('exit', r));
  return done;
}

/** Runs `client` against a fresh service process on the folder; the time is the client's, the peak RSS the service's. */
async function overHttp(dataDir: string, client: (port: number, token: string) => Promise<number>): Promise<Measured> {
  const server = child('server', dataDir);
  const { port } = await message(server, 'ready');
  const token = await mintToken(SECRET, { email: 'provisioning@bench.example', roles: ['integration'] });
  const started = now();
  const events = await client(port, token);
  const ms = now() - started;
  server.send('rss');
  const { rssMb } = await message(server, 'rss');
  server.send('stop');
  await new Promise((r) => server.once('exit', r));
  return { events, ms, rssMb };
}

/** GET /events/stream from 0 until the event at `lastPosition` arrives; each message's id is read as it comes. */
const sseClient = (lastPosition: number) => (port: number, token: string) =>
  new Promise<number>((resolvePromise, reject) => {
    const request = get({ host: '127.0.0.1', port, path: '/events/stream', headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } }, (response) => {
      if (response.statusCode !== 200) return reject(new Error(`stream answered ${response.statusCode}`));
      response.setEncoding('utf8');
      let text = '';
      let events = 0;
      response.on('data', (chunk: string) => {
        text += chunk;
        let end = text.indexOf('\n\n');
        let start = 0;
        while (end >= 0) {
          if (text.startsWith('id: ', start)) {
            events += 1;
            if (Number(text.slice(start + 4, text.indexOf('\n', start))) === lastPosition) {
              request.destroy();
              return resolvePromise(events);
            }
          }
          start = end + 2;
          end = text.indexOf('\n\n', start);
        }
        text = text.slice(start);
      });
    });
    request.on('error', (error) => (request.destroyed ? undefined : reject(error)));
  });

/** GET /events?limit=1000 from 0, page after page, until a short page. */
const pagesClient = async (port: number, token: string): Promise<number> => {
  let after = 0;
  let events = 0;
  for (;;) {
    const page = await new Promise<{ events: unknown[]; lastPosition: number }>((resolvePromise, reject) => {
      get({ host: '127.0.0.1', port, path: `/events?after=${after}&limit=1000`, headers: { authorization: `Bearer ${token}` } }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => (response.statusCode === 200 ? resolvePromise(JSON.parse(body)) : reject(new Error(`GET /events answered ${response.statusCode}: ${body}`))));
      }).on('error', reject);
    });
    events += page.events.length;
    after = page.lastPosition;
    if (page.events.length < 1000) return events;
  }
};

// ---- report ------------------------------------------------------------------------

const int = (value: number) => Math.round(value).toLocaleString('en-US');
const perSecond = (events: number, ms: number) => (events / ms) * 1000;

async function main(): Promise<void> {
  const started = Date.now();
  const load = loadavg().map((l) => l.toFixed(1)).join(', ');
  const log = (line: string) => process.stdout.write(`${line}\n`);
  log(`machine: ${machine()}, load average ${load}`);
  const dataDir = mkdtempSync(join(resolve(process.env.BENCH_DIR ?? tmpdir()), 'al-bench-feed-'));
  try {
    const seeded = await seed(dataDir, SIZE);
    log(`${int(SIZE)} events seeded, ${int(seeded.feedEvents)} of feed types`);
    const rows: { name: string; result: Measured }[] = [];
    const measure = async (name: string, run: () => Promise<Measured>, expected: number) => {
      const result = await run();
      if (result.events !== expected) throw new Error(`${name}: ${result.events} events, expected ${expected}`);
      rows.push({ name, result });
      log(`  ${name.padEnd(52)} ${int(perSecond(SIZE, result.ms)).padStart(9)} log events/s  ${int(perSecond(result.events, result.ms)).padStart(9)} served/s  peak RSS ${result.rssMb.toFixed(0)} MB`);
    };
    await measure('readAll(), every event (baseline)', () => inChild('readall', dataDir), SIZE);
    await measure('readAll, feed types only', () => inChild('readall-feed', dataDir), seeded.feedEvents);
    await measure('readAll, feed types, feed views and SSE text', () => inChild('feed-text', dataDir), seeded.feedEvents);
    await measure('GET /events/stream from 0, over HTTP', () => overHttp(dataDir, sseClient(seeded.lastFeedPosition)), seeded.feedEvents);
    await measure('GET /events?limit=1000, page after page, over HTTP', () => overHttp(dataDir, pagesClient), seeded.feedEvents);

    const baseline = rows[0].result;
    const section = [
      '## Event feed: catch-up from position 0 — `npm run bench:feed`',
      '',
      `Machine: ${machine()}; load average ${load} at the start (the machine is shared: the rows of one run are comparable with each other, less with another run's). Run took ${((Date.now() - started) / 1000).toFixed(0)} s.`,
      '',
      `A log of ${int(SIZE)} events seeded directly into the embedded store: users, access requests, participants' consents and results requests, audit reads and idempotency keys of ten organisations, streams interleaved, each event with the streamHash appendToStream writes; ${int(seeded.feedEvents)} of them (${((seeded.feedEvents / SIZE) * 100).toFixed(0)}%) of the feed's types. Each row runs in a fresh child process; "log events/s" is the ${int(SIZE)} positions of the log over the row's time, "served/s" what the row gives (every event for the baseline, the feed's for the others). Peak RSS is the child's own: for the HTTP rows, the whole service (NestJS, both stores).`,
      '',
      '- **readAll**: `SqliteEventStore.readAll()` counting, then with the feed\'s type filter (what the feed reads), then each event through its feed view and into its SSE message (`feedEventOf`, `sseMessage`): the service\'s work without HTTP.',
      '- **stream**: `GET /events/stream` with no `after`, from the request until the last feed event of the log has arrived; the client reads each message\'s `id`.',
      '- **pages**: `GET /events?after=<lastPosition>&limit=1000` one after another until a short page.',
      '',
      table(
        ['read', 'log events/s', 'served/s', 'time', 'vs readAll', 'peak RSS'],
        rows.map(({ name, result }) => [
          name,
          int(perSecond(SIZE, result.ms)),
          int(perSecond(result.events, result.ms)),
          `${(result.ms / 1000).toFixed(2)} s`,
          `${(result.ms / baseline.ms).toFixed(1)}×`,
          `${result.rssMb.toFixed(0)} MB`,
        ]),
      ),
    ].join('\n');
    log(`\n${section}`);
    if (process.env.BENCH_NO_DOCS !== '1') log(`\nwrote ${writeDocsSection('feed', section)}`);
  } finally {
    if (process.env.BENCH_KEEP === '1') log(`kept ${dataDir}`);
    else rmSync(dataDir, { recursive: true, force: true });
  }
}

const [mode, arg] = process.argv.slice(2);
const run = mode === 'server' ? childServer(arg) : mode ? childRead(mode, arg) : main();
run.catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
