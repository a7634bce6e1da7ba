/**
 * npm run bench:http — HTTP throughput of the request workflow (create -> submit -> approve)
 * against the real service on the embedded stores, beside a bare NestJS endpoint taking the
 * same number of POSTs (the ceiling), in the same run; then p50/p99 of the SPOC overview over
 * HTTP for an organisation with BENCH_REQUESTS requests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mintToken } from '@access-ledger/auth';
import { newId } from '@access-ledger/core';
import type { AccessRequestEvent } from '@access-ledger/access-requests';
import { Document, SqliteReadStore, projectBatch, touchedIds } from '@access-ledger/read-store';
import { spocOverviewCountsProjection, spocOverviewProjection } from '@access-ledger/projections';
import { BENCH_SECRET, machine, measure, ms, startServer, stopServer } from './support';

const DURATION_MS = Number(process.env.BENCH_SECONDS ?? 10) * 1000;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 1_000_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 1000);


const post = async (url: string, token: string, body: unknown = {}) => {
  const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  const json = (await response.json()) as Record<string, unknown>;
  if (response.status >= 300) throw new Error(`${url}: ${response.status} ${JSON.stringify(json)}`);
  return json;
};

/** Runs `flow` from `CONCURRENCY` workers for the duration; returns completed flows per second. */
async function load(flow: () => Promise<void>): Promise<number> {
  const deadline = Date.now() + DURATION_MS;
  let done = 0;
  const began = Date.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (Date.now() < deadline) {
      await flow();
      done += 1;
    }
  }));
  return done / ((Date.now() - began) / 1000);
}

async function main() {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`machine: ${machine()}; ${CONCURRENCY} concurrent clients, ${DURATION_MS / 1000} s per run`);
  const dataDir = mkdtempSync(join(tmpdir(), 'al-bench-http-'));
  const apiPort = 39_000 + Math.floor(Math.random() * 1000);
  const barePort = apiPort + 1;

  let api = await startServer('api', apiPort, dataDir);
  const base = `http://127.0.0.1:${apiPort}`;
  const admin = await mintToken(BENCH_SECRET, { email: 'ops@example.org', roles: ['platform_admin'] });
  const org = (await post(`${base}/organisations`, admin, { name: 'Bench Practice' })).id as string;
  await post(`${base}/organisations/${org}/users`, admin, { firstName: 'Sam', lastName: 'Spoc', email: 'spoc@example.org', clinician: false, permissionLevel: 'lead_administrator', spoc: true });
  const spoc = await mintToken(BENCH_SECRET, { email: 'spoc@example.org', issuedAt: Math.ceil(Date.now() / 1000) + 1 });
  const requesters = await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => mintToken(BENCH_SECRET, { sub: `bench-${i}`, email: `bench${i}@example.org` })));
  let worker = 0;
  const flows = await load(async () => {
    const token = requesters[(worker += 1) % requesters.length];
    const { id } = await post(`${base}/requests`, token, { organisationId: org, application: 'bench-app' });
    await post(`${base}/requests/${id}/submit`, token);
    await post(`${base}/requests/${id}/approve`, spoc, { confirm: true });
  });
  await stopServer(api);

  const bare = await startServer('bare', barePort, dataDir);
  const ceiling = await load(async () => {
    for (let i = 0; i < 3; i += 1) await post(`http://127.0.0.1:${barePort}/ping`, admin, { organisationId: org, application: 'bench-app' });
  });
  await stopServer(bare);
  out(`workflow create->submit->approve: ${flows.toFixed(0)} flows/s (${(flows * 3).toFixed(0)} requests/s, each write fsynced)`);
  out(`bare NestJS endpoint, 3 POSTs per flow: ${ceiling.toFixed(0)} flows/s (${(ceiling * 3).toFixed(0)} requests/s)`);
  out(`ratio service/bare: ${(flows / ceiling).toFixed(2)}`);

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
