/**
 * npm run bench:care-reads — care access's per-person reads, in process (the real query
 * handler on the embedded read store, sequential calls after a warm-up; better-sqlite3 is
 * synchronous, so the time of one call is the time it holds the event loop):
 * - GET /me/access for a participant with BENCH_GRANTS active grants and BENCH_REQUESTS recorded
 *   requests for their results (goal: p99 < 5 ms at 50 and 1,000), among BENCH_OTHERS other
 *   participants with grants and requests of their own;
 * - GET /me/participants (first page, and every page by cursor) for a professional whom every
 *   other participant has given a grant.
 * Read models seeded by feeding synthetic events through the real projections.
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { newId, RecordedEvent } from '@access-ledger/core';
import { CareCaller, ParticipantRef, participantStream } from '@access-ledger/care-access';
import { SqliteReadStore } from '@access-ledger/read-store';
import { careGrantsProjection, careResultsRequestsProjection, careWorkflowsProjection, manageUsersProjection } from '@access-ledger/projections';
import { MyAccessHandler, MyAccessQuery } from '../apps/api/src/care-access/queries/my-access.query';
import { MyParticipantsHandler, MyParticipantsQuery } from '../apps/api/src/care-access/queries/my-participants.query';
import { MyParticipantsQueryDto } from '../apps/api/src/care-access/queries/my-participants.dto';
import { cpuTime, machine, measure, ms, seed } from './support';

const GRANTS = Number(process.env.BENCH_GRANTS ?? 50);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 1000);
const OTHERS = Number(process.env.BENCH_OTHERS ?? 10_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 2000);
const GOAL_P99_MS = 5;
const out = (line: string) => process.stdout.write(`${line}\n`);

const NOW = '2026-06-01T00:00:00.000Z';
const at = (minutes: number) => new Date(Date.UTC(2026, 0, 1) + minutes * 60_000).toISOString();
let position = 0;
const event = (streamId: string, type: string, data: Record<string, unknown>, occurredAt: string): RecordedEvent => ({
  eventId: newId(),
  type,
  streamId,
  revision: 0,
  position: (position += 1),
  data,
  metadata: { occurredAt, actor: { id: 'bench', email: 'asker@example.org', roles: [] }, correlationId: 'b', causationId: 'b', commandId: 'b', schemaVersion: 1 },
});

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'al-bench-care-reads-'));
  const store = new SqliteReadStore({ file: join(dir, 'read.db') });
  try {
    out(`machine: ${machine()}`);
    const organisationId = newId();
    const workflows = Array.from({ length: 5 }, () => newId());
    const professionals = Array.from({ length: Math.max(GRANTS, 10) + 10 }, () => ({ id: newId(), name: 'Dr Bench' }));
    const busy = professionals[0];
    const target: ParticipantRef = { id: 'sub-target', email: 'target@example.org', name: 'Tara Target' };
    const started = Date.now();
    await seed(store, [manageUsersProjection, careWorkflowsProjection, careGrantsProjection, careResultsRequestsProjection], (function* () {
      for (const [i, p] of professionals.entries()) {
        const [firstName, lastName] = ['Dr', `Bench${i}`];
        yield event(`user-${p.id}`, 'UserAdded', { userId: p.id, organisationId, firstName, lastName, email: `pro${i}@example.org`, clinician: true, permissionLevel: 'recorder', spoc: false, professional: true, addedAt: at(0) }, at(0));
        if (i % 6 === 5) yield event(`user-${p.id}`, 'UserDeactivated', { userId: p.id, organisationId, permissionLevel: 'recorder', reason: null, deactivatedAt: at(1) }, at(1));
      }
      for (const workflowId of workflows) {
        yield event(`workflow-${workflowId}`, 'WorkflowCreated', { workflowId, organisationId, name: 'Bench workflow', project: null, allowAppendProfessionals: true, createdAt: at(2) }, at(2));
      }
      const grant = (participant: ParticipantRef, professional: { id: string; name: string }, n: number) => {
        const workflowId = workflows[n % workflows.length];
        // Every tenth grant of the others has lapsed, its expiry not recorded yet; the target's are all active.
        const until = participant !== target && n % 10 === 9 ? at(3) : '2030-01-01T00:00:00.000Z';
        return event(participantStream(participant.id), 'ConsentGiven', {
          workflowId, organisationId, participantId: participant.id, grantId: newId(), participant, professional,
          basis: 'prior_consent', assignmentId: null, reason: 'Bench', from: at(3), until, givenAt: at(3),
        }, at(3));
      };
      const asked = (participant: ParticipantRef, professional: { id: string }, n: number) =>
        event(participantStream(participant.id), 'ResultsAccessRequested', {
          workflowId: workflows[n % workflows.length], organisationId, participantId: participant.id, professionalId: professional.id,
          decision: 'refused', basis: null, grantId: null, grantVersion: null, until: null, refusal: 'no_consent', decidedOnRevision: 1, requestedAt: at(10 + n),
        }, at(10 + n));
      for (let n = 0; n < GRANTS; n += 1) yield grant(target, professionals[n + 1], n);
      for (let n = 0; n < REQUESTS; n += 1) yield asked(target, professionals[n % professionals.length], n);
      for (let i = 0; i < OTHERS; i += 1) {
        const other: ParticipantRef = { id: `sub-${i}`, email: `p${i}@example.org`, name: null };
        yield grant(other, busy, i);
        yield grant(other, professionals[1 + (i % (professionals.length - 1))], i + 1);
        for (let n = 0; n < 5; n += 1) yield asked(other, busy, i * 5 + n);
      }
    })());
    out(`seeded ${position} events (target: ${GRANTS} grants, ${REQUESTS} requests; ${OTHERS} other participants) in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const participant: CareCaller = { id: target.id, email: target.email, name: target.name, userId: null, organisationId: null, administrator: false, professional: false, auditor: false };
    const access = new MyAccessHandler(store);
    const answer = await access.execute(new MyAccessQuery(participant, NOW));
    out(`GET /me/access answers ${answer.grants.length} grants (grantsTruncated ${answer.grantsTruncated}), ${answer.requests.length} requests`);
    // The floor of this machine at this moment: one document by primary key from the same store.
    const baseline = await measure(SAMPLES, () => store.get('care_workflows', workflows[0]));
    out(`baseline: one workflow by id   p50 ${ms(baseline.p50)}  p99 ${ms(baseline.p99)}  max ${ms(baseline.max)}`);
    const load = loadavg()[0];
    const mine = await measure(SAMPLES, () => access.execute(new MyAccessQuery(participant, NOW)));
    const cpu = await cpuTime(SAMPLES, () => access.execute(new MyAccessQuery(participant, NOW)));
    out(`GET /me/access, ${GRANTS} grants and ${REQUESTS} requests   p50 ${ms(mine.p50)}  p99 ${ms(mine.p99)}  max ${ms(mine.max)}  (${SAMPLES} calls; load average ${load.toFixed(1)})`);
    out(`  CPU time per call   p50 ${ms(cpu.p50)}  p99 ${ms(cpu.p99)}`);
    out(`goal p99 < ${GOAL_P99_MS} ms: wall clock ${mine.p99 < GOAL_P99_MS ? 'met' : 'NOT met'}, CPU time ${cpu.p99 < GOAL_P99_MS ? 'met' : 'NOT met'}`);

    const professional: CareCaller = { id: 'sub-busy', email: 'pro0@example.org', name: null, userId: busy.id, organisationId, administrator: false, professional: true, auditor: false };
    const list = new MyParticipantsHandler(store);
    const first = await measure(SAMPLES, () => list.execute(new MyParticipantsQuery(professional, { pageSize: 25 } as MyParticipantsQueryDto, NOW)));
    out(`GET /me/participants, first page of 25 of ${OTHERS} grants   p50 ${ms(first.p50)}  p99 ${ms(first.p99)}  max ${ms(first.max)}`);
    let after: string | null = null;
    let pages = 0;
    const walk = await measure(SAMPLES, async () => {
      const page = await list.execute(new MyParticipantsQuery(professional, { pageSize: 100, ...(after ? { after } : {}) } as MyParticipantsQueryDto, NOW));
      after = page.nextCursor;
      pages += 1;
    });
    out(`GET /me/participants, pages of 100 by cursor (all of them, around again)   p50 ${ms(walk.p50)}  p99 ${ms(walk.p99)}  max ${ms(walk.max)}  (${pages} pages)`);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
