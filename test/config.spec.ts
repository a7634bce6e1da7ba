import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../apps/api/src/config/config';

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

  it.each([
    [{ EVENT_STORE: 'postgres' }, 'EVENT_STORE'],
    [{ EVENT_STORE: 'eventstoredb', AUTH_JWT_SECRET: 'x'.repeat(32) }, 'EVENTSTORE_CONNECTION_STRING'],
    [{ EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: 'http://x', AUTH_JWT_SECRET: 'x'.repeat(32) }, 'EVENTSTORE_CONNECTION_STRING'],
    [{ READ_STORE: 'mongodb' }, 'MONGODB_URI'],
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ AUTH_JWT_SECRET: 'short' }, 'AUTH_JWT_SECRET'],
    [{ AUTH_JWKS_URL: 'https://idp.example/jwks' }, 'AUTH_ISSUER'],
    [{ EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: 'esdb://localhost:2113' }, 'AUTH_JWKS_URL'],
    [{ RUN_PROJECTIONS: 'yes' }, 'RUN_PROJECTIONS'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
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
