import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@access-ledger/platform';
import { inProcessProvisioning, loadProvisioningConfig } from './config';

describe('provisioning configuration', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'al-prov-config-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const load = (env: Record<string, string>, embedded = false) => {
    const all = { DATA_DIR: dataDir, ...env };
    return loadProvisioningConfig(all, loadConfig(all, { auth: false, auditKey: false }), { embedded });
  };
  const esdb = { EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: 'esdb://localhost:2113?tls=false' };

  it('on the embedded default: the log provider, the feed with its checkpoint in DATA_DIR, a token signed with the embedded secret', () => {
    const config = load({});
    expect(config).toMatchObject({
      apiUrl: 'http://localhost:3000',
      provider: { kind: 'log' },
      source: { kind: 'feed', checkpointFile: join(dataDir, 'provisioning.db'), pollIntervalMs: 1000, batchSize: 100 },
      token: { kind: 'mint' },
      backoff: { maxAttempts: 8, baseDelayMs: 500, maxDelayMs: 60000 },
    });
  });

  it('takes a webhook with its secret, the attempts and the pauses', () => {
    const config = load({
      PROVISIONING_WEBHOOK_URL: 'https://idm.example/hooks/access',
      PROVISIONING_WEBHOOK_SECRET: 's'.repeat(32),
      PROVISIONING_MAX_ATTEMPTS: '3',
      PROVISIONING_RETRY_DELAY_MS: '100',
      PROVISIONING_RETRY_MAX_DELAY_MS: '2000',
      PROVISIONING_API_URL: 'https://api.example/',
    });
    expect(config.provider).toEqual({ kind: 'webhook', url: 'https://idm.example/hooks/access', secret: 's'.repeat(32), timeoutMs: 10000 });
    expect(config.backoff).toEqual({ maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 2000 });
    expect(config.apiUrl).toBe('https://api.example');
  });

  it('with EventStoreDB: the persistent subscription group, and a token it is given', () => {
    expect(load({ ...esdb, PROVISIONING_API_TOKEN: 'a.b.c', PROVISIONING_GROUP: 'prov-2' })).toMatchObject({
      source: { kind: 'eventstoredb', group: 'prov-2' },
      token: { kind: 'static', token: 'a.b.c' },
    });
  });

  it('reads the token from a file when told to', () => {
    const file = join(dataDir, 'token');
    writeFileSync(file, 'x.y.z\n');
    expect(load({ PROVISIONING_API_TOKEN_FILE: file }).token).toEqual({ kind: 'file', file });
  });

  it.each([
    [{ PROVISIONING_WEBHOOK_URL: 'https://idm.example/hook' }, 'PROVISIONING_WEBHOOK_SECRET'],
    [{ PROVISIONING_WEBHOOK_URL: 'https://idm.example/hook', PROVISIONING_WEBHOOK_SECRET: 'short' }, 'PROVISIONING_WEBHOOK_SECRET'],
    [{ PROVISIONING_WEBHOOK_SECRET: 's'.repeat(32) }, 'PROVISIONING_WEBHOOK_URL'],
    [{ PROVISIONING_WEBHOOK_URL: 'ftp://idm.example/hook', PROVISIONING_WEBHOOK_SECRET: 's'.repeat(32) }, 'PROVISIONING_WEBHOOK_URL'],
    [{ PROVISIONING_MAX_ATTEMPTS: '0' }, 'PROVISIONING_MAX_ATTEMPTS'],
    [{ PROVISIONING_RETRY_DELAY_MS: '5000', PROVISIONING_RETRY_MAX_DELAY_MS: '100' }, 'PROVISIONING_RETRY_MAX_DELAY_MS'],
    [{ PROVISIONING_API_TOKEN_FILE: '/nonexistent/token' }, 'PROVISIONING_API_TOKEN_FILE'],
    [esdb, 'PROVISIONING_API_TOKEN'],
    [{ ...esdb, PROVISIONING_API_TOKEN: 'a.b.c', PROVISIONING_GROUP: 'no spaces' }, 'PROVISIONING_GROUP'],
  ])('refuses %j naming %s', (env, variable) => {
    expect(() => load(env as Record<string, string>)).toThrow(new RegExp(`^Configuration error: ${variable} `));
  });

  it('runs in the API process on the embedded store unless RUN_PROVISIONING=false, and not on EventStoreDB unless asked', () => {
    const app = (env: Record<string, string>) => loadConfig({ DATA_DIR: dataDir, AUTH_JWT_SECRET: 'x'.repeat(32), ...env }, { auditKey: false });
    expect(inProcessProvisioning({}, app({}))).toMatchObject({ apiUrl: 'self', token: { kind: 'mint', secret: 'x'.repeat(32) } });
    expect(inProcessProvisioning({ RUN_PROVISIONING: 'false' }, app({}))).toBeNull();
    expect(inProcessProvisioning({}, app(esdb))).toBeNull();
    expect(() => inProcessProvisioning({ RUN_PROVISIONING: 'yes' }, app({}))).toThrow(/RUN_PROVISIONING/);
  });
});
