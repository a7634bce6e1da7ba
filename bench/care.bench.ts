/**
 * npm run bench:care — care access.
 * 1. Over HTTP, against the real service on the embedded stores (its own process): p50/p99 of
 *    the results-access decision (each one a ResultsAccessRequested appended and fsynced),
 *    granted and refused, beside GET /health in the same run; then the decision on a
 *    participant whose stream already holds BENCH_RECORDED requests (the stream is folded
 *    for every decision). A request for someone not enrolled takes the same reads and appends
 *    nothing: the difference is the cost of the durable append.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mintToken } from '@access-ledger/auth';
import { BENCH_SECRET, machine, measure, ms, startServer, stopServer } from './support';

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 1000);
const PARTICIPANTS = Number(process.env.BENCH_PARTICIPANTS ?? 100);
const RECORDED = Number(process.env.BENCH_RECORDED ?? 1000);
const out = (line: string) => process.stdout.write(`${line}\n`);


const call = async (url: string, token: string, body?: unknown, expected = [200, 201]) => {
  const response = await fetch(url, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await response.json()) as Record<string, any>;
  if (!expected.includes(response.status)) throw new Error(`${url}: ${response.status} ${JSON.stringify(json)}`);
  return json;
};

async function overHttp() {
  const dataDir = mkdtempSync(join(tmpdir(), 'al-bench-care-'));
  const port = 40_000 + Math.floor(Math.random() * 1000);
  const base = `http://127.0.0.1:${port}`;
  const api = await startServer('api', port, dataDir);
  try {
    const admin = await mintToken(BENCH_SECRET, { email: 'ops@example.org', roles: ['platform_admin'] });
    const org = (await call(`${base}/organisations`, admin, { name: 'Bench Coaching' })).id as string;
    await call(`${base}/organisations/${org}/users`, admin, { firstName: 'Lee', lastName: 'Lead', email: 'lead@example.org', clinician: false, permissionLevel: 'lead_administrator' });
    const lead = await mintToken(BENCH_SECRET, { email: 'lead@example.org', issuedAt: Math.ceil(Date.now() / 1000) + 1 });
    const pro = (await call(`${base}/organisations/${org}/users`, lead, { firstName: 'Pia', lastName: 'Pro', email: 'pro@example.org', clinician: true, permissionLevel: 'recorder', professional: true })).id as string;
    const proToken = await mintToken(BENCH_SECRET, { email: 'pro@example.org' });
    const stranger = (await call(`${base}/organisations/${org}/users`, lead, { firstName: 'Sol', lastName: 'Other', email: 'other@example.org', clinician: true, permissionLevel: 'recorder', professional: true })).id as string;
    const strangerToken = await mintToken(BENCH_SECRET, { email: 'other@example.org' });
    void stranger;
    const workflow = (await call(`${base}/organisations/${org}/workflows`, lead, { name: 'Bench workflow', allowAppendProfessionals: true })).id as string;
    await call(`${base}/organisations/${org}/workflows/${workflow}/professionals`, lead, { professionalIds: [pro], days: 365, reason: 'Bench' });
    const participants: string[] = [];
    for (let i = 0; i < PARTICIPANTS; i += 1) {
      const sub = `bench-participant-${i}`;
      const token = await mintToken(BENCH_SECRET, { sub, email: `${sub}@example.org`, name: `Participant ${i}` });
      await call(`${base}/workflows/${workflow}/enrolments`, token, {});
      await call(`${base}/workflows/${workflow}/consents`, token, { professionalId: pro, decision: 'accept' });
      participants.push(sub);
    }
    const decide = (token: string, sub: string, expected: number) => call(`${base}/workflows/${workflow}/participants/${sub}/results-access`, token, {}, [expected]);

    const granted = await measure(SAMPLES, (i) => decide(proToken, participants[i % PARTICIPANTS], 200), 100);
    const refused = await measure(SAMPLES, (i) => decide(strangerToken, participants[i % PARTICIPANTS], 403), 100);
    const notEnrolled = await measure(SAMPLES, (i) => decide(proToken, `nobody-${i}`, 404), 100);
    const health = await measure(SAMPLES, async () => (await fetch(`${base}/health`)).arrayBuffer(), 100);
    const perParticipant = Math.round((SAMPLES + 100) * 2 / PARTICIPANTS);
    out(`results-access decision over HTTP, granted (recorded, fsynced; ~${perParticipant} requests per participant stream): p50 ${ms(granted.p50)}  p99 ${ms(granted.p99)}`);
    out(`results-access decision over HTTP, refused (recorded, fsynced):                            p50 ${ms(refused.p50)}  p99 ${ms(refused.p99)}`);
    out(`the same reads, nothing appended (participant not enrolled, 404):                       p50 ${ms(notEnrolled.p50)}  p99 ${ms(notEnrolled.p99)}`);
    out(`baseline GET /health over HTTP:                                                          p50 ${ms(health.p50)}  p99 ${ms(health.p99)}`);

    const heavy = participants[0];
    const already = Math.round((SAMPLES + 100) * 2 / PARTICIPANTS);
    for (let i = already; i < RECORDED; i += 1) await decide(proToken, heavy, 200);
    const onHeavy = await measure(Math.min(SAMPLES, 300), () => decide(proToken, heavy, 200), 20);
    out(`results-access decision over HTTP on a participant with ${RECORDED}+ recorded requests:           p50 ${ms(onHeavy.p50)}  p99 ${ms(onHeavy.p99)}`);
  } finally {
    await stopServer(api);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main() {
  out(`machine: ${machine()}; ${SAMPLES} sequential samples per row`);
  await overHttp();
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
