/**
 * npm run bench:audit — the signed audit export and its verifier, beside their baselines, on
 * the embedded store seeded with realistic events (every context's kinds, ten organisations,
 * streams of ten events, each event stored with its stream hash as appendToStream writes it):
 *
 * 1. Export throughput (events/s) and the server's peak RSS, at 100,000 and 1,000,000 events:
 *    `GET /audit/export` of the whole log over real HTTP from the real service, in a fresh child
 *    process per size (clean RSS numbers); the client streams the body to a file. Beside it, in
 *    a fresh child too, a plain `readAll()` over the same store (what reading costs alone), and
 *    an organisation's export (a tenth of the events written, the whole log read).
 * 2. `npm run audit:verify` (the built CLI, its peak RSS by /usr/bin/time) on the exported
 *    file, beside `sha256sum` of the file and a plain line read (node:readline) of it.
 *
 * 3. The append cost of the stream hash chain: CPU per appended event of what the SQLite adapter
 *    now does with an event before its INSERT (chainedEvents: canonical data and metadata, the
 *    sha256) beside what it did before (JSON.stringify of data and metadata), on the same
 *    events, alternating rounds in one process; durable appends/s are in bench:store (fsync-bound).
 *
 * Goals (issue 10): export ≥ 50,000 events/s; peak RSS at 1,000,000 events no more than 50 MB
 * above the 100,000 run. Rewrites its section of docs/performance.md (BENCH_NO_DOCS=1: not).
 * Knobs: BENCH_AUDIT_SIZES ("100000,1000000"), BENCH_DIR (parent of the temp folders),
 * BENCH_KEEP=1 (keep the seeded folders and files, and print where they are).
 */
import 'reflect-metadata';
import { ChildProcess, spawnSync } from 'node:child_process';
import { closeSync, createReadStream, createWriteStream, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { mintToken } from '@access-ledger/auth';
import { EventMetadata, NewEvent, newId } from '@access-ledger/core';
import { SqliteEventStore, chainedEvents } from '@access-ledger/event-store';
import { loadConfig } from '@access-ledger/platform';
import { createApp } from '../apps/api/src/app.factory';
import { forkChild as forkScript, maxRssMb, nextMessage as nextChildMessage, now, repoRoot, rng, seedingStore, table, writeDocsSection } from './support';

const SIZES = (process.env.BENCH_AUDIT_SIZES ?? '100000,1000000').split(',').map(Number).filter((n) => n > 0);
const SECRET = 'bench-secret-that-is-long-enough-for-hs256-0123456789';
const ORGANISATIONS = Array.from({ length: 10 }, () => newId());
const EVENTS_PER_STREAM = 10;
const GOAL_EVENTS_PER_SECOND = 50_000;
const GOAL_RSS_GROWTH_MB = 50;

// ---- the workload ------------------------------------------------------------------

/** A stream of ten events of one kind, as the service writes them (data shapes of docs/events.md). */
function streamEvents(s: number, random: () => number, at: (i: number) => string): { streamId: string; events: NewEvent[] } {
  const organisationId = ORGANISATIONS[Math.floor(random() * ORGANISATIONS.length)];
  const actor = { id: newId(), email: `lead${s % 97}@org${s % 10}.example`, organisationId, roles: ['lead_administrator'] };
  const kind = s % 20 === 19 ? 'idempotency' : (['user', 'request', 'participant', 'audit'] as const)[s % 4];
  const id = newId();
  const event = (i: number, type: string, data: Record<string, unknown>): NewEvent => {
    const commandId = newId();
    const metadata: EventMetadata = { occurredAt: at(s * EVENTS_PER_STREAM + i), actor, correlationId: commandId, causationId: commandId, commandId, schemaVersion: 1 };
    return { eventId: newId(), type, data, metadata };
  };
  const make = (i: number): NewEvent => {
    switch (kind) {
      case 'user':
        return i === 0
          ? event(i, 'UserAdded', { userId: id, organisationId, firstName: 'Ada', lastName: `Lovelace${s % 997}`, email: `ada.${s}@org.example`, clinician: s % 3 === 0, permissionLevel: 'recorder', spoc: false, professional: true, addedAt: at(s) })
          : event(i, 'UserClinicianStatusChanged', { userId: id, organisationId, clinician: i % 2 === 0, changedAt: at(s + i) });
      case 'request':
        return event(i, i === 0 ? 'RequestCreated' : 'ApprovalRequested', {
          requestId: id, organisationId, application: 'vaccination-recorder', justification: i === 0 ? 'Needed for the winter clinic rota, weekdays.' : null,
          requester: { id: newId(), email: `req.${s}@example.org`, name: 'Grace Hopper' }, previousStatus: 'created', requestedAt: at(s + i),
        });
      case 'participant':
        return event(i, 'ResultsAccessRequested', {
          workflowId: newId(), organisationId, participantId: id, professionalId: newId(), decision: i % 4 === 0 ? 'refused' : 'granted', basis: 'prior_consent',
          grantId: newId(), grantVersion: 0, until: '2027-01-01T00:00:00.000Z', refusal: i % 4 === 0 ? 'no_consent' : null, decidedOnRevision: i, requestedAt: at(s + i),
        });
      case 'audit':
        return event(i, 'AuditRecordRead', { organisationId, resource: `request-${newId()}`, endpoint: 'GET /audit/requests/:id/timeline', readAt: at(s + i) });
      default:
        return event(i, 'IdempotencyKeyClaimed', { fingerprint: 'f'.repeat(64), method: 'POST', path: `/organisations/${organisationId}/users`, claimedAt: at(s + i) });
    }
  };
  const streamId = kind === 'idempotency' ? `idempotency-${id}` : `${kind}-${id}`;
  return { streamId, events: Array.from({ length: EVENTS_PER_STREAM }, (_, i) => make(i)) };
}

/** The store seeded directly (seedingStore), streams interleaved in the log as in life. */
async function seed(dataDir: string, total: number): Promise<void> {
  const store = await seedingStore(dataDir);
  const random = rng(7);
  const start = Date.UTC(2026, 0, 1);
  const at = (i: number) => new Date(start + i * 250).toISOString();
  // 100 streams at a time, their events interleaved round-robin.
  const writeGroup = store.inTransaction((firstStream: number, streams: number) => {
    const group = Array.from({ length: streams }, (_, k) => {
      const { streamId, events } = streamEvents(firstStream + k, random, at);
      return { streamId, events: chainedEvents(streamId, 0, undefined, events) };
    });
    for (let revision = 0; revision < EVENTS_PER_STREAM; revision += 1) {
      for (const { streamId, events } of group) {
        store.insert(streamId, revision, events[revision]);
      }
    }
  });
  const streams = Math.ceil(total / EVENTS_PER_STREAM);
  for (let s = 0; s < streams; s += 100) writeGroup(s, Math.min(100, streams - s));
  store.close();
}

// ---- child processes ---------------------------------------------------------------

type ChildMessage = { kind: 'ready'; port: number } | { kind: 'done'; events: number; ms: number; rssMb: number; cpuMs: number } | { kind: 'rss'; rssMb: number; cpuMs: number };

/** CPU time (user + system) this process has used so far, ms: beside the wall clock on a shared machine. */
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** Runs in a child: reads the whole log through readAll, counting. */
async function childReadAll(dataDir: string): Promise<void> {
  const store = new SqliteEventStore({ file: join(dataDir, 'events.db') });
  const started = now();
  const cpuStarted = cpuMs();
  let events = 0;
  for await (const event of store.readAll()) if (event) events += 1;
  const ms = now() - started;
  const cpu = cpuMs() - cpuStarted;
  await store.close();
  process.send!({ kind: 'done', events, ms, rssMb: maxRssMb(), cpuMs: cpu } satisfies ChildMessage);
}

/** Runs in a child: the real service on the seeded folder; answers `rss` with its peak RSS. */
async function childServer(dataDir: string, workers = false): Promise<void> {
  const worker = workers ? { AUDIT_EXPORT_WORKER_FROM_EVENTS: '0' } : {};
  const app = await createApp(loadConfig({ DATA_DIR: dataDir, AUTH_JWT_SECRET: SECRET, LOG_LEVEL: 'silent', RATE_LIMITS: 'off', RUN_PROJECTIONS: 'false', ...worker }));
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  process.on('message', (message: string) => {
    if (message === 'rss') process.send!({ kind: 'rss', rssMb: maxRssMb(), cpuMs: cpuMs() } satisfies ChildMessage);
    if (message === 'stop') void app.close().then(() => process.exit(0));
  });
  process.send!({ kind: 'ready', port: address.port } satisfies ChildMessage);
}

/** Runs in a child: reads the file line by line, as the verifier does, doing nothing with the lines. */
async function childLines(file: string): Promise<void> {
  const started = now();
  let events = 0;
  for await (const line of createInterface({ input: createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 }), crlfDelay: Infinity })) if (line.length > 0) events += 1;
  process.send!({ kind: 'done', events, ms: now() - started, rssMb: maxRssMb(), cpuMs: cpuMs() } satisfies ChildMessage);
}

const forkChild = (mode: string, arg: string): ChildProcess => forkScript(__filename, mode, arg);
const nextMessage = <K extends ChildMessage['kind']>(child: ChildProcess, kind: K) => nextChildMessage<ChildMessage, K>(child, kind);

async function inChild(mode: string, arg: string): Promise<{ events: number; ms: number; rssMb: number; cpuMs: number }> {
  const child = forkChild(mode, arg);
  const done = await nextMessage(child, 'done');
  await new Promise((r) => child.once('exit', r));
  return done;
}

/** GET /audit/export from a fresh server process into a file: client-side time, the server's peak RSS. */
async function exportOverHttp(dataDir: string, query: string, file: string, mode = 'server'): Promise<{ events: number; ms: number; rssMb: number; bytes: number; cpuMs: number }> {
  const server = forkChild(mode, dataDir);
  const { port } = await nextMessage(server, 'ready');
  const token = await mintToken(SECRET, { email: 'auditor@bench.example', roles: ['auditor'] });
  server.send('rss');
  const before = await nextMessage(server, 'rss');
  const started = now();
  await new Promise<void>((resolvePromise, reject) => {
    get({ host: '127.0.0.1', port, path: `/audit/export${query}`, headers: { authorization: `Bearer ${token}` } }, (response) => {
      if (response.statusCode !== 200) return reject(new Error(`export answered ${response.statusCode}`));
      pipeline(response, createWriteStream(file)).then(resolvePromise, reject);
    }).on('error', reject);
  });
  const ms = now() - started;
  server.send('rss');
  const { rssMb, cpuMs: cpuAfter } = await nextMessage(server, 'rss');
  server.send('stop');
  await new Promise((r) => server.once('exit', r));
  return { events: manifestOf(file).count, ms, rssMb, bytes: statSync(file).size, cpuMs: cpuAfter - before.cpuMs };
}

/** The manifest: the file's last line, read from its end (the file is larger than a string may be). */
function manifestOf(file: string): { count: number } {
  const size = statSync(file).size;
  const length = Math.min(size, 64 * 1024);
  const buffer = Buffer.alloc(length);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buffer, 0, length, size - length);
  } finally {
    closeSync(fd);
  }
  return JSON.parse(buffer.toString('utf8').trimEnd().split('\n').at(-1)!).manifest;
}

/** A command's wall time and peak RSS (GNU time's %M, when /usr/bin/time is there). */
function timed(command: string, args: string[]): { ms: number; rssMb: number | null; stdout: string; status: number | null } {
  const gnuTime = existsSync('/usr/bin/time');
  const started = now();
  const result = gnuTime
    ? spawnSync('/usr/bin/time', ['-f', '__RSS_KB__%M', command, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 })
    : spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  const ms = now() - started;
  const rss = /__RSS_KB__(\d+)/.exec(result.stderr ?? '');
  return { ms, rssMb: rss ? Number(rss[1]) / 1024 : null, stdout: result.stdout, status: result.status };
}

// ---- report ------------------------------------------------------------------------

const int = (value: number) => Math.round(value).toLocaleString('en-US');
const mb = (value: number | null) => (value === null ? 'n/a' : `${value.toFixed(0)} MB`);
const perSecond = (events: number, ms: number) => (events / ms) * 1000;

/** µs of CPU per event: the adapter's work on an event before its INSERT, before and after the chain. */
function appendCost(): { before: number; after: number } {
  const random = rng(11);
  const start = Date.UTC(2026, 0, 1);
  const at = (i: number) => new Date(start + i * 250).toISOString();
  const streams = Array.from({ length: 2000 }, (_, s) => streamEvents(s, random, at));
  const events = streams.reduce((sum, s) => sum + s.events.length, 0);
  const rounds = { before: [] as number[], after: [] as number[] };
  let sink = 0;
  for (let round = 0; round < 5; round += 1) {
    let t = now();
    for (const { events: batch } of streams) for (const event of batch) sink += JSON.stringify(event.data).length + JSON.stringify(event.metadata).length;
    rounds.before.push(((now() - t) * 1000) / events);
    t = now();
    for (const { streamId, events: batch } of streams) for (const event of chainedEvents(streamId, 0, undefined, batch)) sink += event.dataJson.length + event.metadataJson.length;
    rounds.after.push(((now() - t) * 1000) / events);
  }
  if (sink === 0) throw new Error('nothing measured');
  const best = (xs: number[]) => Math.min(...xs.slice(1));
  return { before: best(rounds.before), after: best(rounds.after) };
}

interface SizeResult {
  size: number;
  readAll: { events: number; ms: number; rssMb: number; cpuMs: number };
  whole: { events: number; ms: number; rssMb: number; bytes: number; cpuMs: number };
  workers: { events: number; ms: number; rssMb: number; cpuMs: number };
  organisation: { events: number; ms: number; rssMb: number };
  verify: { ms: number; rssMb: number | null; out: string };
  sha256sum: { ms: number; rssMb: number | null };
  lines: { events: number; ms: number; rssMb: number };
}

async function main(): Promise<void> {
  const started = Date.now();
  const loadStart = loadavg().map((l) => l.toFixed(1)).join(' ');
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const machine = `${cpus()[0]?.model?.trim() ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
  log(`machine: ${machine}`);
  const cli = join(repoRoot, 'dist', 'apps', 'api', 'src', 'cli', 'audit-verify.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
  const cost = appendCost();
  log(`append cost per event (CPU before the INSERT): ${cost.before.toFixed(1)} µs before the chain, ${cost.after.toFixed(1)} µs with it`);
  const results: SizeResult[] = [];
  for (const size of SIZES) {
    const dataDir = mkdtempSync(join(resolve(process.env.BENCH_DIR ?? tmpdir()), 'al-bench-audit-'));
    try {
      const seedStarted = now();
      await seed(dataDir, size);
      log(`\n${int(size)} events seeded in ${((now() - seedStarted) / 1000).toFixed(1)} s`);
      const readAll = await inChild('readall', dataDir);
      log(`  readAll (baseline)            ${int(perSecond(readAll.events, readAll.ms)).padStart(9)} events/s  (${int(perSecond(readAll.events, readAll.cpuMs))}/s of CPU)  peak RSS ${mb(readAll.rssMb)}`);
      const file = join(dataDir, 'export.ndjson');
      const whole = await exportOverHttp(dataDir, '', file);
      // The log as seeded, plus the export's own audit read, recorded before the log is read.
      if (whole.events !== size + 1) throw new Error(`the export has ${whole.events} events, the store ${size} and the export's recorded read`);
      log(`  GET /audit/export (all)       ${int(perSecond(whole.events, whole.ms)).padStart(9)} events/s  (${int(perSecond(whole.events, whole.cpuMs))}/s of the server's CPU)  peak RSS ${mb(whole.rssMb)}  (${(whole.bytes / 2 ** 20).toFixed(0)} MiB)`);
      // The same run: the same export with its lines built in worker threads (AUDIT_EXPORT_WORKER_FROM_EVENTS=0).
      const workers = await exportOverHttp(dataDir, '', join(dataDir, 'export-workers.ndjson'), 'server-workers');
      log(`  the same, worker threads      ${int(perSecond(workers.events, workers.ms)).padStart(9)} events/s  (${int(perSecond(workers.events, workers.cpuMs))}/s of the server's CPU)  peak RSS ${mb(workers.rssMb)}`);
      rmSync(join(dataDir, 'export-workers.ndjson'));
      const organisation = await exportOverHttp(dataDir, `?organisationId=${ORGANISATIONS[0]}`, join(dataDir, 'organisation.ndjson'));
      log(`  GET /audit/export (one org)   ${int(perSecond(size, organisation.ms)).padStart(9)} events read/s (${int(organisation.events)} written)  peak RSS ${mb(organisation.rssMb)}`);
      const keyFile = join(dataDir, 'public.pem');
      const { createPublicKey } = await import('node:crypto');
      writeFileSync(keyFile, createPublicKey(readFileSync(join(dataDir, 'audit-signing-key.pem'), 'utf8')).export({ format: 'pem', type: 'spki' }));
      const verify = timed(process.execPath, [cli, file, '--public-key', keyFile]);
      if (verify.status !== 0 || !verify.stdout.includes(`${whole.events} events`)) throw new Error(`audit:verify failed: ${verify.stdout}`);
      log(`  npm run audit:verify          ${int(perSecond(size, verify.ms)).padStart(9)} events/s  peak RSS ${mb(verify.rssMb)}`);
      const sha = timed('sha256sum', [file]);
      log(`  sha256sum of the file         ${int(perSecond(size, sha.ms)).padStart(9)} events/s  peak RSS ${mb(sha.rssMb)}`);
      const lines = await inChild('lines', file);
      log(`  readline, lines only          ${int(perSecond(lines.events, lines.ms)).padStart(9)} events/s  peak RSS ${mb(lines.rssMb)}`);
      results.push({ size, readAll, whole, workers, organisation, verify: { ms: verify.ms, rssMb: verify.rssMb, out: verify.stdout }, sha256sum: sha, lines });
    } finally {
      if (process.env.BENCH_KEEP === '1') log(`  kept ${dataDir}`);
      else rmSync(dataDir, { recursive: true, force: true });
    }
  }

  const exportRows = results.map((r) => [
    int(r.size),
    int(perSecond(r.whole.events, r.whole.ms)),
    int(perSecond(r.whole.events, r.whole.cpuMs)),
    mb(r.whole.rssMb),
    int(perSecond(r.workers.events, r.workers.ms)),
    int(perSecond(r.workers.events, r.workers.cpuMs)),
    mb(r.workers.rssMb),
    int(perSecond(r.readAll.events, r.readAll.ms)),
    int(perSecond(r.readAll.events, r.readAll.cpuMs)),
    mb(r.readAll.rssMb),
    `${int(perSecond(r.size, r.organisation.ms))} (${int(r.organisation.events)} written)`,
    mb(r.organisation.rssMb),
    `${(r.whole.bytes / 2 ** 20).toFixed(0)} MiB`,
  ]);
  const verifyRows = results.map((r) => [
    int(r.size),
    int(perSecond(r.size, r.verify.ms)),
    mb(r.verify.rssMb),
    int(perSecond(r.size, r.sha256sum.ms)),
    int(perSecond(r.lines.events, r.lines.ms)),
    mb(r.lines.rssMb),
  ]);
  const small = results.find((r) => r.size === 100_000);
  const large = results.find((r) => r.size === 1_000_000);
  const slowest = Math.min(...results.map((r) => perSecond(r.whole.events, r.whole.ms)));
  const slowestCpu = Math.min(...results.map((r) => perSecond(r.whole.events, r.whole.cpuMs)));
  const growth = small && large ? large.whole.rssMb - small.whole.rssMb : null;
  const goals = table(
    ['goal', 'measured', 'verdict'],
    [
      [`export ≥ ${int(GOAL_EVENTS_PER_SECOND)} events/s`, `${int(slowest)}/s (slowest size)`, slowest >= GOAL_EVENTS_PER_SECOND ? '**met**' : '**missed**'],
      [`the same by the server's CPU time`, `${int(slowestCpu)}/s of CPU (slowest size)`, slowestCpu >= GOAL_EVENTS_PER_SECOND ? '**met**' : '**missed**'],
      [
        `peak RSS at 1,000,000 ≤ 100,000 run + ${GOAL_RSS_GROWTH_MB} MB`,
        growth === null ? 'n/a (run both sizes)' : `${growth >= 0 ? '+' : ''}${growth.toFixed(0)} MB (${mb(small!.whole.rssMb)} → ${mb(large!.whole.rssMb)})`,
        growth === null ? 'n/a' : growth <= GOAL_RSS_GROWTH_MB ? '**met**' : '**missed**',
      ],
    ],
  );
  const section = [
    '## Audit export — `npm run bench:audit`',
    '',
    `Machine: ${machine}. Run took ${((Date.now() - started) / 1000).toFixed(0)} s; load average ${loadStart} at the start, ${loadavg().map((l) => l.toFixed(1)).join(' ')} at the end.`,
    '',
    `The embedded store seeded directly with realistic events: users, access requests, results requests, audit reads and idempotency keys (5% of the events, no organisation), ten organisations, streams of ${EVENTS_PER_STREAM} events interleaved in the log, ~600–900 bytes of JSON each, every event with the streamHash appendToStream writes. Each measurement runs in a fresh child process, so its peak RSS (maxRSS) is its own; the export's is the whole service's (NestJS, both stores), so the growth between the sizes is what the export adds.`,
    '',
    '- **export**: `GET /audit/export` (the whole log: every event written, hashed and sent) over HTTP on 127.0.0.1 from the real service; the client streams the body to a file; from the request to the last byte. Beside it, the events per second of CPU time the server process used meanwhile (user + system, all its threads): what the export costs, whatever else the machine runs. The service as configured by default: everything on its main thread, a page of the log at a time.',
    '- **worker threads**: the same export from a service told to read the rows and build the lines in two worker threads (`AUDIT_EXPORT_WORKER_FROM_EVENTS=0`) while its main thread hashes and writes, measured in the same run.',
    '- **readAll**: `SqliteEventStore.readAll()` over the same store, counting: what reading the log costs without the export (wall clock and per second of CPU).',
    '- **one organisation**: `?organisationId=` of one of ten: the whole log read, a tenth written.',
    '- **audit:verify**: the built CLI with `--public-key` on the whole-log file, its peak RSS by /usr/bin/time; beside it `sha256sum` of the file and a node:readline read of its lines doing nothing else.',
    '',
    '### Export',
    '',
    table(['events', 'export events/s', 'per s of server CPU', 'export peak RSS', 'worker threads: events/s', 'per s of CPU', 'its peak RSS', 'readAll events/s', 'per s of CPU', 'readAll peak RSS', 'one organisation: events read/s', 'its peak RSS', 'file'], exportRows),
    '',
    '### Verification',
    '',
    table(['events', 'audit:verify events/s', 'its peak RSS', 'sha256sum events/s', 'readline events/s', 'readline peak RSS'], verifyRows),
    '',
    '### Append cost of the stream hash chain',
    '',
    `What the SQLite adapter does with an event before its INSERT, per event, best of four rounds over ${int(2000 * EVENTS_PER_STREAM)} of the same events (CPU, one process): before the chain, JSON.stringify of data and metadata; with it, \`chainedEvents\` (canonical data and metadata, sha256, canonical metadata with its hash), plus one \`json_extract\` of the stream's last hash per append (not in this number).`,
    '',
    table(['', 'µs per event'], [['before the chain', cost.before.toFixed(1)], ['with the chain', cost.after.toFixed(1)], ['added', (cost.after - cost.before).toFixed(1)]]),
    '',
    'Durable appends are bound by fsync, not by this: see bench:store, whose appends/s were the same within noise before and after (docs/performance.md, "Stream hash chain: append cost").',
    '',
    '### Goals',
    '',
    goals,
  ].join('\n');
  log(`\n${section}`);
  if (process.env.BENCH_NO_DOCS !== '1') log(`\nwrote ${writeDocsSection('audit', section)}`);
}

const [mode, arg] = process.argv.slice(2);
const run = mode === 'readall' ? childReadAll(arg) : mode === 'server' ? childServer(arg) : mode === 'server-workers' ? childServer(arg, true) : mode === 'lines' ? childLines(arg) : main();
run.catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
