import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, EMBEDDED_AUDIT_KEY_FILE, createReadStore, loadConfig } from '@access-ledger/platform';

describe('configuration', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'al-config-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('needs no variable for the embedded default, and keeps the generated secret for the token tool', () => {
    const config = loadConfig({ DATA_DIR: dataDir });
    expect(config).toMatchObject({ eventStore: { kind: 'sqlite' }, readStore: { kind: 'sqlite' }, port: 3000, runProjections: true, generatedSecret: true });
    const again = loadConfig({ DATA_DIR: dataDir });
    expect(again.generatedSecret).toBe(false);
    expect(again.auth).toEqual(config.auth);
    expect(readFileSync(join(dataDir, 'jwt-secret'), 'utf8').trim()).toBe((config.auth as { secret: string }).secret);
  });

  it('keeps the audit fold checkpoints ahead where the consumers run, unless RUN_FOLD_CHECKPOINT_KEEPER says otherwise', () => {
    expect(loadConfig({ DATA_DIR: dataDir }).runFoldCheckpointKeeper).toBe(true);
    expect(loadConfig({ DATA_DIR: dataDir, RUN_PROJECTIONS: 'false' }).runFoldCheckpointKeeper).toBe(false);
    expect(loadConfig({ DATA_DIR: dataDir, RUN_PROJECTIONS: 'false', RUN_FOLD_CHECKPOINT_KEEPER: 'true' }).runFoldCheckpointKeeper).toBe(true);
    expect(loadConfig({ DATA_DIR: dataDir, RUN_FOLD_CHECKPOINT_KEEPER: 'false' }).runFoldCheckpointKeeper).toBe(false);
  });

  it('writes mails to DATA_DIR/outbox with links to this port by default, and sends them over SMTP_URL when set', () => {
    expect(loadConfig({ DATA_DIR: dataDir, PORT: '8080' })).toMatchObject({
      publicBaseUrl: 'http://localhost:8080',
      mail: { from: 'Access Ledger <no-reply@localhost>', transport: { kind: 'outbox', dir: join(dataDir, 'outbox') } },
    });
    const smtp = loadConfig({ DATA_DIR: dataDir, SMTP_URL: 'smtps://user:secret@mail.example.org', MAIL_FROM: 'Access <no-reply@example.org>', PUBLIC_BASE_URL: 'https://access.example.org/ledger/' });
    expect(smtp).toMatchObject({ publicBaseUrl: 'https://access.example.org/ledger', mail: { from: 'Access <no-reply@example.org>', transport: { kind: 'smtp', url: 'smtps://user:secret@mail.example.org' } } });
    // A malformed URL is refused without repeating it: it may hold a password.
    expect(() => loadConfig({ DATA_DIR: dataDir, SMTP_URL: 'ftp://user:secret@mail.example.org' })).toThrow(/^(?!.*secret).*SMTP_URL/);
  });

  it.each([
    [{ EVENT_STORE: 'postgres' }, 'EVENT_STORE'],
    [{ EVENT_STORE: 'eventstoredb', AUTH_JWT_SECRET: 'x'.repeat(32) }, 'EVENTSTORE_CONNECTION_STRING'],
    [{ EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: 'http://x', AUTH_JWT_SECRET: 'x'.repeat(32) }, 'EVENTSTORE_CONNECTION_STRING'],
    [{ EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: 'kurrentdb://localhost:2113', AUTH_JWT_SECRET: 'x'.repeat(32) }, 'EVENTSTORE_CONNECTION_STRING'],
    [{ EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: 'esdb://admin:changeit@localhost:2113?tls=false', AUTH_JWT_SECRET: 'x'.repeat(32) }, 'EVENTSTORE_CONNECTION_STRING'],
    [{ EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: 'esdb://admin:p@ss@localhost:2113', AUTH_JWT_SECRET: 'x'.repeat(32) }, 'EVENTSTORE_CONNECTION_STRING'],
    [{ READ_STORE: 'mongodb' }, 'MONGODB_URI'],
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ AUTH_JWT_SECRET: 'short' }, 'AUTH_JWT_SECRET'],
    [{ AUTH_JWKS_URL: 'https://idp.example/jwks' }, 'AUTH_ISSUER'],
    [{ EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: 'esdb://localhost:2113' }, 'AUTH_JWKS_URL'],
    [{ RUN_PROJECTIONS: 'yes' }, 'RUN_PROJECTIONS'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ RATE_LIMITS: 'maybe' }, 'RATE_LIMITS'],
    [{ RATE_LIMIT_PER_MINUTE: '0' }, 'RATE_LIMIT_PER_MINUTE'],
    [{ RATE_LIMIT_IP_PER_MINUTE: 'lots' }, 'RATE_LIMIT_IP_PER_MINUTE'],
    [{ RATE_LIMIT_NEW_REQUESTS_PER_HOUR: '-1' }, 'RATE_LIMIT_NEW_REQUESTS_PER_HOUR'],
    [{ RATE_LIMIT_ORG_NEW_REQUESTS_PER_MINUTE: '1.5' }, 'RATE_LIMIT_ORG_NEW_REQUESTS_PER_MINUTE'],
    [{ HTTP_REQUEST_TIMEOUT_MS: '10' }, 'HTTP_REQUEST_TIMEOUT_MS'],
    [{ HTTP_REQUEST_TIMEOUT_MS: '5000', HTTP_HEADERS_TIMEOUT_MS: '6000' }, 'HTTP_HEADERS_TIMEOUT_MS'],
    [{ TRUST_PROXY_HOPS: 'all' }, 'TRUST_PROXY_HOPS'],
    [{ MANAGEMENT_TOKEN: 'short' }, 'MANAGEMENT_TOKEN'],
    [{ EVENT_RETRY_ATTEMPTS: '0' }, 'EVENT_RETRY_ATTEMPTS'],
    [{ EVENT_RETRY_DELAY_MS: 'soon' }, 'EVENT_RETRY_DELAY_MS'],
    [{ EVENT_RETRY_DELAY_MS: '5000', EVENT_RETRY_MAX_DELAY_MS: '1000' }, 'EVENT_RETRY_MAX_DELAY_MS'],
    [{ AUDIT_SIGNING_KEY: 'not a key' }, 'AUDIT_SIGNING_KEY'],
    [{ EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: 'esdb://localhost:2113', AUTH_JWT_SECRET: 'x'.repeat(32) }, 'AUDIT_SIGNING_KEY'],
    [{ ACCESS_EXPIRY_INTERVAL_MS: '999' }, 'ACCESS_EXPIRY_INTERVAL_MS'],
    [{ ACCESS_EXPIRY_INTERVAL_MS: '86400001' }, 'ACCESS_EXPIRY_INTERVAL_MS'],
    [{ ACCESS_EXPIRY_INTERVAL_MS: '1m' }, 'ACCESS_EXPIRY_INTERVAL_MS'],
    [{ SMTP_URL: 'mail.example.org:25' }, 'SMTP_URL'],
    [{ SMTP_URL: 'smtp://mail.example.org', MAIL_FROM: 'no-reply@example.org' }, 'PUBLIC_BASE_URL'],
    [{ SMTP_URL: 'smtp://mail.example.org', PUBLIC_BASE_URL: 'https://access.example.org' }, 'MAIL_FROM'],
    [{ PUBLIC_BASE_URL: 'access.example.org' }, 'PUBLIC_BASE_URL'],
    [{ PUBLIC_BASE_URL: 'https://access.example.org/?x=1' }, 'PUBLIC_BASE_URL'],
    [{ MAIL_FROM: 'no address' }, 'MAIL_FROM'],
    [{ MAIL_FROM: 'a@b.example\r\nBcc: all@example.org' }, 'MAIL_FROM'],
  ])('refuses %j naming %s', (env, variable) => {
    let error: unknown;
    try {
      loadConfig({ DATA_DIR: dataDir, ...env });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as ConfigError).message).toMatch(new RegExp(`^Configuration error: ${variable} `));
  });

  it('limits rates and times out slow requests by default; readiness and metrics stay closed without MANAGEMENT_TOKEN', () => {
    const config = loadConfig({ DATA_DIR: dataDir });
    expect(config.rateLimits).toEqual({ enabled: true, perCallerPerMinute: 300, anonymousPerIpPerMinute: 60, newRequestsPerRequesterPerHour: 20, newRequestsPerOrganisationPerMinute: 60 });
    expect(config.http).toEqual({ requestTimeoutMs: 30000, headersTimeoutMs: 10000, trustProxyHops: 0 });
    expect(config.managementToken).toBeNull();
    expect(config.eventRetry).toEqual({ maxAttempts: 5, initialDelayMs: 1000, maxDelayMs: 60000 });
    expect(loadConfig({ DATA_DIR: dataDir, RATE_LIMITS: 'off' }).rateLimits.enabled).toBe(false);
    // The headers timeout follows a shorter request timeout.
    expect(loadConfig({ DATA_DIR: dataDir, HTTP_REQUEST_TIMEOUT_MS: '2000' }).http).toMatchObject({ requestTimeoutMs: 2000, headersTimeoutMs: 2000 });
  });

  it('signs audit exports with AUDIT_SIGNING_KEY, or on the embedded default with a key generated once and kept in DATA_DIR (mode 600)', () => {
    const own = mkdtempSync(join(tmpdir(), 'al-config-audit-'));
    try {
      const first = loadConfig({ DATA_DIR: own });
      expect(first.auditSigningKey).toEqual({ pem: expect.stringMatching(/^-----BEGIN PRIVATE KEY-----\n/), generated: true });
      expect(statSync(join(own, EMBEDDED_AUDIT_KEY_FILE)).mode & 0o777).toBe(0o600);
      expect(loadConfig({ DATA_DIR: own }).auditSigningKey).toEqual({ pem: first.auditSigningKey!.pem, generated: false });
      const pem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
      expect(loadConfig({ DATA_DIR: own, AUDIT_SIGNING_KEY: pem }).auditSigningKey).toEqual({ pem, generated: false });
      // One line, as in a .env file: newlines written as \n.
      expect(loadConfig({ DATA_DIR: own, AUDIT_SIGNING_KEY: pem.trim().replace(/\n/g, '\\n') }).auditSigningKey?.pem).toBe(pem);
      // The projector and its tools sign nothing: no key is asked for or made.
      const bare = mkdtempSync(join(tmpdir(), 'al-config-nokey-'));
      expect(loadConfig({ DATA_DIR: bare }, { auth: false, auditKey: false }).auditSigningKey).toBeNull();
      expect(() => statSync(join(bare, EMBEDDED_AUDIT_KEY_FILE))).toThrow();
      rmSync(bare, { recursive: true, force: true });
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  });

  it('refuses an AUDIT_SIGNING_KEY that is not an Ed25519 private key (an RSA key, a public key)', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const publicKey = generateKeyPairSync('ed25519').publicKey.export({ format: 'pem', type: 'spki' }).toString();
    for (const key of [rsa, publicKey]) {
      expect(() => loadConfig({ DATA_DIR: dataDir, AUDIT_SIGNING_KEY: key })).toThrow('Configuration error: AUDIT_SIGNING_KEY must be an Ed25519 private key in PEM (openssl genpkey -algorithm ed25519)');
    }
  });

  it('does not print a refused AUDIT_SIGNING_KEY', () => {
    expect(() => loadConfig({ DATA_DIR: dataDir, AUDIT_SIGNING_KEY: 'secret-material-not-a-pem' })).toThrow(/^(?!.*secret-material)/);
  });

  it('gives the embedded read store a 64 MiB page cache unless READ_STORE_CACHE_MB says otherwise, and refuses less than 2', async () => {
    expect(loadConfig({ DATA_DIR: dataDir }).readStore).toEqual({ kind: 'sqlite', file: join(dataDir, 'read.db'), cacheMb: 64 });
    const config = loadConfig({ DATA_DIR: dataDir, READ_STORE_CACHE_MB: '16' });
    expect(config.readStore).toMatchObject({ cacheMb: 16 });
    const store = await createReadStore(config);
    expect((store as unknown as { db: { pragma(p: string, o: { simple: true }): unknown } }).db.pragma('cache_size', { simple: true })).toBe(-16 * 1024);
    await store.close();
    for (const value of ['1', '16MB', '65537']) {
      expect(() => loadConfig({ DATA_DIR: dataDir, READ_STORE_CACHE_MB: value })).toThrow(`Configuration error: READ_STORE_CACHE_MB must be a whole number from 2 to 65536 (got "${value}")`);
    }
  });

  it('sweeps for expired access every minute unless told otherwise', () => {
    expect(loadConfig({ DATA_DIR: dataDir }).accessExpiryIntervalMs).toBe(60_000);
    expect(loadConfig({ DATA_DIR: dataDir, ACCESS_EXPIRY_INTERVAL_MS: '1000' }).accessExpiryIntervalMs).toBe(1000);
    expect(loadConfig({ DATA_DIR: dataDir, ACCESS_EXPIRY_INTERVAL_MS: '86400000' }).accessExpiryIntervalMs).toBe(86_400_000);
  });

  it('takes credentials in EVENTSTORE_CONNECTION_STRING, and never prints a refused one', () => {
    const env = { DATA_DIR: dataDir, EVENT_STORE: 'eventstoredb', AUTH_JWT_SECRET: 'x'.repeat(32), AUDIT_SIGNING_KEY: generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() };
    expect(loadConfig({ ...env, EVENTSTORE_CONNECTION_STRING: 'esdb://ledger:s3cret@esdb.internal:2113?tls=true' }).eventStore).toEqual({
      kind: 'eventstoredb',
      connectionString: 'esdb://ledger:s3cret@esdb.internal:2113?tls=true',
    });
    for (const refused of ['esdb://ledger:s3cret@esdb.internal:2113?tls=false', 'http://ledger:s3cret@esdb.internal:2113']) {
      expect(() => loadConfig({ ...env, EVENTSTORE_CONNECTION_STRING: refused })).toThrow(/^Configuration error: EVENTSTORE_CONNECTION_STRING (?!.*s3cret)/);
    }
  });

  it('sends a feed heartbeat every 15 seconds unless told otherwise, and refuses what is not a number of milliseconds from 10', () => {
    expect(loadConfig({ DATA_DIR: dataDir }).feedHeartbeatMs).toBe(15_000);
    expect(loadConfig({ DATA_DIR: dataDir, FEED_HEARTBEAT_MS: '50' }).feedHeartbeatMs).toBe(50);
    for (const value of ['5', '15s', '3600001']) {
      expect(() => loadConfig({ DATA_DIR: dataDir, FEED_HEARTBEAT_MS: value })).toThrow(`Configuration error: FEED_HEARTBEAT_MS must be a whole number from 10 to 3600000 (got "${value}")`);
    }
  });

  it('does not print a refused MANAGEMENT_TOKEN', () => {
    expect(() => loadConfig({ DATA_DIR: dataDir, MANAGEMENT_TOKEN: 'secret but short' })).toThrow(/^(?!.*secret but short)/);
  });

  // Runs the built service (npm test builds before jest runs).
  it('stops the process with one line naming the variable', () => {
    const result = spawnSync(process.execPath, ['dist/apps/api/src/main.js'], {
      env: { ...process.env, DATA_DIR: dataDir, EVENT_STORE: 'cassandra' },
      encoding: 'utf8',
      timeout: 20000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe('Configuration error: EVENT_STORE must be one of sqlite, eventstoredb (got "cassandra")');
  });
});
