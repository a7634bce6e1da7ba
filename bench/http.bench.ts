/**
 * npm run bench:http — HTTP throughput of the request workflow (create -> submit -> approve)
 * against the real service on the embedded stores, beside a bare NestJS endpoint on the same
 * adapter taking the same POSTs (the ceiling), in the same run; then p50/p99 of the SPOC overview
 * over HTTP for an organisation with BENCH_REQUESTS requests (0 leaves it out).
 *
 * npm run bench:soak — the same workflow against the service alone for DURATION seconds
 * (default 600): RSS of the service process and p99 in the first and the last window (a minute,
 * or a quarter of a shorter run), and their growth.
 *
 * The load comes from autocannon in a process of its own (bench/load-runner.ts), keep-alive,
 * BENCH_CONCURRENCY connections each running the workflow one step after the other; the server
 * is a third process (bench/http-server.ts). BENCH_CPU_PROF=<folder> runs the service with
 * `node --cpu-prof` and leaves the profile there.
 */
import { ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { mintToken } from '@access-ledger/auth';
import { newId } from '@access-ledger/core';
import type { AccessRequestEvent } from '@access-ledger/access-requests';
import { Document, SqliteReadStore, projectBatch, touchedIds } from '@access-ledger/read-store';
import { spocOverviewCountsProjection, spocOverviewProjection } from '@access-ledger/projections';
import type { LoadPlan, LoadResult } from './load-runner';
import { STEPS } from './load-runner';
import { BENCH_SECRET, machine, measure, ms, startProcess, startServer, stopServer, table, writeDocsSection } from './support';

const SOAK = process.argv[2] === 'soak';
const SECONDS = Number((SOAK ? process.env.DURATION : process.env.BENCH_SECONDS) ?? (SOAK ? 600 : 10));
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? (SOAK ? 0 : 200_000));
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 1000);
const CPU_PROF = process.env.BENCH_CPU_PROF;
const WINDOW_SECONDS = Math.min(60, SECONDS / 4);

const post = async (url: string, token: string, body: unknown = {}) => {
  const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  const json = (await response.json()) as Record<string, unknown>;
  if (response.status >= 300) throw new Error(`${url}: ${response.status} ${JSON.stringify(json)}`);
  return json;
};

const load1 = () => loadavg()[0].toFixed(1);

/** The resident set size of a process now, in MB (Linux /proc). */
const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;

/** CPU time (user + system) a process has used so far, in ms (Linux /proc; clock ticks of 10 ms). */
const cpuMs = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
};

/** Runs the workflow load from autocannon in its own process (bench/load-runner.ts) and answers its figures. */
const runLoad = (plan: LoadPlan) =>
  new Promise<LoadResult>((resolve, reject) => {
    const child = fork(join(__dirname, 'load-runner.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (result: LoadResult) => resolve(result));
    child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`load runner exited with ${code}`))));
    child.send(plan);
  });

/** The measured run after a warm-up run; throws if any answer was not 2xx (then the figures measure something else). */
async function measureWorkflow(
  server: ChildProcess,
  plan: Omit<LoadPlan, 'seconds' | 'windowSeconds'>,
  seconds: number,
  onSecond?: () => void,
  alongside: readonly ChildProcess[] = [],
): Promise<LoadResult & { loadBefore: string; cpuMsPerRequest: number }> {
  if (WARMUP_SECONDS > 0) await runLoad({ ...plan, seconds: WARMUP_SECONDS, windowSeconds: WARMUP_SECONDS });
  const loadBefore = load1();
  const sampler = onSecond ? setInterval(onSecond, 1000) : undefined;
  // The service's CPU time: its process and, in the split layout, the projector's.
  const serviceCpu = () => [server, ...alongside].reduce((sum, child) => sum + cpuMs(child.pid!), 0);
  const cpuBefore = serviceCpu();
  const result = await runLoad({ ...plan, seconds, windowSeconds: WINDOW_SECONDS });
  const cpuMsPerRequest = (serviceCpu() - cpuBefore) / (result.requestsPerSecond * result.seconds);
  clearInterval(sampler);
  for (const step of STEPS) {
    if (result.steps[step].failed > 0) throw new Error(`${step}: ${result.steps[step].failed} answers not 2xx, first ${result.steps[step].firstFailure}`);
  }
  if (result.autocannon.errors + result.autocannon.timeouts > 0) throw new Error(`autocannon: ${result.autocannon.errors} errors, ${result.autocannon.timeouts} timeouts`);
  return { ...result, loadBefore, cpuMsPerRequest };
}

/** The service's set-up through its own API: an organisation, a lead administrator who is SPOC, requester tokens. */
async function setUp(base: string) {
  const admin = await mintToken(BENCH_SECRET, { email: 'ops@example.org', roles: ['platform_admin'] });
  const org = (await post(`${base}/organisations`, admin, { name: 'Bench Practice' })).id as string;
  await post(`${base}/organisations/${org}/users`, admin, { firstName: 'Sam', lastName: 'Spoc', email: 'spoc@example.org', clinician: false, permissionLevel: 'lead_administrator', spoc: true });
  const spoc = await mintToken(BENCH_SECRET, { email: 'spoc@example.org', issuedAt: Math.ceil(Date.now() / 1000) + 1 });
  const requesters = await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => mintToken(BENCH_SECRET, { sub: `bench-${i}`, email: `bench${i}@example.org` })));
  return { org, spoc, requesters };
}

const fmt = (n: number) => n.toLocaleString('en-GB', { maximumFractionDigits: 0 });

async function soak(out: (line: string) => void, dataDir: string, port: number) {
  const api = await startServer('api', port, dataDir, CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', CPU_PROF] : []);
  const base = `http://127.0.0.1:${port}`;
  const { org, spoc, requesters } = await setUp(base);
  const rss: { at: number; mb: number }[] = [];
  const began = Date.now();
  const result = await measureWorkflow(api, { url: base, connections: CONCURRENCY, organisationId: org, requesters, approver: spoc }, SECONDS, () =>
    rss.push({ at: (Date.now() - began) / 1000, mb: rssMb(api.pid!) }),
  );
  await stopServer(api);
  const inWindow = (from: number) => rss.filter((s) => s.at >= from && s.at < from + WINDOW_SECONDS).map((s) => s.mb);
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const first = result.windows[0];
  const last = result.windows[result.windows.length - 1];
  const rssFirst = mean(inWindow(first.startSecond));
  const rssLast = mean(inWindow(last.startSecond));
  const growth = (a: number, b: number) => `${(((b - a) / a) * 100).toFixed(1)} %`;
  const section = [
    `Run: ${machine()}; load average ${result.loadBefore} before the run, ${load1()} after; ${CONCURRENCY} connections for ${SECONDS} s (after a ${WARMUP_SECONDS} s warm-up); windows of ${WINDOW_SECONDS} s; ${fmt(result.flowsPerSecond)} flows/s overall.`,
    '',
    table(
      ['', 'first window', 'last window', 'growth'],
      [
        [`service RSS, mean of 1 s samples (MB)`, rssFirst.toFixed(1), rssLast.toFixed(1), growth(rssFirst, rssLast)],
        [`p99, every step (ms)`, first.p99.toFixed(2), last.p99.toFixed(2), growth(first.p99, last.p99)],
        [`p50, every step (ms)`, first.p50.toFixed(2), last.p50.toFixed(2), growth(first.p50, last.p50)],
        [`requests in the window`, fmt(first.requests), fmt(last.requests), growth(first.requests, last.requests)],
      ],
    ),
    '',
    `CPU time of the service per request: ${result.cpuMsPerRequest.toFixed(2)} ms. Every window: ${result.windows.map((w) => `${w.startSecond}s p99 ${w.p99.toFixed(1)} ms`).join(', ')}. RSS from ${Math.min(...rss.map((s) => s.mb)).toFixed(0)} to ${Math.max(...rss.map((s) => s.mb)).toFixed(0)} MB over the run.`,
  ].join('\n');
  out(section);
  out(`written to ${writeDocsSection('soak', section)}`);
}

async function main() {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`machine: ${machine()}; ${CONCURRENCY} connections, ${SECONDS} s per run; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'al-bench-http-'));
  const apiPort = 39_000 + Math.floor(Math.random() * 1000);
  const barePort = apiPort + 1;
  if (SOAK) {
    await soak(out, dataDir, apiPort);
    rmSync(dataDir, { recursive: true, force: true });
    return;
  }

  let api: ChildProcess = await startServer('api', apiPort, dataDir, CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', CPU_PROF] : []);
  // BENCH_PROJECTOR=1 (with RUN_PROJECTIONS=false RUN_PROVISIONING=false): the production layout's projector as its own process on the same data folder.
  const projector = process.env.BENCH_PROJECTOR === '1'
    ? [await startProcess('dist-bench/apps/projector/src/main.js', { DATA_DIR: dataDir, PROJECTOR_PORT: String(apiPort + 2), LOG_LEVEL: 'silent' }, 'projector running')]
    : [];
  const base = `http://127.0.0.1:${apiPort}`;
  const { org, spoc, requesters } = await setUp(base);
  const service = await measureWorkflow(api, { url: base, connections: CONCURRENCY, organisationId: org, requesters, approver: spoc }, SECONDS, undefined, projector);
  await stopServer(api);
  for (const child of projector) await stopServer(child);

  const bareServer = await startServer('bare', barePort, dataDir);
  const bare = await measureWorkflow(bareServer, { url: `http://127.0.0.1:${barePort}`, connections: CONCURRENCY, organisationId: org, requesters, approver: spoc }, SECONDS);
  await stopServer(bareServer);

  const row = (name: string, s: { perSecond: number; p50: number; p99: number }, b: { perSecond: number; p50: number; p99: number }) => [
    name, fmt(s.perSecond), ms(s.p50), ms(s.p99), fmt(b.perSecond), ms(b.p50), ms(b.p99), (s.perSecond / b.perSecond).toFixed(2),
  ];
  const section = [
    `Run: ${machine()}; load average ${service.loadBefore} before the service's run, ${bare.loadBefore} before the bare one's, ${load1()} after; autocannon 8 in its own process, ${CONCURRENCY} keep-alive connections each running create -> submit -> approve, ${SECONDS} s per run after a ${WARMUP_SECONDS} s warm-up; every write of the service fsynced before its answer.`,
    '',
    table(
      ['step', 'service req/s', 'p50', 'p99', 'bare req/s', 'p50', 'p99', 'ratio'],
      [
        ...STEPS.map((step) => row(`\`${step}\``, service.steps[step], bare.steps[step])),
        row('whole flow (req/s over the 3 steps)', { perSecond: service.requestsPerSecond, p50: service.autocannon.p50, p99: service.autocannon.p99 }, { perSecond: bare.requestsPerSecond, p50: bare.autocannon.p50, p99: bare.autocannon.p99 }),
      ],
    ),
    '',
    `Flows per second: service ${fmt(service.flowsPerSecond)}, bare ${fmt(bare.flowsPerSecond)}: **ratio ${(service.flowsPerSecond / bare.flowsPerSecond).toFixed(2)}**. (The whole-flow p50/p99 are autocannon's own histograms.) CPU time of the server process per request (user + system, from /proc, what the machine's other work does not inflate): service ${service.cpuMsPerRequest.toFixed(2)} ms, bare ${bare.cpuMsPerRequest.toFixed(2)} ms (${(service.cpuMsPerRequest / bare.cpuMsPerRequest).toFixed(1)}×).`,
  ].join('\n');
  out(section);
  out(`written to ${writeDocsSection('http', section)}`);
  if (REQUESTS === 0) {
    rmSync(dataDir, { recursive: true, force: true });
    return;
  }

  // ---- the overview over HTTP on a large organisation --------------------------------
  const reads = new SqliteReadStore({ file: join(dataDir, 'read.db') });
  const seeded = Date.now();
  let position = 1e9;
  for (let i = 0; i < REQUESTS; i += 5000) {
    const batch = Array.from({ length: Math.min(5000, REQUESTS - i) }, (_, j) => {
      const requestId = newId();
      const at = new Date(Date.UTC(2025, 0, 1) + (i + j) * 1000).toISOString();
      return {
        eventId: newId(), type: 'RequestCreated', streamId: `request-${requestId}`, revision: 0, position: (position += 1),
        metadata: { occurredAt: at, actor: { id: 'bench', email: 'bench@example.org', roles: [] }, correlationId: 'b', causationId: 'b', commandId: 'b', schemaVersion: 1 },
        data: { requestId, organisationId: org, application: 'bench-app', justification: null, requester: { id: `sub-${j}`, email: `r${j}@example.org`, name: null }, createdAt: at },
      };
    });
    for (const projection of [spocOverviewProjection, spocOverviewCountsProjection]) {
      const current = await reads.getMany<Document>(projection.collection.name, touchedIds(projection, batch));
      // Seeded beside the log: the checkpoint stays where the live runner left it.
      await reads.applyChanges(projection.name, projectBatch<Document, AccessRequestEvent>(projection, current, batch), await reads.getCheckpoint(projection.name));
    }
  }
  await reads.close();
  out(`seeded ${REQUESTS} more requests into the overview in ${((Date.now() - seeded) / 1000).toFixed(1)} s`);
  api = await startServer('api', apiPort, dataDir);
  const overview = await measure(SAMPLES, async () => {
    const response = await fetch(`${base}/organisations/${org}/requests?pageSize=25`, { headers: { Authorization: `Bearer ${spoc}` } });
    if (response.status !== 200) throw new Error(`overview: ${response.status}`);
    await response.arrayBuffer();
  }, 100);
  const health = await measure(SAMPLES, async () => {
    await (await fetch(`${base}/health`)).arrayBuffer();
  }, 100);
  await stopServer(api);
  out(`overview over HTTP (${REQUESTS} requests in the organisation): p50 ${ms(overview.p50)}  p99 ${ms(overview.p99)}`);
  out(`baseline GET /health over HTTP:                         p50 ${ms(health.p50)}  p99 ${ms(health.p99)}`);
  rmSync(dataDir, { recursive: true, force: true });
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
