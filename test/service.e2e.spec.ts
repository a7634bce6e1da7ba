import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore, toArray } from '@access-ledger/event-store';
import { ParkedEvents, ensureRunnerCollections, parkedEntry } from '@access-ledger/projection-runner';
import { SqliteReadStore } from '@access-ledger/read-store';
import { freePort } from './support/ports';

/**
 * The built service as a user runs it (npm test builds first): embedded stores under
 * DATA_DIR, a token from the token tool, data kept across a restart, a rebuild and a retry from the CLI.
 */
describe('the built service on the embedded default', () => {
  jest.setTimeout(120_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'al-e2e-'));
  let port: number;
  let child: ChildProcess | undefined;
  const managementToken = 'e2e-management-token-0123456789abcdef';
  // Rate limits stay on (their defaults): this is a user's run, not a load test.
  const env = () => ({ ...process.env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn', AUTH_JWT_SECRET: '', MANAGEMENT_TOKEN: managementToken });

  const start = async () => {
    child = spawn(process.execPath, ['dist/apps/api/src/main.js'], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    // A bound only against a hang: a loaded CI machine can take many seconds to start Nest.
    for (let i = 0; i < 1200; i += 1) {
      if (output.includes('listening on')) return output;
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`service exited: ${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`service did not start: ${output}`);
  };
  const stop = async () => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
  const token = (...args: string[]) => {
    const result = spawnSync(process.execPath, ['dist/apps/api/src/cli/token.js', ...args], { env: env(), encoding: 'utf8' });
    return { ...result, token: result.stdout.trim() };
  };
  const call = (path: string, init: RequestInit & { token?: string } = {}) =>
    fetch(`http://127.0.0.1:${port}${path}`, {
      ...init,
      headers: { 'Content-Type': 'application/json', ...(init.token ? { Authorization: `Bearer ${init.token}` } : {}) },
    });

  /** What the service answers to bytes that are not HTTP (Node's parser, before any middleware). */
  const rawStatusLine = (data: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.write(data));
      let answer = '';
      socket.on('data', (d) => (answer += d));
      socket.on('error', reject);
      socket.on('close', () => {
        expect(answer).toMatch(/\r\nContent-Type: application\/problem\+json\r\n/);
        resolve(answer.split('\r\n')[0]);
      });
    });

  beforeAll(async () => {
    port = await freePort();
  });
  afterAll(async () => {
    await stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts with no configuration, prints how to mint a token, and accepts that token', async () => {
    const output = await start();
    expect(output).toContain('npm run token -- --email');
    const minted = token('--email', 'ops@example.org', '--roles', 'platform_admin');
    expect(minted.status).toBe(0);
    const created = await call('/organisations', { method: 'POST', token: minted.token, body: JSON.stringify({ name: 'Persistent Practice' }) });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const lead = await call(`/organisations/${id}/users`, {
      method: 'POST',
      token: minted.token,
      body: JSON.stringify({ firstName: 'Pat', lastName: 'Lead', email: 'pat@example.org', clinician: false, permissionLevel: 'lead_administrator' }),
    });
    expect(lead.status).toBe(201);
    await stop();

    await start();
    const patToken = token('--email', 'pat@example.org').token;
    const list = await call(`/organisations/${id}/users`, { token: patToken });
    expect(list.status).toBe(200);
    expect(((await list.json()) as { items: { email: string }[] }).items.map((u) => u.email)).toEqual(['pat@example.org']);
    expect(list.headers.get('cache-control')).toBe('no-store');
    expect(list.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await call('/health/ready')).status).toBe(401);
    const ready = await fetch(`http://127.0.0.1:${port}/health/ready`, { headers: { Authorization: `Bearer ${managementToken}` } });
    expect(ready.status).toBe(200);
    expect(await rawStatusLine('GARBAGE\r\n\r\n')).toBe('HTTP/1.1 400 Bad Request');
    await stop();
  });

  it('refuses unknown roles and a missing e-mail in the token tool', () => {
    expect(token('--email', 'x@example.org', '--roles', 'root').status).toBe(2);
    expect(token('--roles', 'auditor').status).toBe(2);
  });

  it('rebuilds a read model from the command line', () => {
    const result = spawnSync(process.execPath, ['dist/apps/projector/src/rebuild.js', 'directory_users'], { env: env(), encoding: 'utf8' });
    expect(result.stderr).not.toMatch(/failed/i);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/Rebuilt directory_users: \d+ events/);
    const unknown = spawnSync(process.execPath, ['dist/apps/projector/src/rebuild.js', 'nope'], { env: env(), encoding: 'utf8' });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('directory_users');
  });

  it('answers a wrong retry command line with the usage, and a rebuild clears the parked events it replayed', async () => {
    const usage = spawnSync(process.execPath, ['dist/apps/projector/src/retry.js', 'nope', '1'], { env: env(), encoding: 'utf8' });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('Usage: npm run reactors:retry -- <reactor or projection> <position>');
    expect(usage.stderr).toContain('Projections: directory_users');
    // As if the runner had parked the lead's UserAdded (the service is stopped; the stores are ours).
    const events = new SqliteEventStore({ file: join(dataDir, 'events.db') });
    const reads = new SqliteReadStore({ file: join(dataDir, 'read.db') });
    const [added] = await toArray(events.readAll({ filter: { eventTypes: ['UserAdded'] }, maxCount: 1 }));
    await ensureRunnerCollections(reads);
    await new ParkedEvents(reads).park([parkedEntry('directory_users', 'projection', added, 'boom', 5, new Date())]);
    await reads.close();
    const rebuilt = spawnSync(process.execPath, ['dist/apps/projector/src/rebuild.js', 'directory_users'], { env: env(), encoding: 'utf8' });
    expect(rebuilt.status).toBe(0);
    expect(rebuilt.stdout).toContain('Cleared 1 parked event of directory_users it replayed.');
    const after = new SqliteReadStore({ file: join(dataDir, 'read.db') });
    expect(await new ParkedEvents(after).counts()).toEqual({});
    await after.close();
    await events.close();
  });

  it('runs the README quick start: a request approved and provisioned by the in-process provisioning, with no other command', async () => {
    await start();
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    const from = readme.indexOf('```sh', readme.indexOf('Then, in another terminal'));
    const script = readme.slice(from + '```sh'.length, readme.indexOf('```', from + 5)).replaceAll('localhost:3000', `localhost:${port}`);
    const result = spawnSync('bash', ['-e', '-c', script], { env: env(), encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(`{ status: 'provisioned', detail: null, at: '`);
    await stop();
  });
});
