/**
 * npm run bench:provisioning — end-to-end latency of account provisioning: from the SPOC's
 * approve acknowledged (the 201/200 received) to `AccountProvisioned` recorded in the log, with
 * the webhook receiver (in this process, verifying each signature) answering at once; p50/p99.
 * Runs the built service as a user does: the API with provisioning in process (`npm start`),
 * and the API beside `npm run start:provisioning`, at the default poll interval and a short one.
 * Baselines in the same run: the approve round trip itself, a signed POST to the receiver, a
 * feed page (`GET /events`) round trip, and the poll interval. Rewrites its section of
 * docs/performance.md (BENCH_NO_DOCS=1: not).
 *
 * "Recorded" is the `occurredAt` the API stamps on AccountProvisioned when it handles the report
 * (same machine, same clock), just before its fsynced append (about 1 ms, bench:store).
 */
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChildProcess } from 'node:child_process';
import { mintToken } from '@access-ledger/auth';
import { SIGNATURE_HEADER, SIGNATURE_TIMESTAMP_HEADER, signWebhook, verifyWebhookSignature } from '@access-ledger/provisioning-service';
import { BENCH_SECRET, LatencySummary, machine, measure, ms, percentile, startProcess, table, writeDocsSection } from './support';

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 300);
const SAMPLES_AT_DEFAULT_POLL = Number(process.env.BENCH_SAMPLES_DEFAULT_POLL ?? 60);
const SHORT_POLL_MS = 50;
const WEBHOOK_SECRET = 'bench-webhook-secret-bench-webhook-secret';
const MANAGEMENT_TOKEN = 'bench-management-token-0123456789abcdef';

/** The downstream: verifies the signature and answers 200 at once. */
async function startReceiver(): Promise<{ url: string; server: Server; received: () => number }> {
  let received = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const ok = verifyWebhookSignature(
        WEBHOOK_SECRET,
        { body: Buffer.concat(chunks), timestamp: request.headers[SIGNATURE_TIMESTAMP_HEADER.toLowerCase()] as string, signature: request.headers[SIGNATURE_HEADER.toLowerCase()] as string },
        Math.floor(Date.now() / 1000),
      );
      received += 1;
      response.writeHead(ok ? 200 : 401, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/provision`, server, received: () => received };
}

const call = async (url: string, token: string, body?: unknown) => {
  const response = await fetch(url, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await response.json()) as any;
  if (response.status >= 300) throw new Error(`${url}: ${response.status} ${JSON.stringify(json)}`);
  return json;
};

const stop = (child: ChildProcess) =>
  new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(undefined);
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });

const summary = (samples: number[]): LatencySummary => {
  const sorted = [...samples].sort((a, b) => a - b);
  return { count: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1], mean: sorted.reduce((s, x) => s + x, 0) / sorted.length };
};

interface Scenario {
  readonly name: string;
  readonly separate: boolean;
  readonly pollMs: number;
  readonly samples: number;
}

async function run(scenario: Scenario, receiverUrl: string, port: number) {
  const dataDir = mkdtempSync(join(tmpdir(), 'al-bench-prov-'));
  const common = { DATA_DIR: dataDir, AUTH_JWT_SECRET: BENCH_SECRET, LOG_LEVEL: 'silent', RATE_LIMITS: 'off', MANAGEMENT_TOKEN };
  const provisioning = { PROVISIONING_WEBHOOK_URL: receiverUrl, PROVISIONING_WEBHOOK_SECRET: WEBHOOK_SECRET, PROVISIONING_POLL_INTERVAL_MS: String(scenario.pollMs) };
  const base = `http://127.0.0.1:${port}`;
  const children: ChildProcess[] = [];
  try {
    children.push(
      await startProcess('dist/apps/api/src/main.js', { ...common, PORT: String(port), ...(scenario.separate ? { RUN_PROVISIONING: 'false' } : provisioning) }, 'listening on'),
    );
    if (scenario.separate) {
      children.push(
        await startProcess(
          'dist/apps/provisioning/src/main.js',
          { ...common, ...provisioning, PROVISIONING_API_URL: base, PROVISIONING_PORT: String(port + 1) },
          'provisioning running',
        ),
      );
    }
    const admin = await mintToken(BENCH_SECRET, { email: 'ops@example.org', roles: ['platform_admin'] });
    const integration = await mintToken(BENCH_SECRET, { email: 'bench-integration@example.org', roles: ['integration'] });
    const org = (await call(`${base}/organisations`, admin, { name: 'Bench Practice' })).id as string;
    await call(`${base}/organisations/${org}/users`, admin, { firstName: 'Sam', lastName: 'Spoc', email: 'spoc@example.org', clinician: false, permissionLevel: 'lead_administrator', spoc: true });
    const spoc = await mintToken(BENCH_SECRET, { email: 'spoc@example.org', issuedAt: Math.ceil(Date.now() / 1000) + 1 });
    const requester = await mintToken(BENCH_SECRET, { sub: 'bench-requester', email: 'requester@example.org' });
    await new Promise((r) => setTimeout(r, 1100)); // the SPOC token's iat must have passed

    let after = 0;
    const approvals: number[] = [];
    const latencies: number[] = [];
    for (let i = 0; i < scenario.samples + 5; i += 1) {
      const { id } = await call(`${base}/requests`, requester, { organisationId: org, application: 'bench-app' });
      await call(`${base}/requests/${id}/submit`, requester, {});
      // Approvals come at any moment of the consumer's poll cycle, not right after its last page: a pause drawn over the interval.
      await new Promise((r) => setTimeout(r, Math.random() * scenario.pollMs));
      const sent = performance.now();
      await call(`${base}/requests/${id}/approve`, spoc, { confirm: true });
      const acknowledged = Date.now();
      approvals.push(performance.now() - sent);
      // Wait for the outcome in the feed (read every 2 ms); the latency is taken from its occurredAt, not from when we saw it.
      for (;;) {
        const page = await call(`${base}/events?after=${after}&types=AccountProvisioned&limit=1000`, integration);
        after = page.lastPosition;
        const recorded = (page.events as any[]).find((e) => e.data.requestId === id);
        if (recorded) {
          if (i >= 5) latencies.push(Date.parse(recorded.occurredAt) - acknowledged); // the first 5 warm up
          break;
        }
        await new Promise((r) => setTimeout(r, 2));
      }
    }
    const feed = await measure(500, () => call(`${base}/events?after=0&types=RequestApproved&limit=1`, integration), 50);
    return { latency: summary(latencies), approve: summary(approvals.slice(5)), feed };
  } finally {
    for (const child of children.reverse()) await stop(child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main() {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const started = Date.now();
  out(`machine: ${machine()}`);
  const receiver = await startReceiver();
  const port = 40_000 + Math.floor(Math.random() * 1000) * 2;
  const scenarios: Scenario[] = [
    { name: '`npm start` (in the API process), poll 1000 ms (default)', separate: false, pollMs: 1000, samples: SAMPLES_AT_DEFAULT_POLL },
    { name: `\`npm start\` (in the API process), poll ${SHORT_POLL_MS} ms`, separate: false, pollMs: SHORT_POLL_MS, samples: SAMPLES },
    { name: `\`npm run start:provisioning\` (own process), poll ${SHORT_POLL_MS} ms`, separate: true, pollMs: SHORT_POLL_MS, samples: SAMPLES },
  ];
  const rows: string[][] = [];
  let baselines: { approve: LatencySummary; feed: LatencySummary } | undefined;
  for (const scenario of scenarios) {
    out(`running: ${scenario.name}, ${scenario.samples} approvals`);
    const result = await run(scenario, receiver.url, port);
    baselines ??= result;
    rows.push([scenario.name, String(result.latency.count), ms(result.latency.p50), ms(result.latency.p99), ms(result.latency.max)]);
    out(`  approve acknowledged -> AccountProvisioned recorded: p50 ${ms(result.latency.p50)}  p99 ${ms(result.latency.p99)}`);
  }
  // A signed POST to the receiver straight from here: what one webhook call costs without the service around it.
  const webhook = await measure(1000, async () => {
    const body = JSON.stringify({ action: 'grant-application-access', idempotencyKey: 'k' });
    const t = Math.floor(Date.now() / 1000);
    const response = await fetch(receiver.url, { method: 'POST', headers: { 'Content-Type': 'application/json', [SIGNATURE_TIMESTAMP_HEADER]: String(t), [SIGNATURE_HEADER]: signWebhook(WEBHOOK_SECRET, body, t) }, body });
    await response.arrayBuffer();
  });
  receiver.server.close();
  const baselineRows = [
    ['approve round trip (`POST /requests/:id/approve`, fsynced)', String(baselines!.approve.count), ms(baselines!.approve.p50), ms(baselines!.approve.p99), ms(baselines!.approve.max)],
    ['a feed page round trip (`GET /events`, integration token)', String(baselines!.feed.count), ms(baselines!.feed.p50), ms(baselines!.feed.p99), ms(baselines!.feed.max)],
    ['a signed webhook POST to the receiver (no service)', String(webhook.count), ms(webhook.p50), ms(webhook.p99), ms(webhook.max)],
  ];
  const header = ['', 'samples', 'p50', 'p99', 'max'];
  const section = [
    '## Account provisioning end to end — `npm run bench:provisioning`',
    '',
    `Machine: ${machine()}. Run took ${((Date.now() - started) / 1000).toFixed(0)} s.`,
    '',
    'From the SPOC\'s approve acknowledged (its answer received) to `AccountProvisioned` recorded (its `occurredAt`, stamped by the API when it takes the outcome report, just before the fsynced append), one approval at a time (each after a pause drawn uniformly over the poll interval, so that approvals fall anywhere in the poll cycle of the consumer), the webhook receiver on loopback verifying each signature and answering 200 at once. The built service as a user runs it, on the embedded stores, rate limits off. Between an approval and the next the provisioning consumer is idle, so each sample waits for the next poll of the feed: the poll interval is the baseline that matters.',
    '',
    '### Approve acknowledged -> provisioned recorded (ms)',
    '',
    table(header, rows),
    '',
    '### Baselines, same run (ms)',
    '',
    table(header, [...baselineRows, ['the poll interval (an idle consumer reads the feed again after it)', '–', `${SHORT_POLL_MS} / 1000`, '–', '–']]),
    '',
    'What a sample is made of: the wait for the next feed read (uniform over the poll interval when the approval lands while the consumer sleeps), one feed page, the signed webhook POST, and the outcome report (an fsynced append). Expected p50 ≈ half the poll interval plus a few round trips; p99 ≈ the interval plus them.',
  ].join('\n');
  out('');
  out(section);
  if (process.env.BENCH_NO_DOCS !== '1') out(`\nwrote ${writeDocsSection('provisioning', section)}`);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
