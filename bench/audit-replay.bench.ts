/**
 * npm run bench:audit:replay — replaying a long stream as of an instant.
 *
 * One participant stream of BENCH_REPLAY_EVENTS events (default 10,000: an enrolment, a consent,
 * then results requests, one a minute), written to the embedded store as the service writes it
 * (each event decided by the participant decider on the state so far).
 * 1. In process, on the SQLite event store, p50/p99 over BENCH_SAMPLES runs of: reading the
 *    stream (the baseline: no parsing, no folding); reading and parsing every event; replaying as
 *    of an instant in the middle and at the end as the state endpoints do (read a page at a time
 *    up to the instant, fold with libs/audit `stateAt` and the live `evolve`, take the grant's
 *    part); the replay alone on events already read; the same replays from fold checkpoints, as
 *    the state endpoints do now (the first replay of the stream, which writes them, and later
 *    ones); and the whole timeline (sentence and changed fields per event).
 * 2. Over HTTP against the real service (its own process, embedded stores, each read recorded):
 *    GET /audit/grants/:id/state?asOf= in the middle and at the end, beside GET /audit/streams/
 *    of the same stream with limit=1 (the same auth, reader and recorded read, without the
 *    replay) and GET /health.
 * Goal: the as-of replay of a 10,000-event stream under 50 ms.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { NewEvent, RecordedEvent, eventIdFor, newId } from '@access-ledger/core';
import { grantAt, stateAt, timelineOf } from '@access-ledger/audit';
import { ExistingWorkflow, ParticipantCommand, ParticipantState, participantDecider, participantStream } from '@access-ledger/care-access';
import { SqliteEventStore } from '@access-ledger/event-store';
import { SqliteReadStore } from '@access-ledger/read-store';
import { mintToken } from '@access-ledger/auth';
import { ReadStore } from '@access-ledger/read-store';
import { AuditStreams } from '../apps/api/src/audit/audit-streams';
import { FOLD_CHECKPOINTS, FoldCheckpoints } from '../apps/api/src/audit/state-as-of/fold-checkpoints';
import { FoldCheckpointKeeper } from '../apps/api/src/audit/state-as-of/fold-checkpoint-keeper';
import { AppConfig } from '@access-ledger/platform';
import { BENCH_SECRET, cpuTime, machine, measure, ms, percentile, startServer, stopServer, writeDocsSection } from './support';

const EVENTS = Number(process.env.BENCH_REPLAY_EVENTS ?? 10_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 100);
const GOAL_MS = 50;
const section: string[] = [];
const out = (line: string) => {
  section.push(line);
  process.stdout.write(`${line}\n`);
};
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
/** p50 and p99 of samples (ms). */
const summary = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
};

const T0 = Date.parse('2026-01-05T08:00:00.000Z');
const minute = (i: number) => new Date(T0 + i * 60_000).toISOString();
const workflow: ExistingWorkflow = {
  status: 'active',
  workflowId: newId(),
  organisationId: newId(),
  name: 'Bench workflow',
  project: null,
  allowAppendProfessionals: false,
  professionals: [{ professional: { id: newId(), name: 'Dr Bench' }, days: 365, reason: 'Bench', addedAt: minute(-1) }],
  createdAt: minute(-1),
};
const professionalId = workflow.professionals[0].professional.id;

/** The stream's events, decided one after the other on the state they fold to, with the service's envelope. */
function seedEvents(participantId: string, grantId: string): NewEvent[] {
  const streamId = participantStream(participantId);
  const participant = { id: participantId, email: `${participantId}@people.example`, name: 'Bench Participant' };
  let state: ParticipantState = participantDecider.initialState();
  const events: NewEvent[] = [];
  for (let i = 0; events.length < EVENTS; i += 1) {
    const now = minute(i);
    const command: ParticipantCommand =
      i === 0
        ? { type: 'EnrolParticipant', workflow, participant, appendConsent: undefined, now }
        : i === 1
          ? { type: 'AnswerConsentPrompt', workflow, professionalId, decision: 'accept', grantId, now }
          : { type: 'RequestResultsAccess', workflow, asker: { userId: professionalId, professionalOfOrganisation: true, active: true }, now };
    const commandId = newId();
    const actor = i < 2 ? { id: participantId, email: participant.email, organisationId: null, roles: [] } : { id: 'sub-pro', email: 'pro@bench.example', organisationId: workflow.organisationId, roles: ['professional'] };
    for (const [index, event] of participantDecider.decide(command, state).entries()) {
      state = participantDecider.evolve(state, event);
      events.push({
        eventId: eventIdFor(commandId, streamId, index),
        type: event.type,
        data: event.data,
        metadata: { occurredAt: now, actor, correlationId: commandId, causationId: commandId, commandId, schemaVersion: participantDecider.catalogue.schemaVersion(event.type) },
      });
    }
  }
  return events.slice(0, EVENTS);
}

async function seed(dataDir: string, participantId: string, grantId: string): Promise<RecordedEvent[]> {
  const store = new SqliteEventStore({ file: join(dataDir, 'events.db') });
  const streamId = participantStream(participantId);
  const events = seedEvents(participantId, grantId);
  for (let from = 0; from < events.length; from += 500) {
    await store.appendToStream(streamId, events.slice(from, from + 500), { expectedRevision: from === 0 ? 'no_stream' : from - 1 });
  }
  const recorded = await store.readStream(streamId);
  await store.close();
  return recorded;
}

const row = (label: string, summary: { p50: number; p99: number }) => out(`| ${label} | ${ms(summary.p50)} | ${ms(summary.p99)} |`);
/** Wall clock and CPU time of the same call, each over `samples` runs: on a shared machine the CPU time is what the call costs. */
const cpuRow = async (label: string, samples: number, fn: () => Promise<unknown>, warmup = 20) => {
  const wall = await measure(samples, fn, warmup);
  const cpu = await cpuTime(samples, fn);
  out(`| ${label} | ${ms(wall.p50)} | ${ms(wall.p99)} | ${ms(cpu.p50)} | ${ms(cpu.p99)} |`);
};

async function inProcess(dataDir: string, participantId: string, grantId: string, recorded: readonly RecordedEvent[]) {
  const store = new SqliteEventStore({ file: join(dataDir, 'events.db') });
  const streamId = participantStream(participantId);
  const middle = recorded[Math.floor(recorded.length / 2)].metadata.occurredAt;
  const end = recorded[recorded.length - 1].metadata.occurredAt;
  try {
    const check = stateAt(participantDecider, await store.readStream(streamId), middle)!;
    const grant = grantAt(check.state, grantId, middle);
    if (!grant?.activeAt || check.revision !== Math.floor(recorded.length / 2)) throw new Error('the replay does not give the expected state');

    out(`\n### In process, SQLite event store, one participant stream of ${recorded.length.toLocaleString('en')} events (${SAMPLES} runs per row)\n`);
    out('| | wall p50 | wall p99 | CPU p50 | CPU p99 |');
    out('|---|--:|--:|--:|--:|');
    await cpuRow('baseline: read the stream (no parsing, no folding)', SAMPLES, () => store.readStream(streamId));
    await cpuRow('read + parse every event through the catalogue', SAMPLES, async () => (await store.readStream(streamId)).map(participantDecider.catalogue.parse));
    // As the state endpoints read: a page at a time up to the instant (AuditStreams.readUpTo), then the fold. `readUpTo` needs no read store.
    const streams = new AuditStreams(store, undefined as unknown as ReadStore);
    await cpuRow(`read up to the middle + replay as of it (${Math.floor(recorded.length / 2).toLocaleString('en')} events folded) + the grant`, SAMPLES, async () => {
      const folded = stateAt(participantDecider, await streams.readUpTo(streamId, middle), middle)!;
      return grantAt(folded.state, grantId, middle);
    });
    await cpuRow(`read + replay as of the end (${recorded.length.toLocaleString('en')} events folded) + the grant`, SAMPLES, async () => {
      const folded = stateAt(participantDecider, await streams.readUpTo(streamId, end), end)!;
      return grantAt(folded.state, grantId, end);
    });
    const read = await store.readStream(streamId);
    await cpuRow('the replay alone, as of the end, on events already read', SAMPLES, async () => stateAt(participantDecider, read, end));
    // As the state endpoints do now: from the latest fold checkpoint that serves the instant (a read-store lookup), then the events after it.
    const readStore = new SqliteReadStore({ file: join(dataDir, 'read.db') });
    try {
      const checkpoints = new FoldCheckpoints(streams, readStore);
      await checkpoints.onModuleInit();
      const viaCheckpoints = (at: string) => async () => grantAt((await checkpoints.stateAt(participantDecider, streamId, at))!.state, grantId, at);
      const cold: number[] = [];
      for (let i = 0; i < 5; i += 1) {
        await readStore.dropCollection(FOLD_CHECKPOINTS.name);
        await readStore.ensureCollection(FOLD_CHECKPOINTS);
        const started = process.hrtime.bigint();
        await viaCheckpoints(end)();
        cold.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
      cold.sort((a, b) => a - b);
      out(`| with fold checkpoints, the first replay of the stream (reads and folds it all, writes ${Math.floor(recorded.length / 1000)} checkpoints; 5 runs) | ${ms(cold[2])} | ${ms(cold[4])} | | |`);
      // A deploy whose domain code changed: no checkpoint of its version. The keeper (FoldCheckpointKeeper, in the background from start-up) reads the log and writes them; then the first replay.
      const beforeLastAt = recorded[recorded.length - 2].metadata.occurredAt;
      const keeperMs: number[] = [];
      const firstWall: number[] = [];
      const firstCpu: number[] = [];
      const deploys = Math.min(SAMPLES, 20);
      for (let i = 0; i < deploys; i += 1) {
        await readStore.dropCollection(FOLD_CHECKPOINTS.name);
        await readStore.ensureCollection(FOLD_CHECKPOINTS);
        const keeper = new FoldCheckpointKeeper({ runProjections: true } as AppConfig, store, readStore, checkpoints);
        const started = process.hrtime.bigint();
        keeper.onApplicationBootstrap();
        while ((await readStore.getCheckpoint(keeper.name)) < recorded[recorded.length - 1].position) await new Promise((r) => setTimeout(r, 1));
        keeperMs.push(Number(process.hrtime.bigint() - started) / 1e6);
        await keeper.beforeApplicationShutdown();
        await readStore.applyChanges(keeper.name, [], -1);
        const cpuBefore = process.cpuUsage();
        const wallBefore = process.hrtime.bigint();
        await viaCheckpoints(beforeLastAt)();
        firstWall.push(Number(process.hrtime.bigint() - wallBefore) / 1e6);
        const used = process.cpuUsage(cpuBefore);
        firstCpu.push((used.user + used.system) / 1000);
      }
      const keeperSummary = summary(keeperMs);
      out(`| after a deploy: the keeper's catch-up in the background (reads the log from the start, writes the ${Math.floor(recorded.length / 1000)} checkpoints; ${deploys} deploys) | ${ms(keeperSummary.p50)} | ${ms(keeperSummary.p99)} | | |`);
      const wall = summary(firstWall);
      const cpu = summary(firstCpu);
      out(`| **after a deploy, the first replay** once the keeper has run, as of revision 9,998 (the worst case: the previous checkpoint + 999 events read and folded) + the grant (${deploys} deploys) | ${ms(wall.p50)} | ${ms(wall.p99)} | ${ms(cpu.p50)} | ${ms(cpu.p99)} |`);
      const viaEnd = await checkpoints.stateAt(participantDecider, streamId, end);
      const viaMiddle = await checkpoints.stateAt(participantDecider, streamId, middle);
      if (JSON.stringify(viaEnd) !== JSON.stringify(stateAt(participantDecider, read, end)) || JSON.stringify(viaMiddle) !== JSON.stringify(stateAt(participantDecider, read, middle))) {
        throw new Error('the replay from a checkpoint does not give the state folded from the start');
      }
      await cpuRow('**with fold checkpoints**, as of the middle: the checkpoint + the events after it up to the instant + the grant', SAMPLES, viaCheckpoints(middle));
      // Just before the last checkpoint's event: the previous checkpoint serves, and 999 events after it are read and folded, the most any replay folds.
      await cpuRow('**with fold checkpoints**, as of revision 9,998 (the previous checkpoint + 999 events read and folded: the most a replay folds) + the grant', SAMPLES, viaCheckpoints(beforeLastAt));
      await cpuRow('**with fold checkpoints**, as of the end (the checkpoint after the last event) + the grant', SAMPLES, viaCheckpoints(end));
    } finally {
      await readStore.close();
    }
    await cpuRow('read + the whole timeline (sentence and changed fields per event)', Math.min(SAMPLES, 50), async () => timelineOf(participantDecider, await store.readStream(streamId)), 5);
  } finally {
    await store.close();
  }
}


async function overHttp(dataDir: string, participantId: string, grantId: string, recorded: readonly RecordedEvent[]) {
  const port = 41_000 + Math.floor(Math.random() * 1000);
  const base = `http://127.0.0.1:${port}`;
  const api = await startServer('api', port, dataDir);
  try {
    const auditor = await mintToken(BENCH_SECRET, { email: 'audrey@audit.example', roles: ['auditor'], expiresIn: '1h' });
    const get = async (path: string) => {
      const response = await fetch(`${base}${path}`, { headers: { Authorization: `Bearer ${auditor}` } });
      const body = await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`${path}: ${response.status} ${Buffer.from(body).toString()}`);
    };
    const middle = encodeURIComponent(recorded[Math.floor(recorded.length / 2)].metadata.occurredAt);
    const end = encodeURIComponent(recorded[recorded.length - 1].metadata.occurredAt);
    // A deploy: the service starts on a log it has no checkpoints for. The grant's participant comes from the care_grants read model, and the
    // checkpoints from the keeper, both built in the background from the seeded log: waited for without any replay (the Consent reads the stream, writes nothing).
    const beforeLast = encodeURIComponent(recorded[recorded.length - 2].metadata.occurredAt);
    const readStore = new SqliteReadStore({ file: join(dataDir, 'read.db') });
    const started = Date.now();
    try {
      for (let attempt = 0; ; attempt += 1) {
        const response = await fetch(`${base}/audit/grants/${grantId}/fhir`, { headers: { Authorization: `Bearer ${auditor}` } });
        const keeper = (await readStore.find<{ revision: number }>(FOLD_CHECKPOINTS.name, { where: { streamId: participantStream(participantId) }, pageSize: 20 })).items.length;
        if (response.status === 200 && keeper >= Math.floor(recorded.length / 1000)) break;
        if (attempt > 600) throw new Error(`the grant or the checkpoints never appeared: ${response.status}, ${keeper}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await readStore.close();
    }
    const keptAfter = Date.now() - started;
    const first = Date.now();
    await get(`/audit/grants/${grantId}/state?asOf=${beforeLast}`);
    const firstMs = Date.now() - first;
    const samples = Math.min(SAMPLES, 200);
    out(`\n### Over HTTP, the real service on the embedded stores (${samples} sequential calls per row; each audit read recorded, i.e. an fsynced append)\n`);
    out('| | p50 | p99 |');
    out('|---|--:|--:|');
    out(`| **after a deploy, the first** \`GET /audit/grants/:id/state?asOf=\` as of revision 9,998, once the keeper had written the checkpoints (within ${(keptAfter / 1000).toFixed(1)} s of start-up, polled) | ${ms(firstMs)} | (one call) |`);
    row('`GET /audit/grants/:id/state?asOf=` revision 9,998 (the worst case), later calls', await measure(samples, () => get(`/audit/grants/${grantId}/state?asOf=${beforeLast}`), 20));
    row('`GET /audit/grants/:id/state?asOf=` the middle', await measure(samples, () => get(`/audit/grants/${grantId}/state?asOf=${middle}`), 20));
    row('`GET /audit/grants/:id/state?asOf=` the end', await measure(samples, () => get(`/audit/grants/${grantId}/state?asOf=${end}`), 20));
    row('baseline: `GET /audit/streams/:streamId?limit=1` (same reader, same recorded read, no replay)', await measure(samples, () => get(`/audit/streams/${participantStream(participantId)}?limit=1`), 20));
    row('baseline: `GET /health`', await measure(samples, async () => (await fetch(`${base}/health`)).arrayBuffer(), 20));
  } finally {
    await stopServer(api);
  }
}

async function main() {
  const loadStart = load();
  const started = Date.now();
  out(`Machine: ${machine()}; load average ${loadStart} (1, 5, 15 min) at the start.`);
  const dataDir = mkdtempSync(join(tmpdir(), 'al-bench-audit-'));
  try {
    const participantId = `bench-participant-${newId()}`;
    const grantId = newId();
    const recorded = await seed(dataDir, participantId, grantId);
    await inProcess(dataDir, participantId, grantId, recorded);
    await overHttp(dataDir, participantId, grantId, recorded);
    out(`\nLoad average ${load()} at the end; the run took ${((Date.now() - started) / 1000).toFixed(0)} s. Wall clock: from the call to its answer; CPU: user + system time of this process during the call (what the call costs, whatever else the machine runs). Goal: as-of replay of a ${recorded.length.toLocaleString('en')}-event stream under ${GOAL_MS} ms.`);
    if (process.env.BENCH_NO_DOCS !== '1') {
      const text = [
        '## Audit: replay as of an instant, generated — `npm run bench:audit:replay`',
        '',
        `One participant stream of ${recorded.length.toLocaleString('en')} events (an enrolment, a consent, then results requests one a minute) on the embedded SQLite store, as the service writes them. The rows "after a deploy" start with no checkpoint of the code's version (the collection dropped) and run the fold checkpoint keeper as the service does at start-up, then time the first replay.`,
        ...section,
      ].join('\n');
      process.stdout.write(`\nwrote ${writeDocsSection('audit:replay', text)}\n`);
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
